package server_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

// frameState describes the first chart of a page: how it is drawn (its
// figure's data-engine), whether ECharts is on the page at all, and its
// first frame's picture, read back from the page.
const frameState = `(async () => {
  const f = document.querySelector('figure.chart'); const c = f.querySelector('.chart-canvas');
  const img = c.querySelector('img.chart-frame');
  const svg = img ? await fetch(img.src).then(r => r.text()) : '';
  return {Engine: f.dataset.engine || '', Painted: f.dataset.painted === 'true', State: f.dataset.state,
    ECharts: !!window.echarts || [...document.scripts].some(s => /echarts/.test(s.src)),
    Img: !!img, ImgW: img ? img.naturalWidth : 0, ImgH: img ? img.naturalHeight : 0,
    CanvasW: c.clientWidth, CanvasH: c.clientHeight, SVG: svg,
    Sources: f.querySelector('.sources').textContent, Rows: f.querySelectorAll('.chart-table tbody tr').length,
    Instance: !!(window.echarts && echarts.getInstanceByDom(c))};
})()`

type frameInfo struct {
	Engine, State, SVG, Sources string
	Painted, ECharts, Img       bool
	ImgW, ImgH                  float64
	CanvasW, CanvasH            float64
	Rows                        int
	Instance                    bool
}

// firstFramed waits until the page's first chart shows its first frame.
const firstFramed = `(() => { const f = document.querySelector('figure.chart');
  return f && f.dataset.state === 'ready' && f.dataset.engine === 'frame' && f.dataset.painted === 'true'; })()`

// hydrated waits until ECharts on the page has drawn the first chart.
const hydrated = `(() => { const f = document.querySelector('figure.chart');
  return f.dataset.engine === 'echarts' && f.dataset.painted === 'true' && !!window.echarts &&
    !!echarts.getInstanceByDom(f.querySelector('.chart-canvas')) && !f.querySelector('img.chart-frame'); })()`

