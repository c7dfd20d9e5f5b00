package server_test

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// chartTextsJS defines texts(inst): every line of text an ECharts instance
// has drawn, read from zrender's display list, with the box its glyphs ink
// on the canvas (CSS px, after every transform, cut to its clip path) and
// the part of the chart it belongs to: the ECharts component that owns it
// (title, legend, xAxis, yAxis, visualMap, graphic, series, markLine …)
// and, for a title and an axis, which of its texts (title or subtext, name
// or tick label). The box is measured with the font, alignment and
// baseline zrender draws the line with: zrender's own bounding rect takes
// a line's height from the width of one CJK glyph, which the test browser
// draws far narrower than the text is high.
const chartTextsJS = `const texts = inst => {
  const out = [];
  const ids = new Map();
  const ctx = document.createElement('canvas').getContext('2d');
  // box is rect (x, y, w, h in e's own coordinates) on the canvas: the
  // bounds of its four corners through e's transform.
  const box = (e, x, y, w, h) => {
    const m = e.getComputedTransform() || [1, 0, 0, 1, 0, 0];
    const xs = [], ys = [];
    [[x, y], [x + w, y], [x, y + h], [x + w, y + h]].forEach(([u, v]) => { xs.push(m[0] * u + m[2] * v + m[4]); ys.push(m[1] * u + m[3] * v + m[5]); });
    return {x: Math.min(...xs), y: Math.min(...ys), width: Math.max(...xs) - Math.min(...xs), height: Math.max(...ys) - Math.min(...ys)};
  };
  const ink = e => {
    const s = e.style;
    ctx.font = s.font || '12px sans-serif';
    ctx.textAlign = s.textAlign || 'left';
    ctx.textBaseline = s.textBaseline || 'alphabetic';
    const m = ctx.measureText(String(s.text));
    return box(e, (s.x || 0) - m.actualBoundingBoxLeft, (s.y || 0) - m.actualBoundingBoxAscent,
      m.actualBoundingBoxLeft + m.actualBoundingBoxRight, m.actualBoundingBoxAscent + m.actualBoundingBoxDescent);
  };
  inst.getZr().storage.getDisplayList(true).forEach(e => {
    const text = e.style && e.style.text;
    if (typeof text !== 'string' || !text.trim() || e.style.opacity === 0) return;
    let hidden = false, comp = null;
    const owner = e.parent && e.parent.type === 'text' ? e.parent : e;
    for (let p = e; p; p = p.parent || p.__hostTarget) {
      if (p.ignore || p.invisible) hidden = true;
      if (!comp && p.__ecComponentInfo) comp = p.__ecComponentInfo;
    }
    if (hidden) return;
    let r = ink(e);
    // A scrolling legend's items past its page are clipped away.
    for (const cp of e.__clipPaths || []) {
      const b = cp.getBoundingRect(), c = box(cp, b.x, b.y, b.width, b.height);
      const x = Math.max(r.x, c.x), y = Math.max(r.y, c.y);
      const w = Math.min(r.x + r.width, c.x + c.width) - x, h = Math.min(r.y + r.height, c.y + c.height) - y;
      if (w <= 0 || h <= 0) return;
      r = {x, y, width: w, height: h};
    }
    let part = '';
    const t = comp ? comp.mainType : 'none';
    if (t === 'xAxis' || t === 'yAxis' || t === 'singleAxis') part = owner.anid === 'name' ? 'name' : 'label';
    // The title component draws its title first, then its subtitle.
    if (t === 'title') part = owner.parent && owner.parent.childrenRef().indexOf(owner) > 0 ? 'subtext' : 'title';
    if (!ids.has(owner)) ids.set(owner, ids.size);
    out.push({Comp: t + (comp ? comp.index : ''), Part: part, Owner: ids.get(owner), Text: text, X: r.x, Y: r.y, W: r.width, H: r.height});
  });
  return out;
};`

