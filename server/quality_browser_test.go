package server_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// zeroReported is the headline issue 14 removed: a count of answers
// received by hwfdash read as reporting to WHO.
var zeroReported = regexp.MustCompile(`\b0 (of|sur|von|из) 53\b`)

// codePanel is what the Code section shows in the page.
type codePanel struct {
	Cited, Facts, Text         string
	EmptyShown, GridShown      bool
	State                      string
	Rows                       int
	Headrooms, Declining       []string
	Years                      []string
	LoadID                     string
	VisibleSlide, LowestList   string
	LowestItems, DistinctItems int
}

const readCodePanel = `(() => {
  ` + renderSections + `
  const sec = document.querySelector('.code-facts');
  const shown = el => !!el && !el.closest('[hidden]');
  const rows = [...document.querySelectorAll('.distances-table tbody tr')];
  const lowest = [...document.querySelectorAll('.lowest-headroom li')].map(li => li.textContent);
  const slide = [...document.querySelectorAll('.slide')].filter(s => !s.hidden).map(s => s.dataset.slide).join();
  return {
    Cited: sec ? sec.querySelector('.cited-facts').innerText : '',
    // Each round's line of facts, without the citations written out under it.
    Facts: sec ? [...sec.querySelectorAll('.cited-facts > li')].map(li => { const c = li.cloneNode(true);
      c.querySelectorAll('.round-sources').forEach(o => o.remove()); return c.textContent.replace(/\s+/g, ' ').trim(); }).join('\n') : '',
    Text: document.body.innerText,
    EmptyShown: shown(document.querySelector('.received-empty')),
    GridShown: shown(document.querySelector('.received-grid')),
    State: sec ? sec.querySelector('.received').dataset.state : '',
    Rows: rows.length,
    Headrooms: rows.map(r => r.children[3].textContent),
    Declining: rows.filter(r => r.classList.contains('declining')).map(r => r.dataset.iso3),
    Years: rows.map(r => r.children[1].textContent),
    LoadID: window.__loadId,
    VisibleSlide: slide,
    LowestList: lowest.join('\n'),
    LowestItems: lowest.length,
    DistinctItems: new Set(lowest.map(t => t.replace(/^[^:]*:/, ''))).size,
  };
})()`

