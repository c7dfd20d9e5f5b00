package server_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// browser is a headless Debian Chromium that can reach only loopback.
type browser struct {
	t      *testing.T
	ctx    context.Context
	mu     sync.Mutex
	errors []string
}

func newBrowser(t *testing.T) *browser {
	t.Helper()
	return newBrowserWith(t)
}

func newBrowserWith(t *testing.T, extra ...chromedp.ExecAllocatorOption) *browser {
	t.Helper()
	skipShort(t, "browser") // for a browser test that forgot to say so first
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "true" {
			t.Skip("chromium not installed (apt-get install -y chromium)")
		}
		t.Fatal("chromium not installed")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		// Every host but loopback fails to resolve: a page that needs the
		// internet (a CDN, a web font) breaks the test.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.UserDataDir(profileDir(t)),
		chromedp.WindowSize(1280, 1600),
	}
	opts = append(opts, extra...)
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancel2 := chromedp.NewContext(actx)
	t.Cleanup(cancel2)
	b := &browser{t: t, ctx: ctx}
	b.listen(ctx)
	if err := chromedp.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return b
}

// profileDir is a fresh Chromium profile directory, removed when the test
// ends. Chromium's helper processes may still be writing into it for a
// moment after the browser has gone (t.TempDir's removal then failed the
// test with "directory not empty"): the removal is retried, and a profile
// left behind is logged, not a failure of what the test checked.
func profileDir(t *testing.T) string {
	dir, err := os.MkdirTemp("", "hwfdash-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for i := 0; ; i++ {
			err := os.RemoveAll(dir)
			if err == nil {
				return
			}
			if i == 50 {
				t.Logf("chromium profile %s left behind: %v", dir, err)
				return
			}
			time.Sleep(100 * time.Millisecond) // nothing to await: the helpers are not ours
		}
	})
	return dir
}

// listen records console errors and uncaught exceptions of a tab.
func (b *browser) listen(ctx context.Context) {
	chromedp.ListenTarget(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventConsoleAPICalled:
			if e.Type == runtime.APITypeError {
				var parts []string
				for _, a := range e.Args {
					parts = append(parts, string(a.Value)+a.Description)
				}
				b.mu.Lock()
				b.errors = append(b.errors, "console.error: "+strings.Join(parts, " "))
				b.mu.Unlock()
			}
		case *runtime.EventExceptionThrown:
			b.mu.Lock()
			b.errors = append(b.errors, "exception: "+e.ExceptionDetails.Text+" "+describe(e.ExceptionDetails.Exception))
			b.mu.Unlock()
		}
	})
}

func describe(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	return o.Description
}

func (b *browser) checkNoErrors() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.errors) > 0 {
		b.t.Fatalf("browser errors:\n%s", strings.Join(b.errors, "\n"))
	}
}

// tab opens another tab in the same browser and brings it to the front:
// background tabs are throttled and cannot be captured.
func (b *browser) tab() context.Context {
	ctx, cancel := chromedp.NewContext(b.ctx)
	b.t.Cleanup(cancel)
	b.listen(ctx)
	if err := chromedp.Run(ctx, chromedp.ActionFunc(func(ctx context.Context) error { return page.BringToFront().Do(ctx) })); err != nil {
		b.t.Fatal(err)
	}
	return ctx
}

func front(ctx context.Context) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error { return page.BringToFront().Do(ctx) })
}

func run(t *testing.T, ctx context.Context, timeout time.Duration, actions ...chromedp.Action) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	if err := chromedp.Run(ctx, actions...); err != nil {
		t.Fatal(err)
	}
}

// renderSections lays out every section of the page now (app.css lays a
// page's sections out only near the screen: content-visibility), so that
// innerText has the text of the whole page, as a reader scrolling it
// would see. A statement.
const renderSections = `document.querySelectorAll('main > section').forEach(s => { s.style.contentVisibility = 'visible'; });`

// drawnOption is the option a figure's chart shows: ECharts' on the page,
// or, while it shows its first frame (a hidden tab's chart stays a picture
// when updated), the payload's the picture was drawn from. sel is a
// selector literal.
func drawnOption(sel string) string {
	return fmt.Sprintf(`((f) => { const i = window.echarts && echarts.getInstanceByDom(f.querySelector('.chart-canvas'));
	  return i ? i.getOption() : f._res.option; })(document.querySelector(%q))`, sel)
}