// pageChartTexts reads the texts of every chart drawn and in view on the
// page: hidden tabs and slides have no box.
const pageChartTexts = `(() => { ` + chartTextsJS + `
  return [...document.querySelectorAll('.chart-canvas')].filter(c => c.clientWidth > 0 && c.clientHeight > 0 && echarts.getInstanceByDom(c)).map(c => {
    const f = c.closest('figure');
    return {Chart: f.dataset.chart + '?' + (f.dataset.query || ''), Width: c.clientWidth, Height: c.clientHeight, Texts: texts(echarts.getInstanceByDom(c))};
  }); })()`

// chartsSized waits until every chart in view has followed its canvas's
// box (charts.js resizes on a ResizeObserver, a frame later): read before
// that, texts lie where the previous size put them.
const chartsSized = `[...document.querySelectorAll('.chart-canvas')].filter(c => c.clientWidth > 0 && c.clientHeight > 0 && window.echarts && echarts.getInstanceByDom(c))
  .every(c => { const i = echarts.getInstanceByDom(c); return Math.abs(i.getWidth() - c.clientWidth) < 1 && Math.abs(i.getHeight() - c.clientHeight) < 1; })`

// pngChartTexts arranges for the texts of fig's chart to be read just as
// the PNG export takes its picture (inside getDataURL, after the export
// has set the chart up for it), then presses the figure's PNG button.
// window.__pngTexts holds them once the export has run.
func pngChartTexts(fig int) string {
	return fmt.Sprintf(`(() => { %s
  const f = document.querySelectorAll('figure.chart')[%d]; const c = f.querySelector('.chart-canvas'); const inst = echarts.getInstanceByDom(c);
  window.__pngTexts = null;
  const take = inst.getDataURL;
  inst.getDataURL = function (o) {
    inst.getDataURL = take;
    window.__pngTexts = {Chart: 'PNG ' + f.dataset.chart + '?' + (f.dataset.query || ''), Width: c.clientWidth, Height: c.clientHeight, Texts: texts(inst)};
    return take.call(this, o);
  };
  f.querySelector('button.png').click();
  return true; })()`, chartTextsJS, fig)
}

// pngFigures lists the figures drawn and in view that have a PNG button.
const pngFigures = `[...document.querySelectorAll('figure.chart')].map((f, i) => f.dataset.state === 'ready' && f.querySelector('button.png') && f.querySelector('.chart-canvas').clientWidth > 0 ? i : -1).filter(i => i >= 0)`

type chartText struct {
	Comp, Part, Text string
	Owner            int
	X, Y, W, H       float64
}

type chartTexts struct {
	Chart         string
	Width, Height float64
	Texts         []chartText
}

// overprintTolerance is how far, in CSS px each way, two texts' boxes may
// meet: a box is the text's line height, a little taller than its glyphs.
const overprintTolerance = 2

// overprints lists the pairs of texts of a chart that overprint each
// other. Lines of one text never do, and the tick labels of one axis are
// left to ECharts, which thins them where they would meet; every other
// pair is compared: an axis's name with its own tick labels, with the
// title's source line and with everything else, the title with its
// subtitle and the legend, one data label with another.
func overprints(c chartTexts) []string {
	var out []string
	key := func(x chartText) string { return x.Comp + ":" + x.Part }
	for i, p := range c.Texts {
		for _, q := range c.Texts[i+1:] {
			if p.Owner == q.Owner || (p.Part == "label" && key(p) == key(q)) {
				continue
			}
			w := math.Min(p.X+p.W, q.X+q.W) - math.Max(p.X, q.X)
			h := math.Min(p.Y+p.H, q.Y+q.H) - math.Max(p.Y, q.Y)
			if w > overprintTolerance && h > overprintTolerance {
				out = append(out, fmt.Sprintf("%s %q at %.0f,%.0f %.0fx%.0f overprints %s %q at %.0f,%.0f %.0fx%.0f by %.0fx%.0f px",
					key(p), short(p.Text), p.X, p.Y, p.W, p.H, key(q), short(q.Text), q.X, q.Y, q.W, q.H, w, h))
			}
		}
	}
	return out
}

func short(s string) string {
	if r := []rune(s); len(r) > 40 {
		return string(r[:40]) + "…"
	}
	return s
}

