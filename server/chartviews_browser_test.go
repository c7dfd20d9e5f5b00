package server_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// TestBrowserTrendViews toggles change since 2010 and the log scale on the
// explorer's trend, checks the chart and the permalink, and finds the
// events marked with their citations.
func TestBrowserTrendViews(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	const trendReady = `document.querySelector('figure[data-chart="trend"]').dataset.state === 'ready'`
	const trendOpt = `echarts.getInstanceByDom(document.querySelector('figure[data-chart="trend"] .chart-canvas')).getOption()`
	var yName, search, sub string
	var logDisabled bool
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/indicators/HWF_0001?countries=AUT,SMR&time=2000..2023"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Click(`input.relative`, chromedp.ByQuery),
		chromedp.Poll(trendReady+` && document.querySelector('figure[data-chart="trend"]').dataset.query.includes('relative_to=2010')`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(trendOpt+`.yAxis[0].name`, &yName),
		chromedp.Evaluate(trendOpt+`.title[0].subtext`, &sub),
		chromedp.Evaluate(`location.search`, &search),
		chromedp.Evaluate(`document.querySelector('input.log-scale').disabled`, &logDisabled),
	)
	if yName != "% change since 2010" || !strings.Contains(search, "relative_to=2010") || !logDisabled {
		t.Fatalf("after the toggle: y axis %q, search %q, log disabled %v", yName, search, logDisabled)
	}
	if !strings.Contains(sub, "San Marino") {
		t.Errorf("the subtitle does not name San Marino (no value in 2010): %q", sub)
	}
	// The permalink keeps the view.
	var checked bool
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/indicators/HWF_0001"+search),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`document.querySelector('input.relative').checked`, &checked),
		chromedp.Evaluate(trendOpt+`.yAxis[0].name`, &yName),
	)
	if !checked || yName != "% change since 2010" {
		t.Fatalf("permalink: toggle %v, y axis %q", checked, yName)
	}
	// Events: the Code's adoption and the rounds, each with its citation
	// shown by the mark line's tooltip.
	var marks struct {
		Formatter string   `json:"formatter"`
		Names     []string `json:"names"`
	}
	run(t, ctx, 30*time.Second, chromedp.Evaluate(`(() => { const ml = `+trendOpt+`.series[2].markLine;
		return {formatter: ml.tooltip.formatter, names: ml.data.map(d => d.name)}; })()`, &marks))
	all := strings.Join(marks.Names, "\n")
	if marks.Formatter != "{b}" || !strings.Contains(all, "WHA63.16") || !strings.Contains(all, "round 2 (2015) — WHA69") || !strings.Contains(all, "Base year 2010") {
		t.Errorf("mark lines: tooltip %q, names:\n%s", marks.Formatter, all)
	}
	// Log scale: off with change since, then on.
	var yType string
	run(t, ctx, 30*time.Second,
		chromedp.Click(`input.relative`, chromedp.ByQuery),
		chromedp.Click(`input.log-scale`, chromedp.ByQuery),
		chromedp.Poll(trendReady+` && document.querySelector('figure[data-chart="trend"]').dataset.query.includes('yscale=log')`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(trendOpt+`.yAxis[0].type`, &yType),
		chromedp.Evaluate(`location.search`, &search),
	)
	if yType != "log" || !strings.Contains(search, "yscale=log") || strings.Contains(search, "relative_to") {
		t.Errorf("log toggle: axis %q, search %q", yType, search)
	}
	b.checkNoErrors()
}