// TestBrowserCodeFactsAndDistances opens the overview and the projector in
// a real browser: both lead with the cited Code facts (regional and global,
// with the "interim" qualifier), show distances that vary between Member
// States, and no headline says "0 of 53" while nothing was received; a
// submission panel stands in for the empty grid, and the grid appears
// live, without a reload, when an answer arrives.
func TestBrowserCodeFactsAndDistances(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)

	ov := b.tab()
	var p codePanel
	run(t, ov, 60*time.Second,
		chromedp.Navigate(a.URL+"/"),
		chromedp.Poll(`document.querySelector('.live').dataset.state === 'live' && document.querySelector('.headline [data-field="met"]').textContent !== '…'`,
			nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(readCodePanel, &p),
	)
	for _, want := range []string{"Round 3 (2018)", "European Region", "globally", "interim", "29 reports submitted or in process of submission", "Round 5 (2024)"} {
		if !strings.Contains(p.Cited, want) {
			t.Errorf("overview: the cited facts lack %q:\n%s", want, p.Cited)
		}
	}
	// A fact whose source is cited with an earlier one ends without its
	// reference: the space that came before the reference stood before
	// the "; " joining it to the next fact.
	if strings.Contains(p.Facts, " ;") || !strings.Contains(p.Facts, "; ") {
		t.Errorf("overview: the cited facts are not joined by \"; \" alone:\n%s", p.Facts)
	}
	if zeroReported.MatchString(p.Text) {
		t.Errorf("overview says %q while nothing was received", zeroReported.FindString(p.Text))
	}
	// A round's sources show their titles; the whole citation, quotes
	// included, opens on demand (two rounds citing one long form filled a
	// phone's first screens).
	var src struct{ Shown, Whole, Sizes string }
	run(t, ov, 10*time.Second, chromedp.Evaluate(`(() => { const o = document.querySelector('.round-sources');
	  const size = e => getComputedStyle(e).fontSize;
	  return {Shown: o.innerText, Whole: o.textContent, Sizes: size(o.querySelector('summary cite')) + ' ' + size(o.querySelector('summary .muted'))}; })()`, &src))
	// The title and its host read as one line, in one size.
	if f := strings.Fields(src.Sizes); len(f) != 2 || f[0] != f[1] {
		t.Errorf("overview: a source's title and host in sizes %q", src.Sizes)
	}
	if !strings.Contains(src.Shown, "WHO National Reporting Instrument 2024 form") || strings.Contains(src.Shown, "deadline for submitting reports") {
		t.Errorf("overview: a round's sources show %q", src.Shown)
	}
	if !strings.Contains(src.Whole, "The deadline for submitting reports is 31 August 2024") {
		t.Errorf("overview: a round's whole citation is gone: %q", src.Whole)
	}
	if !p.EmptyShown || p.GridShown || p.State != "empty" || !strings.Contains(p.Text, "Per-country answers arrive here by submission") {
		t.Errorf("overview before any answer: empty panel %v, grid %v, state %q", p.EmptyShown, p.GridShown, p.State)
	}
	distinct := map[string]bool{}
	for _, h := range p.Headrooms {
		distinct[h] = true
	}
	if p.Rows < 40 || len(distinct) < 20 || len(p.Declining) == 0 {
		t.Errorf("distances: %d rows, %d distinct headrooms, declining %v", p.Rows, len(distinct), p.Declining)
	}
	for _, y := range p.Years {
		if !regexp.MustCompile(`^\d{4}$`).MatchString(y) {
			t.Errorf("year written %q", y)
			break
		}
	}

	// The projector's first slide states the cited facts; the second the
	// distances that vary.
	pr := b.tab()
	var first, second codePanel
	run(t, pr, 60*time.Second,
		chromedp.Navigate(a.URL+"/present?interval=600"),
		chromedp.Poll(`document.querySelector('.live').dataset.state === 'live' && document.querySelector('.slides').dataset.seq`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		// The deck shows the slide the server's clock gives: show the
		// first and the second slide as the deck would.
		chromedp.Evaluate(`document.querySelectorAll('.slide').forEach((s, j) => { s.hidden = j !== 0; })`, nil),
		chromedp.Evaluate(readCodePanel, &first),
		chromedp.Evaluate(`document.querySelectorAll('.slide').forEach((s, j) => { s.hidden = j !== 1; })`, nil),
		chromedp.Evaluate(readCodePanel, &second),
	)
	if first.VisibleSlide != "overview" || !strings.Contains(first.Cited, "interim") || !strings.Contains(first.Cited, "European Region") {
		t.Errorf("projector's first slide %q states:\n%s", first.VisibleSlide, first.Cited)
	}
	if zeroReported.MatchString(first.Text) || !first.EmptyShown {
		t.Errorf("projector's first slide: empty panel %v, text:\n%s", first.EmptyShown, first.Text)
	}
	if second.VisibleSlide != "distances" || second.LowestItems != 5 || second.DistinctItems != 5 {
		t.Errorf("projector's distances slide %q: %d items, %d distinct:\n%s", second.VisibleSlide, second.LowestItems, second.DistinctItems, second.LowestList)
	}

	// An answer arrives: the grid appears on the open overview, live.
	if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "code_nri_report", ISO3: "AUT", Year: 2024, Value: 1, Source: "quality browser test"}); status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	var after codePanel
	run(t, ov, 30*time.Second, front(ov),
		chromedp.Poll(`document.querySelector('.received').dataset.state === 'received'`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Poll(`document.querySelector('.received-counts li[data-round="5"] [data-field="received"]').textContent === '1'`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(readCodePanel, &after),
	)
	if after.LoadID != p.LoadID || after.EmptyShown || !after.GridShown {
		t.Errorf("after an answer: reloaded %v, empty panel %v, grid %v", after.LoadID != p.LoadID, after.EmptyShown, after.GridShown)
	}

	// In French the distances use a decimal comma and years stay ungrouped.
	fr := b.tab()
	var frHeadrooms []string
	run(t, fr, 60*time.Second,
		chromedp.Navigate(a.URL+"/?lang=fr"),
		chromedp.Evaluate(`[...document.querySelectorAll('.distances-table tbody tr')].map(r => r.children[3].textContent)`, &frHeadrooms),
	)
	comma := 0
	for _, h := range frHeadrooms {
		if strings.Contains(h, ",") && !strings.Contains(h, ".") {
			comma++
		}
	}
	if comma < len(frHeadrooms)/2 {
		t.Errorf("French headrooms: %v", frHeadrooms)
	}
	b.checkNoErrors()
}
