package server_test

import (
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// Issue 16, items 10–19: embeds, journalists and the public, each tried in
// Chromium at the sizes a reader meets (1920×1080, 1280×720, a 390×844
// phone, 400 px and 700 px frames).

// viewport is one screen or frame size.
type viewport struct {
	name string
	w, h int64
}

var (
	desktop   = viewport{"1920x1080", 1920, 1080}
	laptop    = viewport{"1280x720", 1280, 720}
	phone     = viewport{"390x844", 390, 844}
	frame400  = viewport{"frame400", 400, 560}
	frame700  = viewport{"frame700", 700, 700}
	allScreen = []viewport{desktop, laptop, phone}
)

// TestBrowserMetaDescriptions: every page has its own meta description in
// the page's language (Lighthouse SEO).
func TestBrowserMetaDescriptions(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	seen := map[string]string{}
	for _, lang := range []string{"en", "fr", "de", "ru"} {
		for _, path := range []string{"/", "/countries/DEU", "/indicators/HWF_0001", "/present", "/milestones", "/submit", "/countries"} {
			var desc string
			run(t, ctx, 30*time.Second,
				chromedp.Navigate(a.URL+path+"?lang="+lang),
				chromedp.Evaluate(`(document.querySelector('meta[name="description"]') || {}).content || ''`, &desc),
			)
			if len(desc) < 50 || strings.Contains(desc, "⟦") {
				t.Errorf("%s?lang=%s: meta description %q", path, lang, desc)
			}
			if other, dup := seen[desc]; dup {
				t.Errorf("%s?lang=%s has the description of %s", path, lang, other)
			}
			seen[desc] = path + "?lang=" + lang
		}
	}
	b.checkNoErrors()
}

// TestBrowserLanguageKeepsView: switching language keeps the explorer's
// state, translates group names and writes numbers the page's way.
func TestBrowserLanguageKeepsView(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	var search, group, value, href, desc string
	var tab string
	run(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(laptop.w, laptop.h),
		chromedp.Navigate(a.URL+"/indicators/HWF_0001?countries=AUT,DEU&tab=map"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		// A change made on the page is carried too.
		chromedp.Click(`#tab-table`, chromedp.ByQuery),
		chromedp.AttributeValue(`nav.langs a[hreflang="fr"]`, "href", &href, nil),
	)
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+href),
		chromedp.Poll(`document.documentElement.lang === 'fr' && document.querySelector('table.data-table').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`location.search`, &search),
		chromedp.Evaluate(`document.querySelector('h1 + p.muted').textContent`, &desc),
		chromedp.Evaluate(`document.querySelector('[role="tab"][aria-selected="true"]').dataset.tab`, &tab),
		chromedp.Evaluate(`[...document.querySelectorAll('.add-group option')].map(o => o.textContent).join('|')`, &group),
		chromedp.Evaluate(`[...document.querySelectorAll('table.data-table tbody td:nth-child(3)')].map(td => td.textContent).find(v => /\d[,.]\d/.test(v)) || ''`, &value),
	)
	for _, want := range []string{"countries=AUT%2CDEU", "tab=table", "lang=fr"} {
		if !strings.Contains(search, want) {
			t.Errorf("after switching to French the query is %q: want %s", search, want)
		}
	}
	if !strings.Contains(desc, "Densité de médecins") {
		t.Errorf("the indicator's description on the French page: %q", desc)
	}
	if tab != "table" {
		t.Errorf("French page opened on tab %q, want table", tab)
	}
	if !strings.Contains(group, "UE27") || !strings.Contains(group, "Zone euro") {
		t.Errorf("group names on the French page: %s", group)
	}
	if !strings.Contains(value, ",") || strings.Contains(value, ".") {
		t.Errorf("a decimal on the French page reads %q, want a decimal comma", value)
	}
	b.checkNoErrors()
}

// TestBrowserExplorerDefaultView: the explorer opens on a useful view with
// the years available, its country list sorted by name in the page's
// language, and a long table drawn a page at a time.
func TestBrowserExplorerDefaultView(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	var chips int
	var hint, search string
	var sorted bool
	run(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(desktop.w, desktop.h),
		chromedp.Navigate(a.URL+"/indicators/HWF_0001?lang=de"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`document.querySelectorAll('.chips li').length`, &chips),
		chromedp.Evaluate(`(document.querySelector('.years-hint') || {}).textContent || ''`, &hint),
		chromedp.Evaluate(`location.search`, &search),
		chromedp.Evaluate(`(() => { const n = [...document.querySelectorAll('.add-country option')].filter(o => o.value).map(o => o.textContent);
		  const s = [...n].sort(new Intl.Collator('de').compare); return n.length === 53 && n.every((x, i) => x === s[i]); })()`, &sorted),
	)
	if chips < 2 {
		t.Errorf("the explorer opens with %d countries", chips)
	}
	if !strings.Contains(hint, "1990") {
		t.Errorf("years hint %q", hint)
	}
	if !strings.Contains(search, "countries=") {
		t.Errorf("the default view is not in the URL: %q", search)
	}
	if !sorted {
		t.Error("the country list is not in German alphabetical order")
	}

	// The whole Region over every year: paged, the CSV complete.
	var shown, total, all int
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/indicators/HWF_0001?countries=&tab=table"),
		chromedp.Poll(`document.querySelector('table.data-table').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`document.querySelectorAll('table.data-table tbody tr').length`, &shown),
		chromedp.Evaluate(`Number(document.querySelector('table.data-table').dataset.rows)`, &total),
		chromedp.Click(`.show-all`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll('table.data-table tbody tr').length`, &all),
	)
	if shown > 100 || total < 1000 || all != total {
		t.Errorf("data table: %d rows drawn of %d, %d after show all", shown, total, all)
	}
	resp, err := http.Get(a.URL + "/api/v1/indicators/HWF_0001/data?format=csv")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if lines := strings.Count(string(body), "\n"); lines < total {
		t.Errorf("full CSV has %d lines, the table %d rows", lines, total)
	}
	b.checkNoErrors()
}

// TestBrowserMapWholeRegion: every Member State is inside the map at each
// screen size, "no data" has a key, and the Map tab outlines the selected
// countries.
func TestBrowserMapWholeRegion(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	for _, vp := range append(allScreen, frame400, frame700) {
		t.Run(vp.name, func(t *testing.T) {
			ctx := b.tab()
			path := "/indicators/hwf_dnm?tab=map&countries=KAZ,DEU"
			if vp == frame400 || vp == frame700 {
				path = "/embed/charts/map?indicator=hwf_dnm&highlight=KAZ"
			}
			var out []string
			var legend, marked string
			run(t, ctx, 60*time.Second,
				chromedp.EmulateViewport(vp.w, vp.h),
				chromedp.Navigate(a.URL+path),
				// A chart loads when it comes into view: on a phone the map
				// is below the first screen, so the reader scrolls to it.
				chromedp.Poll(reachCharts+` && (() => { const f = document.querySelector('figure[data-chart="map"]');
				  if (f && f.dataset.state === 'offscreen') f.scrollIntoView();
				  return f && f.dataset.state === 'ready' && f.dataset.painted === 'true' && f.dataset.engine === 'echarts'; })()`, nil, chromedp.WithPollingTimeout(45*time.Second)),
				chromedp.Evaluate(`fetch(document.body.dataset.geo).then(r => r.json()).then(geo => {
				  const c = document.querySelector('figure[data-chart="map"] .chart-canvas');
				  const inst = echarts.getInstanceByDom(c);
				  const top = inst.getOption().geo[0].top;
				  const bad = [];
				  for (const f of geo.features) {
				    const pts = [];
				    const walk = a => typeof a[0] === 'number' ? pts.push(a) : a.forEach(walk);
				    walk(f.geometry.coordinates);
				    // Russia runs off to the east by design: its European part counts.
				    const use = f.properties.name === 'RUS' ? pts.filter(p => p[0] < 60) : pts;
				    const lon = use.map(p => p[0]), lat = use.map(p => p[1]);
				    for (const corner of [[Math.min(...lon), Math.max(...lat)], [Math.max(...lon), Math.min(...lat)]]) {
				      const [x, y] = inst.convertToPixel({geoIndex: 0}, corner);
				      if (x < -1 || x > c.clientWidth + 1 || y < top - 1 || y > c.clientHeight + 1) { bad.push(f.properties.name + '@' + Math.round(x) + ',' + Math.round(y)); break; }
				    }
				  }
				  return bad;
				})`, &out, func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
				chromedp.Evaluate(`JSON.stringify(echarts.getInstanceByDom(document.querySelector('figure[data-chart="map"] .chart-canvas')).getOption().legend)`, &legend),
				chromedp.Evaluate(`JSON.stringify(echarts.getInstanceByDom(document.querySelector('figure[data-chart="map"] .chart-canvas')).getOption().geo[0].regions || [])`, &marked),
			)
			if len(out) > 0 {
				t.Errorf("Member States outside the map: %v", out)
			}
			if !strings.Contains(legend, "no data") {
				t.Errorf("no legend key for no data: %s", legend)
			}
			if !strings.Contains(marked, "KAZ") {
				t.Errorf("the selected country is not marked: %s", marked)
			}
			if vp != frame400 && vp != frame700 && !strings.Contains(marked, "DEU") {
				t.Errorf("the selected country is not marked: %s", marked)
			}
		})
	}
	b.checkNoErrors()
}

// TestBrowserRankingStatusNeedsValue: in the ranking's table a Member State
// without a value that year has no milestone status.
func TestBrowserRankingStatusNeedsValue(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	var bad []string
	var empty int
	run(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(laptop.w, laptop.h),
		chromedp.Navigate(a.URL+"/indicators/hwf_dnm?tab=map&year=2022"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`(() => { const f = document.querySelector('figure[data-chart="ranking"]'); const cols = f._res.table.columns;
		  const v = cols.indexOf('value'), s = cols.indexOf('status');
		  return f._res.table.rows.filter(r => r[v] === null && r[s]).map(r => r[1] + ': ' + r[s]); })()`, &bad),
		chromedp.Evaluate(`(() => { const f = document.querySelector('figure[data-chart="ranking"]'); const cols = f._res.table.columns;
		  return f._res.table.rows.filter(r => r[cols.indexOf('value')] === null).length; })()`, &empty),
	)
	if empty == 0 {
		t.Fatal("every Member State has a value in 2022: the test needs a gap")
	}
	if len(bad) > 0 {
		t.Errorf("rows without a value that have a status: %v", bad)
	}
	b.checkNoErrors()
}

// TestBrowserEmbedFrames: in a narrow frame the ranking shows its top and
// bottom with the embedding country marked, the sources folded; the
// country embed is short; the snippet offers sizes.
func TestBrowserEmbedFrames(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	for _, vp := range []viewport{frame400, frame700} {
		t.Run(vp.name, func(t *testing.T) {
			ctx := b.tab()
			var got struct {
				Bars    int
				Marked  bool
				Folded  bool
				Doc     float64
				Compact bool
				Width   float64
				Canvas  float64
			}
			run(t, ctx, 60*time.Second,
				chromedp.EmulateViewport(vp.w, vp.h),
				chromedp.Navigate(a.URL+"/embed/charts/ranking?indicator=hwf_dnm&highlight=DEU"),
				chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
				chromedp.Evaluate(`(() => { const o = echarts.getInstanceByDom(document.querySelector('.chart-canvas')).getOption();
				  const names = o.yAxis[0].data;
				  const d = document.querySelector('figcaption details.sources-fold');
				  return {Bars: names.length, Marked: names.some(n => n.startsWith('▶') && n.includes('Germany')),
				    Folded: !!d && !d.open, Doc: document.documentElement.scrollHeight, Compact: document.body.classList.contains('compact'),
				    Width: echarts.getInstanceByDom(document.querySelector('.chart-canvas')).getWidth(), Canvas: document.querySelector('.chart-canvas').getBoundingClientRect().right}; })()`, &got),
			)
			if got.Canvas > float64(vp.w) || got.Width > float64(vp.w) {
				t.Errorf("%s: chart %.0f px wide, canvas ends at %.0f px", vp.name, got.Width, got.Canvas)
			}
			if vp == frame400 {
				if !got.Compact || got.Bars > 11 || !got.Folded {
					t.Errorf("400 px frame: compact %v, %d bars, sources folded %v", got.Compact, got.Bars, got.Folded)
				}
			} else if got.Compact || got.Bars != 53 {
				t.Errorf("700 px frame: compact %v, %d bars", got.Compact, got.Bars)
			}
			if !got.Marked {
				t.Error("the highlighted country is not marked")
			}
			if vp == frame400 && got.Doc > float64(vp.h) {
				t.Errorf("400 px frame: page %.0f px high in a %d px frame", got.Doc, vp.h)
			}

			// The country embed: a short page, not 3,600 px.
			var doc float64
			run(t, ctx, 60*time.Second,
				chromedp.Navigate(a.URL+"/embed/countries/DEU"),
				chromedp.Poll(`document.querySelector('table.summary').dataset.state === 'ready' && document.querySelector('figure.chart').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
				chromedp.Evaluate(`document.documentElement.scrollHeight`, &doc),
			)
			if doc > 1000 {
				t.Errorf("country embed %.0f px high in a %d px frame", doc, vp.w)
			}
		})
	}
	// The snippet's sizes: the small frame is narrower and, for the
	// ranking, shorter than the large one.
	ctx := b.tab()
	var sizes []string
	run(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(laptop.w, laptop.h),
		chromedp.Navigate(a.URL+"/indicators/hwf_dnm?tab=map"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`(() => { const f = document.querySelector('figure[data-chart="ranking"]'); const sel = f.querySelector('.embed-size');
		  return [...sel.options].map(o => { sel.value = o.value; sel.dispatchEvent(new Event('change'));
		    const m = f.querySelector('.embed-box textarea').value.match(/width="([^"]+)" height="(\d+)"/); return o.value + ' ' + m[1] + ' ' + m[2]; }); })()`, &sizes),
	)
	if strings.Join(sizes, "|") != "small 400 560|medium 700 1000|large 100% 1000" {
		t.Errorf("snippet sizes: %v", sizes)
	}
	// A ministry reading the page in French embeds and cites the French
	// chart, and the frame it embeds speaks French.
	var snippet, cite, citeMany, framed string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/countries/DEU?lang=fr"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`document.querySelector('figure.chart .embed-box textarea').value`, &snippet),
		chromedp.Evaluate(`document.querySelector('figure.chart .cite-text').textContent`, &cite))
	// French sets its semicolon apart between the sources it cites (the
	// milestones chart cites each milestone's source).
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/milestones?lang=fr"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`document.querySelector('figure[data-chart="milestones"] .cite-text').textContent`, &citeMany))
	if !strings.Contains(citeMany, "\u00a0; E02") {
		t.Errorf("the French citation of several sources does not separate them with ' ; ': %q", citeMany)
	}
	if strings.Contains(citeMany, "?&") {
		t.Errorf("the citation's embed address has an empty query: %q", citeMany)
	}
	src := regexp.MustCompile(`src="([^"]+)"`).FindStringSubmatch(snippet)
	if src == nil || !strings.Contains(src[1], "lang=fr") {
		t.Fatalf("the French page's embed snippet: %s", snippet)
	}
	if !strings.Contains(cite, src[1]) {
		t.Errorf("the citation does not name the embedded chart %s: %s", src[1], cite)
	}
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(src[1]),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`document.documentElement.lang + ' ' + document.querySelector('figure.chart .sources').textContent`, &framed))
	if !strings.HasPrefix(framed, "fr ") || !strings.Contains(framed, "Sources") || !strings.Contains(framed, "données jusqu'à") {
		t.Errorf("the embedded chart is not in French: %q", framed)
	}
	b.checkNoErrors()
}

