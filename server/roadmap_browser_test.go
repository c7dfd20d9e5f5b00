package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRoadmap opens the Roadmap page: its documents with their
// citations and the milestones with their statuses; a round 5 report then
// moves G09's status on the open page without a reload.
func TestBrowserRoadmap(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	ctx := b.tab()
	var docs []struct {
		ID       string `json:"id"`
		Title    string `json:"title"`
		Citation string `json:"citation"`
	}
	var statuses map[string]string
	var loadID string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/roadmap"),
		chromedp.Poll(`document.querySelector('.live').dataset.state === 'live'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`[...document.querySelectorAll('li.document')].map(li => ({id: li.dataset.doc, title: li.querySelector('h3').textContent,
		  citation: li.querySelector('cite.citation').textContent}))`, &docs),
		chromedp.Evaluate(`Object.fromEntries([...document.querySelectorAll('table.roadmap-milestones tr[data-id]')].map(tr =>
		  [tr.dataset.id, tr.querySelector('td.status').dataset.status || 'not_measured']))`, &statuses),
		chromedp.Evaluate(`window.__loadId`, &loadID),
	)
	wantDocs := []string{"roadmap", "toolkit", "policy_brief", "wha63_16", "wha64_6"}
	if len(docs) != len(wantDocs) {
		t.Fatalf("%d documents shown: %+v", len(docs), docs)
	}
	for i, d := range docs {
		if d.ID != wantDocs[i] || d.Title == "" || d.Citation == "" {
			t.Errorf("document %d: %+v, want %s with its citation", i, d, wantDocs[i])
		}
	}
	for id, want := range map[string]string{"G14": "met", "G09": "no_data", "E07": "not_measured", "G01": "not_measured"} {
		if statuses[id] != want {
			t.Errorf("%s shows %q, want %q", id, statuses[id], want)
		}
	}
	// The /milestones page's table follows the same topic.
	ms := b.tab()
	run(t, ms, 60*time.Second,
		chromedp.Navigate(a.URL+"/milestones"),
		chromedp.Poll(`document.querySelector('.live').dataset.state === 'live'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
	)
	if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "code_nri_report", ISO3: "MLT", Year: 2024, Value: 1, Source: "roadmap browser test"}); status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	var after, text string
	run(t, ctx, 20*time.Second, front(ctx),
		chromedp.Poll(`(() => { const td = document.querySelector('tr[data-id="G09"] td.status'); return td.dataset.met === '1' && td.dataset.status !== 'no_data'; })()`,
			nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(`window.__loadId`, &after),
		chromedp.Text(`tr[data-id="G09"] td.status`, &text),
	)
	if after != loadID {
		t.Fatal("the page reloaded")
	}
	var msText string
	run(t, ms, 20*time.Second, front(ms),
		chromedp.Poll(`document.querySelector('table.milestones tr[data-id="G09"] td.status').dataset.met === '1'`,
			nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`table.milestones tr[data-id="G09"] td.status`, &msText),
	)
	if !strings.Contains(msText, "1 of 53") {
		t.Errorf("/milestones G09 status cell: %q", msText)
	}
	if !strings.Contains(text, "1 of 53") {
		t.Errorf("G09 status cell: %q", text)
	}
	screenshot(t, ctx, "roadmap")
	b.checkNoErrors()
}