// TestBrowserTimeline moves the map and ranking's year with the keyboard on
// the slider, then plays from the last year but one to the end.
func TestBrowserTimeline(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	const bothReady = `['map', 'ranking'].every(c => document.querySelector('figure[data-chart="' + c + '"]').dataset.state === 'ready')`
	var years []int
	var label string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/indicators/HWF_0001?tab=map&year=2015"),
		chromedp.Poll(chartsReady+` && !document.querySelector('.timeline').hidden`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Evaluate(`document.querySelector('.timeline-range').labels[0].textContent.trim()`, &label),
	)
	if label == "" {
		t.Error("the slider has no label")
	}
	var api struct {
		Years []int `json:"years"`
	}
	getJSON(t, a.URL+"/api/v1/charts/map?indicator=HWF_0001&year=2015", &api)
	years = api.Years
	if len(years) < 3 {
		t.Fatalf("years %v", years)
	}
	var i2015 int
	for i, y := range years {
		if y == 2015 {
			i2015 = i
		}
	}
	prev := strconv.Itoa(years[i2015-1])
	var search, valueText string
	run(t, ctx, 30*time.Second,
		chromedp.Focus(`.timeline-range`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.ArrowLeft),
		chromedp.Poll(bothReady+` && document.querySelector('figure[data-chart="map"]').dataset.query.includes('year=`+prev+`')`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(`location.search`, &search),
		chromedp.Evaluate(`document.querySelector('.timeline-range').getAttribute('aria-valuetext')`, &valueText),
	)
	if !strings.Contains(search, "year="+prev) || valueText != prev {
		t.Fatalf("after ArrowLeft: search %q, aria-valuetext %q, want year %s", search, valueText, prev)
	}
	// Type the last year but one, then play: one step to the last year, and
	// the button is back to Play.
	last, before := strconv.Itoa(years[len(years)-1]), strconv.Itoa(years[len(years)-2])
	var pressed string
	run(t, ctx, 60*time.Second,
		chromedp.Evaluate(`(() => { const i = document.querySelector('.timeline-number'); i.value = '`+before+`'; i.dispatchEvent(new Event('change')); })()`, nil),
		chromedp.Poll(bothReady+` && document.querySelector('figure[data-chart="ranking"]').dataset.query.includes('year=`+before+`')`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Click(`.timeline .play`, chromedp.ByQuery),
		chromedp.Poll(bothReady+` && document.querySelector('.timeline').dataset.year === '`+last+`' && document.querySelector('.timeline .play').dataset.playing === 'false'`,
			nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`location.search`, &search),
		chromedp.Evaluate(`document.querySelector('.timeline .play').textContent`, &pressed),
	)
	if !strings.Contains(search, "year="+last) || pressed != "Play" {
		t.Errorf("after play: search %q, button %q", search, pressed)
	}
	// Play from the first year, then pause once it has stepped.
	first := strconv.Itoa(years[0])
	run(t, ctx, 60*time.Second,
		chromedp.Evaluate(`(() => { const i = document.querySelector('.timeline-number'); i.value = '`+first+`'; i.dispatchEvent(new Event('change')); })()`, nil),
		chromedp.Poll(bothReady+` && document.querySelector('.timeline').dataset.year === '`+first+`'`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Click(`.timeline .play`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('.timeline .play').textContent === 'Pause' && document.querySelector('.timeline').dataset.year !== '`+first+`'`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Click(`.timeline .play`, chromedp.ByQuery),
		chromedp.Poll(`document.querySelector('.timeline .play').dataset.playing === 'false'`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(`document.querySelector('.timeline .play').textContent`, &pressed),
	)
	if pressed != "Play" {
		t.Errorf("after pause: button %q", pressed)
	}
	b.checkNoErrors()
}

// TestBrowserOverviewTimeline steps the overview's map and ranking a year
// on with the keyboard; the URL keeps the year.
func TestBrowserOverviewTimeline(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	var api struct {
		Years []int `json:"years"`
	}
	getJSON(t, a.URL+"/api/v1/charts/map?indicator=hwf_dnm&year=2015", &api)
	next := ""
	for i, y := range api.Years {
		if y == 2015 && i+1 < len(api.Years) {
			next = strconv.Itoa(api.Years[i+1])
		}
	}
	if next == "" {
		t.Fatalf("no year after 2015 in %v", api.Years)
	}
	var search string
	var queries []string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/?year=2015"),
		chromedp.Poll(chartsReady+` && document.querySelector('.timeline').dataset.year === '2015'`, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.Focus(`.timeline-range`, chromedp.ByQuery),
		chromedp.KeyEvent(kb.ArrowRight),
		chromedp.Poll(`['map', 'ranking'].every(c => { const f = document.querySelector('figure[data-chart="' + c + '"]');
			return f.dataset.state === 'ready' && f.dataset.query.includes('year=`+next+`'); })`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(`location.search`, &search),
		chromedp.Evaluate(`[...document.querySelectorAll('figure.chart')].map(f => f.dataset.chart + '?' + f.dataset.query)`, &queries),
	)
	if search != "?year="+next {
		t.Errorf("search %q, want year=%s", search, next)
	}
	for _, q := range queries {
		if strings.HasPrefix(q, "code?") && strings.Contains(q, "year=") {
			t.Errorf("the timeline moved the code chart: %s", q)
		}
	}
	b.checkNoErrors()
}