// checkOverprints fails the test for each overprint in the charts read,
// and for a reading with no chart or a chart without text (a reading that
// could not see what it checks).
func checkOverprints(t *testing.T, where string, charts []chartTexts) {
	t.Helper()
	if len(charts) == 0 {
		t.Errorf("%s: no chart read", where)
	}
	for _, c := range charts {
		parts := map[string]bool{}
		for _, x := range c.Texts {
			parts[strings.TrimRight(x.Comp, "0123456789")+":"+x.Part] = true
		}
		if !parts["title:title"] {
			t.Errorf("%s, %s: no title text read (%d texts)", where, c.Chart, len(c.Texts))
		}
		for _, o := range overprints(c) {
			t.Errorf("%s, %s (%.0fx%.0f): %s", where, c.Chart, c.Width, c.Height, o)
		}
		// A text past the canvas's edge is cut off where it leaves it.
		for _, x := range c.Texts {
			if x.X < -overprintTolerance || x.Y < -overprintTolerance || x.X+x.W > c.Width+overprintTolerance || x.Y+x.H > c.Height+overprintTolerance {
				t.Errorf("%s, %s (%.0fx%.0f): %s:%s %q at %.0f,%.0f %.0fx%.0f runs off the canvas", where, c.Chart, c.Width, c.Height, x.Comp, x.Part, short(x.Text), x.X, x.Y, x.W, x.H)
			}
		}
	}
}