// TestBrowserPNGCredit: the PNG export credits the sources of the figures
// drawn (a ministry's, not the catalogue's publisher), with the permalink
// and the data version.
func TestBrowserPNGCredit(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0010", ISO3: "MLT", Year: 2025, Value: 9.9, Source: "Ministry for Health, Malta"}); status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	b := newBrowser(t)
	ctx := b.tab()
	var credit string
	var version string
	run(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(laptop.w, laptop.h),
		chromedp.Navigate(a.URL+"/indicators/HWF_0010?countries=MLT&time=2025..2025"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`document.querySelector('figure[data-chart="trend"]').dataset.version`, &version),
		chromedp.Click(`figure[data-chart="trend"] button.png`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('figure[data-chart="trend"]').dataset.exportCredit || ''`, &credit, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if !strings.Contains(credit, "Ministry for Health, Malta") || strings.Contains(credit, "Global Health Observatory") {
		t.Errorf("PNG credit %q: want the ministry, not the catalogue's publisher", credit)
	}
	if !strings.Contains(credit, "/indicators/HWF_0010?") || !strings.Contains(credit, "as_of="+version) || !strings.Contains(credit, version) {
		t.Errorf("PNG credit %q: want the permalink pinned to version %s", credit, version)
	}
	b.checkNoErrors()
}

// TestBrowserPhonePublic: on a 390×844 phone the navigation folds behind a
// menu button, the country table's caption is in view, and chart titles
// keep their year.
func TestBrowserPhonePublic(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	var head, navOpen float64
	var capRight float64
	run(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(phone.w, phone.h),
		chromedp.Navigate(a.URL+"/countries/DEU"),
		chromedp.Poll(`document.querySelector('table.summary').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`document.querySelector('main').getBoundingClientRect().top`, &head),
		chromedp.Evaluate(`document.querySelector('table.summary caption').getBoundingClientRect().right`, &capRight),
		chromedp.Click(`.menu-toggle`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector('header.site nav a[href^="/indicators"]').getBoundingClientRect().height`, &navOpen),
	)
	if head > 64 {
		t.Errorf("content starts %.0f px down on a phone", head)
	}
	if navOpen == 0 {
		t.Error("the menu button does not show the navigation")
	}
	if capRight > float64(phone.w) {
		t.Errorf("the country table's caption ends at %.0f px on a %d px screen", capRight, phone.w)
	}
	var title string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/indicators/hwf_dnm?tab=map&year=2020"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`[].concat(echarts.getInstanceByDom(document.querySelector('figure[data-chart="ranking"] .chart-canvas')).getOption().title)[0].text`, &title),
	)
	if !strings.HasPrefix(title, "2020") {
		t.Errorf("ranking title on a phone %q: the year must stay in view", title)
	}
	b.checkNoErrors()
}

// wsBarrier wraps the page's WebSocket before its scripts run, counting the
// server's "subscribed" answers: a subscription sent after the page's own is
// answered after every catch-up frame queued before it (one ordered queue
// per client), so its answer is the moment those have all been handled.
const wsBarrier = `(() => { const W = window.WebSocket; window.__sockets = []; window.__subscribed = 0;
  window.WebSocket = function (u, p) { const s = new W(u, p); window.__sockets.push(s);
    s.addEventListener('message', e => { try { if (JSON.parse(e.data).type === 'subscribed') window.__subscribed++; } catch (x) {} });
    return s; };
  window.WebSocket.prototype = W.prototype;
  ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED'].forEach(k => { window.WebSocket[k] = W[k]; }); })()`

// TestBrowserFreshLoadNotUpdated: a freshly loaded page says nothing was
// updated, even when the data version moved on since its charts were
// computed; a live update does.
func TestBrowserFreshLoadNotUpdated(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	const path = "/indicators/HWF_0001?countries=AUT&tab=map"
	// The page's charts are computed and cached at this version; a write
	// elsewhere moves the Region's version past theirs, so the page is
	// newer than its charts and its subscriptions are answered with a
	// catch-up of every topic: that catch-up is no update.
	run(t, b.tab(), 60*time.Second, chromedp.Navigate(a.URL+path), chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)))
	if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0006", ISO3: "AUT", Year: 2025, Value: 55.5, Source: "fresh-load test"}); status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	ctx := b.tab()
	var notes string
	run(t, ctx, 60*time.Second,
		chromedp.ActionFunc(func(ctx context.Context) error {
			_, err := page.AddScriptToEvaluateOnNewDocument(wsBarrier).Do(ctx)
			return err
		}),
		chromedp.EmulateViewport(desktop.w, desktop.h),
		chromedp.Navigate(a.URL+path),
		chromedp.Poll(chartsReady+` && document.querySelector('.live').dataset.state === 'live'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`window.__mark = window.__subscribed; window.__sockets[0].send(JSON.stringify({subscribe: ['milestones']})); true`, nil),
		chromedp.Poll(`window.__subscribed > window.__mark`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(`[...document.querySelectorAll('.updated')].map(u => u.textContent).join('')`, &notes),
	)
	if notes != "" {
		t.Errorf("a freshly loaded page says %q", notes)
	}
	if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2025, Value: 66.6, Source: "fresh-load test"}); status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	// The map tab is shown: its map is drawn and follows the update (the
	// trend, on the hidden chart tab, loads only when it is seen).
	run(t, ctx, 30*time.Second,
		chromedp.Poll(`document.querySelector('figure[data-chart="map"] .updated').textContent !== ''`, nil, chromedp.WithPollingTimeout(20*time.Second)),
	)
	b.checkNoErrors()
}

// TestBrowserTargetsAndLayoutShift: the "Table" and "Cite this view"
// toggles are at least 24×24 px, and /countries/DEU does not shift as its
// chart and table load.
func TestBrowserTargetsAndLayoutShift(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	var small []string
	var shift float64
	run(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(laptop.w, laptop.h),
		chromedp.Navigate(a.URL+"/countries/DEU"),
		chromedp.Evaluate(`window.__cls = 0; new PerformanceObserver(l => { for (const e of l.getEntries()) if (!e.hadRecentInput) window.__cls += e.value; }).observe({type: 'layout-shift', buffered: true})`, nil),
		chromedp.Poll(chartsPainted+` && document.querySelector('table.summary').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`[...document.querySelectorAll('details.chart-table > summary, details.cite > summary, .chart-actions button, .chart-actions a')]
		  .map(e => e.getBoundingClientRect()).filter(r => r.width > 0 && (r.width < 24 || r.height < 24)).map(r => Math.round(r.width) + 'x' + Math.round(r.height))`, &small),
		chromedp.Evaluate(`window.__cls`, &shift),
	)
	if len(small) > 0 {
		t.Errorf("targets under 24×24 px: %v", small)
	}
	if shift > 0.1 {
		t.Errorf("cumulative layout shift %.3f on /countries/DEU", shift)
	}
	b.checkNoErrors()
}
