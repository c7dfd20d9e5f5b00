package server_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tallestRow is the height of the tallest body row of the page's tables.
const tallestRow = `Math.max(0, ...[...document.querySelectorAll('table tbody tr')].filter(r => !r.closest('[hidden]') && !r.closest('details:not([open])')).map(r => r.getBoundingClientRect().height))`

// TestBrowserPhoneTableRows: on a phone the tables keep rows of a normal
// height. The source column used to be squeezed to a few characters and
// wrapped its long source strings letter by letter: rows 400–1,400 px tall.
// The page itself must not grow wider than the screen (the table scrolls in
// its wrapper).
func TestBrowserPhoneTableRows(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	pages := map[string]string{
		"/countries/AUT":                 `document.querySelector('table.summary').dataset.state === 'ready'`,
		"/embed/countries/AUT":           `document.querySelector('table.summary').dataset.state === 'ready'`,
		"/milestones":                    `document.readyState === 'complete'`,
		"/indicators/HWF_0001?tab=table": `document.querySelector('table.data-table').dataset.state === 'ready'`,
	}
	for path, ready := range pages {
		t.Run(strings.Trim(path, "/"), func(t *testing.T) {
			ctx := b.tab()
			var rows int
			var tallest float64
			var width int
			run(t, ctx, 60*time.Second,
				chromedp.EmulateViewport(390, 844),
				chromedp.Navigate(a.URL+path),
				chromedp.Poll(ready, nil, chromedp.WithPollingTimeout(45*time.Second)),
				chromedp.Evaluate(`document.querySelectorAll('table tbody tr').length`, &rows),
				chromedp.Evaluate(tallestRow, &tallest),
				chromedp.Evaluate(`document.documentElement.scrollWidth`, &width),
			)
			if rows == 0 {
				t.Fatal("no table rows")
			}
			// A long indicator name takes a few lines, the longest milestone
			// title (330 characters) about ten: 250 px, against rows of
			// 350–1,400 px before.
			if tallest > 250 {
				var cells string
				run(t, ctx, 5*time.Second, chromedp.Evaluate(`(() => { const r = [...document.querySelectorAll('table tbody tr')].filter(r => !r.closest('[hidden]') && !r.closest('details:not([open])')).sort((a, b) => b.offsetHeight - a.offsetHeight)[0];
				  return [...r.cells].map(c => Math.round(c.getBoundingClientRect().width) + ':' + c.textContent.length).join(' | '); })()`, &cells))
				t.Errorf("tallest table row %.0f px at 390 px wide: %s", tallest, cells)
			}
			if width > 390 {
				t.Errorf("page is %d px wide at 390 px", width)
			}
		})
	}
	b.checkNoErrors()
}

// TestBrowserPresentFitsScreen: a projector cannot scroll, so each slide,
// the tall code and ranking charts included, fits the screen exactly.
func TestBrowserPresentFitsScreen(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	// The untouched deck's slide follows the clock: the operator puts it
	// on the opening slide and holds it there, so the screens open on it.
	op := dialWS(t, a.URL, nil)
	for _, cmd := range []map[string]any{{"cmd": "goto", "slide": 0}, {"cmd": "pause"}} {
		op.send(map[string]any{"control": cmd, "token": adminToken})
		if m := op.await(func(m wsMessage) bool { return m.Type == "control-sent" || m.Type == "error" }); m.Type != "control-sent" {
			t.Fatalf("control %v: %s", cmd, m.Error)
		}
	}
	b := newBrowser(t)
	for _, size := range [][2]int{{1280, 720}, {1920, 1080}} {
		ctx := b.tab()
		run(t, ctx, 60*time.Second,
			chromedp.EmulateViewport(int64(size[0]), int64(size[1])),
			chromedp.Navigate(a.URL+"/present?interval=600"),
			chromedp.Poll(`document.querySelector('.live').dataset.state === 'live' &&
			  document.querySelector('.slides').dataset.slide === 'overview'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		)
		// The opening slide has no chart: the projector paints and goes
		// live without ECharts, which comes with the first chart shown.
		var early bool
		run(t, ctx, 5*time.Second, chromedp.Evaluate(`typeof echarts !== 'undefined' || !!document.querySelector('script[src*="echarts"]')`, &early))
		if early {
			t.Errorf("%dx%d: ECharts loaded while the opening slide, which has no chart, is shown", size[0], size[1])
		}
		var slides []string
		run(t, ctx, 5*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('.slide')].map(s => s.dataset.slide)`, &slides))
		for i, name := range slides {
			var got struct {
				Doc, View, Canvas, CanvasBottom, Inst float64
			}
			show := fmt.Sprintf(`document.querySelectorAll('.slide').forEach((s, j) => { s.hidden = j !== %d; })`, i)
			// The chart is drawn (the focus slide's too) and ECharts has
			// followed its box to the slide's height.
			drawn := reachCharts + ` && (() => { const c = document.querySelector('.slide:not([hidden]) .chart-canvas');
			  if (!c) return true;
			  const f = c.closest('figure'); const inst = window.echarts && echarts.getInstanceByDom(c);
			  return f.dataset.state === 'ready' && inst && Math.abs(inst.getHeight() - c.clientHeight) < 1 && c.clientHeight > 0; })()`
			run(t, ctx, 30*time.Second,
				chromedp.Evaluate(show, nil),
				chromedp.Poll(drawn, nil, chromedp.WithPollingTimeout(20*time.Second)),
				chromedp.Evaluate(`(() => { const c = document.querySelector('.slide:not([hidden]) .chart-canvas');
				  return {Doc: document.documentElement.scrollHeight, View: innerHeight,
				    Canvas: c ? c.clientHeight : 0, CanvasBottom: c ? c.getBoundingClientRect().bottom : 0}; })()`, &got),
			)
			if got.Doc != got.View {
				t.Errorf("%dx%d, slide %s: the page is %.0f px high, the screen %.0f px", size[0], size[1], name, got.Doc, got.View)
			}
			if name != "overview" && name != "distances" && (got.Canvas < float64(size[1])/3 || got.CanvasBottom > got.View) {
				t.Errorf("%dx%d, slide %s: chart %.0f px high, ends at %.0f of %.0f", size[0], size[1], name, got.Canvas, got.CanvasBottom, got.View)
			}
		}
	}
	b.checkNoErrors()
}