// TestBrowserChartTextsDoNotOverprint: in every chart drawn, on the pages,
// on the projector's slides and in the PNG export, no text overprints
// another part's: an axis's name stays off the source line (the title's
// subtitle), the title off its subtitle and the legend, and so on. The
// texts are read from what ECharts drew (zrender's display list), not from
// the options, so a layout the server got wrong shows up here.
func TestBrowserChartTextsDoNotOverprint(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	type page struct {
		path string
		view viewport
	}
	var pages []page
	for _, path := range []string{
		"/indicators/HWF_0001?countries=AUT,DEU,FRA,ITA&time=2000..2023",
		"/indicators/HWF_0001?countries=AUT,DEU,FRA,ITA&tab=map",
		"/countries/DEU",
		"/",
		"/milestones",
		"/embed/countries/MLT",
	} {
		pages = append(pages, page{path, laptop})
	}
	// Longer words and narrower canvases: a French source line wider than
	// an 800 px tablet's canvas, a due year's label at the right edge, a
	// phone's status key that wrapped onto the plot and a map's two keys
	// on one row.
	tablet := viewport{"800x900", 800, 900}
	pages = append(pages, page{"/?lang=fr", tablet}, page{"/countries/DEU?lang=fr", tablet},
		page{"/embed/charts/ranking?indicator=hwf_dnm&lang=ru", phone}, page{"/indicators/hwf_dnm?tab=map&lang=fr", phone})
	for _, pg := range pages {
		path := pg.path
		t.Run(fmt.Sprintf("page %s at %s", path, pg.view.name), func(t *testing.T) {
			ctx := b.tab()
			var charts []chartTexts
			run(t, ctx, 90*time.Second,
				// The PNG export's picture is read, not saved: a download
				// still being written into the profile when the test ends
				// would keep its directory from being removed.
				cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorDeny),
				chromedp.EmulateViewport(pg.view.w, pg.view.h),
				chromedp.Navigate(a.URL+path),
				chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(60*time.Second)),
				chromedp.Poll(chartsPainted+" && "+chartsSized, nil, chromedp.WithPollingTimeout(20*time.Second)),
				chromedp.Evaluate(pageChartTexts, &charts),
			)
			checkOverprints(t, path, charts)
			// The PNG export redraws the chart without its subtitle: its
			// picture is checked as the export takes it.
			var figs []int
			run(t, ctx, 10*time.Second, chromedp.Evaluate(pngFigures, &figs))
			if len(figs) == 0 && !strings.HasPrefix(path, "/embed/") { // an embed has no PNG button
				t.Error("no chart with a PNG button")
			}
			for _, fig := range figs {
				var png chartTexts
				run(t, ctx, 20*time.Second,
					chromedp.Evaluate(pngChartTexts(fig), nil),
					chromedp.Poll(`window.__pngTexts`, &png, chromedp.WithPollingTimeout(10*time.Second)),
				)
				checkOverprints(t, path, []chartTexts{png})
			}
		})
	}
	// Phones and tablets: each page at each width, in one tab. The PNG
	// export is read at one phone width (it redraws the chart as drawn,
	// without the source line). A country with many milestones and events
	// (Malta), one with a long series (Germany) and one with five values
	// (Monaco); the country and chart embeds, the compact ones under 560 px;
	// the milestones' timeline and the Code chart, whose keys are wider
	// than a phone.
	phoneWidths := []int64{360, 390, 412, 600, 768}
	for _, path := range []string{
		"/countries/MLT",
		"/countries/DEU",
		"/countries/MCO",
		"/embed/countries/MLT",
		"/embed/charts/trend?indicator=hwf_dnm&countries=DEU",
		"/embed/charts/code",
		"/milestones",
		"/",
	} {
		t.Run("phone "+path, func(t *testing.T) {
			ctx, closeTab := b.openTab(t, phone.w, phone.h)
			defer closeTab()
			run(t, ctx, 5*time.Second, cdpbrowser.SetDownloadBehavior(cdpbrowser.SetDownloadBehaviorBehaviorDeny))
			for _, w := range phoneWidths {
				var charts []chartTexts
				run(t, ctx, 60*time.Second,
					chromedp.EmulateViewport(w, 800),
					chromedp.Navigate(a.URL+path),
					chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
					chromedp.Poll(chartsPainted+" && "+chartsSized, nil, chromedp.WithPollingTimeout(20*time.Second)),
					chromedp.Evaluate(pageChartTexts, &charts),
				)
				where := fmt.Sprintf("%s at %d px", path, w)
				checkOverprints(t, where, charts)
				if w != phone.w || strings.HasPrefix(path, "/embed/") {
					continue
				}
				var figs []int
				var png chartTexts
				run(t, ctx, 10*time.Second, chromedp.Evaluate(pngFigures, &figs))
				if len(figs) == 0 {
					t.Errorf("%s: no chart with a PNG button", where)
					continue
				}
				run(t, ctx, 20*time.Second,
					chromedp.Evaluate(pngChartTexts(figs[0]), nil),
					chromedp.Poll(`window.__pngTexts`, &png, chromedp.WithPollingTimeout(10*time.Second)),
				)
				checkOverprints(t, where, []chartTexts{png})
			}
		})
	}
	type screen struct {
		size [2]int64
		lang string
	}
	var screens []screen
	for _, size := range presentSizes {
		screens = append(screens, screen{size, "en"})
	}
	// German's long words at the smaller size: the Code chart's title and
	// the ranking's target label ran off the slide.
	screens = append(screens, screen{[2]int64{1280, 720}, "de"})
	for _, sc := range screens {
		size := sc.size
		t.Run(fmt.Sprintf("present %dx%d %s", size[0], size[1], sc.lang), func(t *testing.T) {
			ctx, closeTab := b.openTab(t, size[0], size[1])
			defer closeTab()
			run(t, ctx, 60*time.Second, chromedp.Navigate(a.URL+"/present?interval=600&lang="+sc.lang),
				chromedp.Poll(liveNow+` && document.querySelector('.slides').dataset.seq`, nil, chromedp.WithPollingTimeout(30*time.Second)))
			var slides []string
			run(t, ctx, 5*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('.slide')].filter(s => s.querySelector('.chart-canvas')).map(s => s.dataset.slide)`, &slides))
			if len(slides) < 4 {
				t.Fatalf("%d slides with a chart: %v", len(slides), slides)
			}
			for _, slide := range slides {
				showSlide(t, ctx, slide)
				var charts []chartTexts
				run(t, ctx, 30*time.Second,
					chromedp.Poll(reachCharts+` && document.querySelector('.slide:not([hidden]) figure.chart').dataset.painted === 'true' && `+chartsSized, nil, chromedp.WithPollingTimeout(20*time.Second)),
					chromedp.Evaluate(pageChartTexts, &charts))
				checkOverprints(t, fmt.Sprintf("%dx%d %s slide %s", size[0], size[1], sc.lang, slide), charts)
			}
		})
	}
	b.checkNoErrors()
}