// TestBrowserInformationAreas opens one indicator page per WHA64.6
// information area: each either charts its data or, where no value exists
// yet, invites a submission instead of an empty chart. A submission to the
// distribution indicator then turns its page into the chart, live.
func TestBrowserInformationAreas(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	cases := []struct {
		area, id string
		charted  bool
	}{
		{"stock", "HWF_0001", true},
		{"education_training", "MEDICALGRAD", true},
		{"distribution", "dist_doctors_rural_pct", false},
		{"migration", "mig_doctors_foreign_trained_pct", false},
		{"expenditure", "GHED_GGHE-D_pc_US_SHA2011", true},
	}
	for _, tc := range cases {
		t.Run(tc.area, func(t *testing.T) {
			ctx := b.tab()
			run(t, ctx, 60*time.Second,
				chromedp.Navigate(a.URL+"/indicators/"+tc.id),
				chromedp.Poll(`document.querySelector('.live').dataset.state === 'live'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
			)
			var area string
			run(t, ctx, 10*time.Second, chromedp.Evaluate(`document.querySelector('.area-name').dataset.area`, &area))
			if area != tc.area {
				t.Errorf("page shows area %q", area)
			}
			if tc.charted {
				var charts []drawn
				run(t, ctx, 60*time.Second,
					chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
					chromedp.Evaluate(chartState, &charts),
				)
				if len(charts) == 0 || charts[0].Chart != "trend" || charts[0].Series == 0 {
					t.Fatalf("charts drawn: %+v", charts)
				}
				var invite bool
				run(t, ctx, 5*time.Second, chromedp.Evaluate(`document.querySelector('section.no-data') !== null`, &invite))
				if invite {
					t.Fatal("an indicator with data invites a submission")
				}
				return
			}
			var state struct {
				Visible bool   `json:"visible"`
				Href    string `json:"href"`
				Text    string `json:"text"`
				Drawn   int    `json:"drawn"`
			}
			run(t, ctx, 10*time.Second, chromedp.Evaluate(`(() => { const box = document.querySelector('section.no-data');
			  return {visible: !!box && !box.hidden && box.offsetHeight > 0, href: box.querySelector('a.submit-link').getAttribute('href'),
			    text: box.textContent, drawn: [...document.querySelectorAll('figure.chart')].filter(f => f.offsetHeight > 0 || f.dataset.state !== 'idle').length}; })()`, &state))
			if !state.Visible || !strings.Contains(state.Text, "No data submitted yet") || state.Drawn != 0 ||
				state.Href != "/submit?indicator="+tc.id+"&lang=en" {
				t.Fatalf("no-data page: %+v", state)
			}
			if tc.area != "distribution" {
				// The link opens the form with the indicator preselected.
				var csvText, selected string
				run(t, ctx, 30*time.Second,
					chromedp.Click(`section.no-data a.submit-link`),
					chromedp.WaitVisible(`.selected-indicator`),
					chromedp.Value(`textarea[name="csv"]`, &csvText),
					chromedp.AttributeValue(`.selected-indicator`, "data-indicator", &selected, nil),
				)
				if selected != tc.id || !strings.Contains(csvText, ","+tc.id+",") {
					t.Fatalf("form preselects %q with %q", selected, csvText)
				}
				return
			}
			var loadID string
			run(t, ctx, 5*time.Second, chromedp.Evaluate(`window.__loadId`, &loadID))
			if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: tc.id, ISO3: "FIN", Year: 2023, Value: 27.5, Source: "area browser test"}); status != http.StatusCreated {
				t.Fatalf("submit: %d", status)
			}
			var charts []drawn
			var after string
			run(t, ctx, 60*time.Second,
				chromedp.Poll(`document.querySelector('section.no-data').hidden && !document.querySelector('.explorer').hidden`, nil, chromedp.WithPollingTimeout(10*time.Second)),
				chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(30*time.Second)),
				chromedp.Poll(`document.querySelector('table.data-table').textContent.includes('27.5')`, nil, chromedp.WithPollingTimeout(10*time.Second)),
				chromedp.Evaluate(chartState, &charts),
				chromedp.Evaluate(`window.__loadId`, &after),
			)
			if after != loadID {
				t.Fatal("the page reloaded")
			}
			if len(charts) == 0 || charts[0].Series == 0 {
				t.Fatalf("after the first figure, charts drawn: %+v", charts)
			}
			screenshot(t, ctx, fmt.Sprintf("area-%s", tc.area))
		})
	}
	b.checkNoErrors()
}