// reachCharts is a reader reaching for every chart that shows its first
// frame (charts.js: a picture drawn in a worker): each is handed to
// ECharts on the page, whose drawing the tests inspect. An expression
// that is true.
const reachCharts = `([...document.querySelectorAll('figure.chart[data-engine="frame"]')].forEach(f => f.dispatchEvent(new PointerEvent('pointerover', {bubbles: true}))), true)`

// chartsReady waits until every chart on the page has been drawn by
// ECharts. Charts load as they come into view, so it scrolls to each one
// still waiting ("offscreen"), as a reader would, reaches for each first
// frame, and goes back to the top once all are drawn.
const chartsReady = `(() => {
  const figs = [...document.querySelectorAll('figure.chart')].filter(f => !f.closest('[hidden]') && f.dataset.state !== 'idle');
  const waiting = figs.find(f => f.dataset.state === 'offscreen');
  if (waiting) { waiting.scrollIntoView(); return false; }
  ` + reachCharts + `;
  const ready = figs.length > 0 && figs.every(f => f.dataset.state === 'ready' && f.dataset.engine === 'echarts' &&
    window.echarts && echarts.getInstanceByDom(f.querySelector('.chart-canvas')));
  if (ready) window.scrollTo(0, 0);
  return ready;
})()`

// chartsPainted waits until every drawn chart has finished its animation
// and the headline figures are filled in, so a screenshot is complete.
const chartsPainted = `[...document.querySelectorAll('figure.chart')].filter(f => !f.closest('[hidden]') && f.dataset.state === 'ready')
  .every(f => f.dataset.painted === 'true') &&
  [...document.querySelectorAll('.headline [data-field]')].filter(e => !e.closest('[hidden]')).every(e => e.textContent !== '…')`

// chartState describes each drawn chart: its name, number of series with
// data, and number of table rows.
const chartState = `[...document.querySelectorAll('figure.chart')].filter(f => f.dataset.state === 'ready').map(f => {
  // A chart still showing its first frame (a hidden tab's) drew its payload's option.
  const inst = window.echarts && echarts.getInstanceByDom(f.querySelector('.chart-canvas'));
  const opt = inst ? inst.getOption() : f._res.option;
  const withData = opt.series.filter(s => (s.data || []).some(d => d !== '-' && d !== null && (d.value === undefined || d.value !== '-'))).length;
  return {chart: f.dataset.chart, query: f.dataset.query, series: withData, rows: f.querySelectorAll('.chart-table tbody tr').length,
    sources: f.querySelector('.sources').textContent, cite: !!f.querySelector('.cite')};
})`

type drawn struct {
	Chart  string `json:"chart"`
	Query  string `json:"query"`
	Series int    `json:"series"`
	Rows   int    `json:"rows"`
	// Sources is the caption's sources line; Cite whether the figure
	// has a "Cite this view" with the full list.
	Sources string `json:"sources"`
	Cite    bool   `json:"cite"`
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	var png []byte
	run(t, ctx, 30*time.Second, front(ctx),
		chromedp.Poll(chartsPainted, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.FullScreenshot(&png, 80))
	dir := filepath.Join("..", "testdata", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name+".jpg"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestBrowserPages(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	pages := map[string]string{
		"overview":  "/",
		"country":   "/countries/AUT",
		"indicator": "/indicators/HWF_0001?countries=AUT,DEU&time=2000..2023",
		"map-tab":   "/indicators/hwf_dnm?tab=map&year=2020",
		"milestone": "/milestones",
		"embed":     "/embed/countries/MLT",
	}
	for name, path := range pages {
		t.Run(name, func(t *testing.T) {
			ctx := b.tab()
			var charts []drawn
			run(t, ctx, 60*time.Second,
				chromedp.Navigate(a.URL+path),
				chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
				chromedp.Evaluate(chartState, &charts),
			)
			if len(charts) == 0 {
				t.Fatal("no chart drawn")
			}
			for _, c := range charts {
				if c.Series == 0 {
					t.Errorf("%s chart has no data", c.Chart)
				}
				var api chartResult
				getJSON(t, a.URL+"/api/v1/charts/"+c.Chart+"?"+c.Query, &api)
				if c.Rows != len(api.Table.Rows) {
					t.Errorf("%s: the page's table has %d rows, the API %d", c.Chart, c.Rows, len(api.Table.Rows))
				}
				// The caption names six sources at most and says how many
				// it leaves out, and where they are.
				if n := len(api.Sources); n > 6 {
					want := fmt.Sprintf("(+%d more", n-6)
					if c.Cite {
						want = fmt.Sprintf("(+%d more: see “Cite this view”)", n-6)
					}
					if !strings.Contains(c.Sources, want) {
						t.Errorf("%s: %d sources, caption %q lacks %q", c.Chart, n, c.Sources, want)
					}
				} else if n > 0 && !strings.Contains(c.Sources, api.Sources[n-1]) {
					t.Errorf("%s: caption %q lacks the source %q", c.Chart, c.Sources, api.Sources[n-1])
				}
			}
			screenshot(t, ctx, name)
			b.checkNoErrors()
		})
	}
}

// TestBrowserLiveUpdate opens the explorer's table and the chart, posts a
// figure, and waits for both to show it without a reload.
func TestBrowserLiveUpdate(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	var loadID string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/indicators/HWF_0001?countries=AUT&time=2015..2026&tab=table"),
		// The chart draws when its tab is first shown (charts load as they
		// come into view); once drawn it follows updates while hidden.
		chromedp.Poll(`document.querySelector('table.data-table').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Click(`#tab-chart`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('figure[data-chart="trend"]').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Click(`#tab-table`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('table.data-table').dataset.state === 'ready' && document.querySelector('.live').dataset.state === 'live' && document.querySelector('figure[data-chart="trend"]').dataset.state === 'ready'`,
			nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`window.__loadId`, &loadID),
	)
	if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2025, Value: 77.7, Source: "live test"}); status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	var after string
	run(t, ctx, 10*time.Second,
		// The bound: visible within 2 seconds, no reload.
		chromedp.Poll(`document.querySelector('table.data-table').textContent.includes('77.7') &&
			`+drawnOption(`figure[data-chart="trend"]`)+`.series.some(s => s.data.some(d => d === 77.7 || (d && d.value === 77.7)))`,
			nil, chromedp.WithPollingTimeout(2*time.Second)),
		chromedp.Evaluate(`window.__loadId`, &after),
	)
	if after != loadID {
		t.Fatal("the page reloaded")
	}
	b.checkNoErrors()
}