// TestBrowserFirstFrames: a chart in view at load is first drawn by ECharts
// in a worker and shown as a picture, without ECharts on the page (a
// phone's main thread never runs it while the page loads); the picture is
// that chart at the canvas's size, and the figure around it (table,
// sources) is filled. The chart is handed to ECharts on the page when the
// reader reaches for it, when a live update changes it, and to export it;
// without the worker, ECharts draws it directly.
func TestBrowserFirstFrames(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	const country = "/countries/DEU"

	t.Run("frame then reach", func(t *testing.T) {
		ctx := b.tab()
		var f frameInfo
		run(t, ctx, 60*time.Second,
			// The test reads the picture's blob back, which the page's
			// policy (connect-src 'self') does not allow the page itself.
			page.SetBypassCSP(true),
			chromedp.EmulateViewport(412, 823),
			chromedp.Navigate(a.URL+country),
			chromedp.Poll(firstFramed, nil, chromedp.WithPollingTimeout(45*time.Second)),
			chromedp.Evaluate(frameState, &f, evalPromise))
		if f.ECharts {
			t.Error("ECharts was loaded on the page before the reader reached for a chart")
		}
		if !f.Img || f.ImgW <= 0 || f.ImgW != f.CanvasW || f.ImgH != f.CanvasH {
			t.Errorf("first frame: img %v, drawn at %vx%v, canvas %vx%v", f.Img, f.ImgW, f.ImgH, f.CanvasW, f.CanvasH)
		}
		// The picture is the chart: its title and its country's series.
		for _, want := range []string{"<svg", "Germany", "Regional median"} {
			if !strings.Contains(f.SVG, want) {
				t.Errorf("first frame's SVG lacks %q", want)
			}
		}
		if f.Rows == 0 || !strings.Contains(f.Sources, "WHO") {
			t.Errorf("the figure around the first frame is not filled: %d table rows, sources %q", f.Rows, f.Sources)
		}
		// The Region's rows have no ISO3, which is not a missing figure.
		var medianCodes []string
		run(t, ctx, 10*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('figure.chart .chart-table tbody tr')]
		  .filter(r => r.cells[1].textContent === 'Regional median').map(r => r.cells[0].textContent)`, &medianCodes))
		if len(medianCodes) == 0 {
			t.Error("the chart's table has no Regional median rows")
		}
		for _, c := range medianCodes {
			if c != "" {
				t.Errorf("a Regional median row's ISO3 cell reads %q, want it empty", c)
				break
			}
		}
		// A reader pointing at the chart gets ECharts (its tooltips).
		run(t, ctx, 30*time.Second,
			chromedp.Evaluate(`document.querySelector('figure.chart').dispatchEvent(new PointerEvent('pointerover', {bubbles: true})); true`, nil),
			chromedp.Poll(hydrated, nil, chromedp.WithPollingTimeout(20*time.Second)))
		b.checkNoErrors()
	})

	t.Run("live update hydrates", func(t *testing.T) {
		ctx := b.tab()
		run(t, ctx, 60*time.Second,
			chromedp.EmulateViewport(412, 823),
			// A ministry's embed of the series it submits to.
			chromedp.Navigate(a.URL+"/embed/charts/trend?indicator=HWF_0001&countries=DEU"),
			// Its subscription, made with the version drawn, is answered with
			// any newer payload: no need to wait for the connection.
			chromedp.Poll(firstFramed, nil, chromedp.WithPollingTimeout(45*time.Second)))
		if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "DEU", Year: 2025, Value: 55.5, Source: "first frame test"}); status != http.StatusCreated {
			t.Fatalf("submit: %d", status)
		}
		var updated string
		run(t, ctx, 30*time.Second,
			chromedp.Poll(hydrated+` && document.querySelector('figure.chart .chart-table').textContent.includes('55.5')`, nil, chromedp.WithPollingTimeout(20*time.Second)),
			chromedp.Evaluate(`document.querySelector('figure.chart .updated').textContent`, &updated))
		if updated == "" {
			t.Error("the figure does not say it was updated")
		}
		b.checkNoErrors()
	})

	t.Run("export hydrates", func(t *testing.T) {
		ctx := b.tab()
		run(t, ctx, 60*time.Second,
			chromedp.EmulateViewport(412, 823),
			chromedp.Navigate(a.URL+country),
			chromedp.Poll(firstFramed, nil, chromedp.WithPollingTimeout(45*time.Second)),
			// A keyboard's press: no pointer event reaches the figure first.
			chromedp.Evaluate(`window.__exported = new Promise(res => { const a = HTMLAnchorElement.prototype.click;
			  HTMLAnchorElement.prototype.click = function () { if (this.download) { res(this.href.slice(0, 22)); return; } a.call(this); }; });
			  document.querySelector('figure.chart .png').click(); true`, nil),
			chromedp.Poll(hydrated, nil, chromedp.WithPollingTimeout(20*time.Second)))
		var href string
		run(t, ctx, 20*time.Second, chromedp.Evaluate(`window.__exported`, &href, evalPromise))
		if href != "data:image/png;base64," {
			t.Errorf("the PNG export gave %q", href)
		}
	})

	t.Run("without the worker", func(t *testing.T) {
		ctx := b.tab()
		var f frameInfo
		run(t, ctx, 60*time.Second,
			// A browser without OffscreenCanvas (the worker measures text
			// with one).
			chromedp.ActionFunc(func(ctx context.Context) error {
				_, err := page.AddScriptToEvaluateOnNewDocument(`delete window.OffscreenCanvas`).Do(ctx)
				return err
			}),
			chromedp.EmulateViewport(412, 823),
			chromedp.Navigate(a.URL+country),
			chromedp.Poll(hydrated, nil, chromedp.WithPollingTimeout(45*time.Second)),
			chromedp.Evaluate(frameState, &f, evalPromise))
		if !f.Instance || f.Img {
			t.Errorf("without the worker the chart is not ECharts' (%+v)", f)
		}
	})
}