// TestBrowserEmbedChartFillsFrame: the embedded chart page fills the
// frame's height, so the source line and the hwfdash link are in view at
// the height the embed snippet suggests, and the snippet gives the long
// charts (all 53 Member States) more height than the others.
func TestBrowserEmbedChartFillsFrame(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	// The snippet's heights, read from a page that has all these charts.
	ctx := b.tab()
	var heights map[string]float64
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/indicators/hwf_dnm"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		// The map tab's charts draw when it is shown (charts load as they
		// come into view).
		chromedp.Click(`#tab-map`, chromedp.ByQuery),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`Object.fromEntries([...document.querySelectorAll('figure.chart[data-state="ready"]')].map(f =>
		  [f.dataset.chart, Number((f.querySelector('.embed-box textarea').value.match(/height="(\d+)"/) || [])[1])]))`, &heights),
	)
	if heights["ranking"] <= heights["trend"] || heights["trend"] < 480 {
		t.Errorf("embed snippet heights %v: want ranking taller than trend, none under 480", heights)
	}
	embeds := map[string]string{
		"trend":   "/embed/charts/trend?indicator=hwf_dnm",
		"ranking": "/embed/charts/ranking?indicator=hwf_dnm",
		"map":     "/embed/charts/map?indicator=hwf_dnm",
		"code":    "/embed/charts/code",
	}
	for chart, path := range embeds {
		for _, w := range []int64{700, 390} {
			h := int64(heights[chart])
			if chart == "code" {
				h = int64(heights["ranking"])
			}
			if h == 0 {
				h = 560
			}
			ctx := b.tab()
			var got struct{ Doc, View, Credit, Canvas float64 }
			run(t, ctx, 60*time.Second,
				chromedp.EmulateViewport(w, h),
				chromedp.Navigate(a.URL+path),
				chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
				chromedp.Evaluate(`({Doc: document.documentElement.scrollHeight, View: innerHeight,
				  Credit: document.querySelector('.embed-credit').getBoundingClientRect().bottom,
				  Canvas: document.querySelector('.chart-canvas').clientHeight})`, &got),
			)
			if got.Doc > got.View || got.Credit > got.View {
				t.Errorf("%s at %dx%d: page %.0f px high, credit ends at %.0f, frame %.0f", chart, w, h, got.Doc, got.Credit, got.View)
			}
			if got.Canvas < got.View/2 {
				t.Errorf("%s at %dx%d: chart only %.0f px high", chart, w, h, got.Canvas)
			}
		}
	}
	b.checkNoErrors()
}

// TestBrowserCheckboxBesideItsWords: the explorer's checkboxes sit at the
// start of their words' first line, as a reader expects a checkbox. The
// controls' labels stack a field under its name, and had stacked the
// checkboxes too, each alone in a box of a text field's width above its
// words.
func TestBrowserCheckboxBesideItsWords(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	for _, width := range []int64{390, 1280} {
		ctx := b.tab()
		var wrong []string
		run(t, ctx, 60*time.Second,
			chromedp.EmulateViewport(width, 900),
			chromedp.Navigate(a.URL+"/indicators/HWF_0001?lang=fr"),
			chromedp.Poll(`document.readyState === 'complete'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
			chromedp.Evaluate(`[...document.querySelectorAll('.explorer-controls input[type=checkbox]')].flatMap(box => {
			  const words = [...box.parentElement.childNodes].find(n => n.nodeType === 3 && n.textContent.trim());
			  const r = document.createRange(); r.selectNodeContents(words);
			  const line = r.getClientRects()[0], c = box.getBoundingClientRect();
			  const ok = c.width <= 30 && c.right <= line.left + 1 && c.bottom > line.top && c.top < line.bottom;
			  return ok ? [] : [words.textContent.trim() + ': box ' + [c.left, c.top, c.width].map(Math.round) + ', words ' + [line.left, line.top].map(Math.round)];
			})`, &wrong),
		)
		if len(wrong) > 0 {
			t.Errorf("%d px: checkboxes apart from their words: %v", width, wrong)
		}
	}
	b.checkNoErrors()
}