// TestBrowserPhone checks the 375 px layout: nothing wider than the screen.
func TestBrowserPhone(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	for _, path := range []string{"/", "/countries/DEU", "/indicators/HWF_0006?countries=FRA,ITA", "/milestones"} {
		ctx := b.tab()
		var width int
		var titles []string
		run(t, ctx, 60*time.Second,
			chromedp.EmulateViewport(375, 800),
			chromedp.Navigate(a.URL+path),
			chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
			chromedp.Evaluate(`document.documentElement.scrollWidth`, &width),
			// Every chart in view ends its title within its canvas (with an
			// ellipsis); a hidden tab's chart does when shown (ResizeObserver).
			chromedp.Evaluate(`[...document.querySelectorAll('.chart-canvas')].filter(c => echarts.getInstanceByDom(c) && c.clientWidth > 0).map(c => {
				const t = [].concat(echarts.getInstanceByDom(c).getOption().title || [])[0] || {};
				const ts = t.textStyle || {};
				return ts.overflow === 'truncate' && ts.width > 0 && ts.width <= c.clientWidth ? 'fits' : 'title ' + JSON.stringify(ts) + ' in ' + c.clientWidth + ' px';
			})`, &titles),
		)
		if width > 375 {
			t.Errorf("%s is %d px wide at 375 px", path, width)
		}
		for _, s := range titles {
			if s != "fits" {
				t.Errorf("%s: %s", path, s)
			}
		}
		if len(titles) == 0 {
			t.Errorf("%s: no chart drawn", path)
		}
		if path == "/" {
			screenshot(t, ctx, "phone-overview")
		}
	}
	b.checkNoErrors()
}

// TestBrowserPresenterControl opens two projector screens and drives them
// from the control page's protocol: both follow.
func TestBrowserPresenterControl(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	screens := []context.Context{b.tab(), b.tab()}
	for _, ctx := range screens {
		// The whole screen is black, also below a slide shorter than it.
		var bg string
		// The tab opened last is in front; a tab behind it runs no
		// animation frames, which chromedp's Poll waits on.
		run(t, ctx, 60*time.Second,
			front(ctx),
			chromedp.Navigate(a.URL+"/present?interval=600"),
			chromedp.Poll(`document.querySelector('.live').dataset.state === 'live'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
			chromedp.Evaluate(`getComputedStyle(document.documentElement).backgroundColor`, &bg),
		)
		if bg != "rgb(0, 0, 0)" {
			t.Errorf("projector page background %q, want black to the bottom of the screen", bg)
		}
	}
	ctl := b.tab()
	run(t, ctl, 60*time.Second,
		chromedp.Navigate(a.URL+"/present/control"),
		chromedp.Poll(`document.querySelector('.live').dataset.state === 'live'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.SendKeys(`input[name="token"]`, adminToken),
		chromedp.SetValue(`select[name="country"]`, "MLT"),
		chromedp.Click(`button[data-cmd="country"]`),
	)
	for i, ctx := range screens {
		var visible string
		run(t, ctx, 10*time.Second,
			front(ctx),
			chromedp.Poll(`document.body.dataset.lastControl === 'country:MLT'`, nil, chromedp.WithPollingTimeout(5*time.Second)),
			chromedp.Poll(`document.querySelector('.slide[data-slide="focus"] figure').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(20*time.Second)),
			chromedp.Evaluate(`[...document.querySelectorAll('.slide')].filter(s => !s.hidden).map(s => s.dataset.slide).join()`, &visible),
		)
		if visible != "focus" {
			t.Errorf("screen %d shows %q, want the focus slide", i, visible)
		}
		if i == 0 {
			screenshot(t, ctx, "present")
		}
	}
	b.checkNoErrors()
}

// TestBrowserAccessibility runs axe-core (served from our own assets) on
// each page: no serious or critical violations.
func TestBrowserAccessibility(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	axe := loadAssets(t).Path("axe.min.js")
	for _, path := range []string{"/", "/countries/AUT", "/indicators/HWF_0001?countries=AUT", "/milestones", "/submit", "/present/control",
		"/roadmap", "/experiences", "/indicators", "/indicators/mig_nurses_foreign_trained_pct", "/submit?indicator=dist_doctors_rural_pct", "/admin/import"} {
		ctx := b.tab()
		var res string
		run(t, ctx, 90*time.Second,
			chromedp.Navigate(a.URL+path),
			chromedp.Poll(`document.readyState === 'complete' && [...document.querySelectorAll('figure.chart')].every(f => f.dataset.state !== 'loading')`, nil, chromedp.WithPollingTimeout(45*time.Second)),
			chromedp.Evaluate(fmt.Sprintf(`new Promise((ok, fail) => { const s = document.createElement('script'); s.src = %q; s.onload = ok; s.onerror = fail; document.head.appendChild(s); })`, axe), nil,
				func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
			// target-size (WCAG 2.2, off in axe by default, on in
			// Lighthouse): a finger needs 24 px to tap what opens or follows.
			chromedp.Evaluate(`axe.run(document, {resultTypes: ['violations'], rules: {'target-size': {enabled: true}}}).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}))))`, &res,
				func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		)
		var violations []any
		if err := json.Unmarshal([]byte(res), &violations); err != nil {
			t.Fatal(err)
		}
		if len(violations) > 0 {
			t.Errorf("%s: %s", path, res)
		}
	}
	b.checkNoErrors()
}

// TestBrowserEmbedCrossOrigin frames an embed from another origin (another
// port) and checks that it loads, updates live, and that a non-embed page
// refuses to be framed.
func TestBrowserEmbedCrossOrigin(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	host := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><title>Ministry site</title>
<iframe id="embed" src="%s/embed/charts/ranking?indicator=HWF_0001&year=2022" width="800" height="900"></iframe>
<iframe id="page" src="%s/countries/AUT" width="400" height="300"></iframe>`, a.URL, a.URL)
	}))
	defer host.Close()
	// Reading the frames' documents from the host page needs the same-origin
	// policy off in this test browser; framing rules (CSP frame-ancestors,
	// X-Frame-Options) are still enforced.
	b := newBrowserWith(t, chromedp.Flag("disable-web-security", true), chromedp.Flag("disable-site-isolation-trials", true))
	ctx := b.tab()
	embedReady := `(() => { const d = document.getElementById('embed').contentDocument; const f = d && d.querySelector('figure.chart');
	  return !!f && f.dataset.state === 'ready' && d.querySelector('.live') === null; })()`
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(host.URL),
		chromedp.Poll(embedReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
	)
	_, v := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "ALB", Year: 2022, Value: 88.8, Source: "embed test"})
	run(t, ctx, 20*time.Second,
		chromedp.Poll(fmt.Sprintf(`Number(document.getElementById('embed').contentDocument.querySelector('figure.chart').dataset.version) >= %d`, v),
			nil, chromedp.WithPollingTimeout(10*time.Second)),
	)
	var framed bool
	run(t, ctx, 10*time.Second, chromedp.Evaluate(`(() => { const d = document.getElementById('page').contentDocument;
	  return !!(d && d.querySelector('figure.chart')); })()`, &framed))
	if framed {
		t.Fatal("a non-embed page was rendered inside another site's frame")
	}
	resp := getJSON(t, a.URL+"/embed/countries/AUT", nil)
	if resp.Header.Get("X-Frame-Options") != "" || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "frame-ancestors *") ||
		resp.Header.Get("Set-Cookie") != "" {
		t.Fatalf("embed headers: XFO %q CSP %q cookie %q", resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"), resp.Header.Get("Set-Cookie"))
	}
	b.checkNoErrors()
}

// TestBrowserSubmitForm submits through the ministry form: every row error
// is shown, and a valid submission is stored.
func TestBrowserSubmitForm(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	_, secret := createToken(t, a.URL, "Ministry of Health, Estonia", "EST")
	b := newBrowser(t)
	ctx := b.tab()
	var shown string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/submit"),
		chromedp.SendKeys(`input[name="token"]`, secret),
		chromedp.SetValue(`textarea[name="csv"]`, "iso3,indicator,year,value,source\nEST,HWF_0001,2025,-3,Statistics Estonia\nLVA,HWF_0001,2025,30,x\n"),
		chromedp.Click(`.submit-form button[type="submit"]`),
		chromedp.Poll(`document.querySelectorAll('.submit-errors tbody tr').length >= 2`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`.submit-result`, &shown),
	)
	if !strings.Contains(shown, "Line 2") || !strings.Contains(shown, "Line 3") || !strings.Contains(shown, "Country") || strings.Contains(shown, "iso3") {
		t.Fatalf("form shows %q", shown)
	}
	run(t, ctx, 30*time.Second,
		chromedp.SetValue(`textarea[name="csv"]`, "iso3,indicator,year,value,source\nEST,HWF_0001,2025,36.5,Statistics Estonia\n"),
		chromedp.Click(`.submit-form button[type="submit"]`),
		chromedp.Poll(`document.querySelector('.submit-result .ok') !== null`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if v, _ := latestValue(t, a.URL, "HWF_0001", "EST", 2025); v != 36.5 {
		t.Fatalf("stored %v, want 36.5", v)
	}
	var url string
	run(t, ctx, 5*time.Second, chromedp.Location(&url))
	if strings.Contains(url, secret) {
		t.Fatal("the token ended up in the URL")
	}
	b.checkNoErrors()
}

// TestBrowserDownloads checks the chart's downloads: the "CSV (shown)" file
// has exactly the rows of the chart API's table, the full CSV link is the
// API's CSV export, and the PNG export produces an image.
func TestBrowserDownloads(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	var href, full, png string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/indicators/HWF_0010?countries=MLT,CYP&time=2010..2020"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.AttributeValue(`figure[data-chart="trend"] a.csv-shown`, "href", &href, nil),
		chromedp.AttributeValue(`a.csv-full`, "href", &full, nil),
		chromedp.Evaluate(`echarts.getInstanceByDom(document.querySelector('figure[data-chart="trend"] .chart-canvas')).getDataURL({type: 'png'})`, &png),
	)
	csvText, err := url.PathUnescape(strings.TrimPrefix(href, "data:text/csv;charset=utf-8,"))
	if err != nil {
		t.Fatal(err)
	}
	shown, err := csv.NewReader(strings.NewReader(csvText)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var api chartResult
	getJSON(t, a.URL+"/api/v1/charts/trend?indicator=HWF_0010&countries=MLT,CYP&time=2010..2020", &api)
	if len(shown) != len(api.Table.Rows)+1 || strings.Join(shown[0], ",") != strings.Join(api.Table.Columns, ",") {
		t.Fatalf("CSV has %d lines and header %v; API table %d rows, columns %v", len(shown), shown[0], len(api.Table.Rows), api.Table.Columns)
	}
	for i, row := range api.Table.Rows {
		for j, v := range row {
			want := ""
			switch x := v.(type) {
			case nil:
			case float64:
				want = strconv.FormatFloat(x, 'f', -1, 64)
			default:
				want = fmt.Sprint(x)
			}
			if shown[i+1][j] != want {
				t.Fatalf("row %d column %s: CSV %q, API %q", i, api.Table.Columns[j], shown[i+1][j], want)
			}
		}
	}
	if resp := getJSON(t, a.URL+full, nil); resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("full CSV %s: %d %s", full, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if !strings.HasPrefix(png, "data:image/png;base64,") || len(png) < 1000 {
		t.Fatalf("PNG export: %.40s (%d bytes)", png, len(png))
	}
	b.checkNoErrors()
}
