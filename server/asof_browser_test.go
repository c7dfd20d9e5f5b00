package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserPinnedView opens the explorer pinned to the version before a
// revision: it shows the figure of then, says it is pinned, links to the
// live view and follows nothing; the live page's "Cite this view" and embed
// snippet offer a pinned link beside the live one, which opens that view.
func TestBrowserPinnedView(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	var vers []int64
	for _, v := range []float64{61.5, 67.5} {
		status, ver := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2025, Value: v, Source: "pinned browser test"})
		if status != http.StatusCreated {
			t.Fatalf("submit: %d", status)
		}
		vers = append(vers, ver)
	}
	b := newBrowser(t)
	ctx := b.tab()
	page := "/indicators/HWF_0001?countries=AUT&time=2025"
	var banner, liveHref, liveState, table, figVersion, permalink string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(fmt.Sprintf("%s%s&as_of=%d", a.URL, page, vers[0])),
		chromedp.Poll(`document.querySelector('figure[data-chart="trend"]').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Poll(`document.querySelector('table.data-table tbody').textContent.includes('pinned browser test')`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Text(`.pinned-banner`, &banner),
		chromedp.Evaluate(`document.querySelector('.pinned-banner a.pinned-live').getAttribute('href')`, &liveHref),
		chromedp.Evaluate(`document.querySelector('.live').dataset.state`, &liveState),
		chromedp.Evaluate(`document.querySelector("table.data-table tbody").textContent`, &table),
		chromedp.Evaluate(`document.querySelector('figure[data-chart="trend"]').dataset.version`, &figVersion),
		chromedp.Evaluate(`document.querySelector('.permalink').getAttribute('href')`, &permalink),
	)
	if !strings.Contains(banner, fmt.Sprint(vers[0])) {
		t.Errorf("banner %q does not name version %d", banner, vers[0])
	}
	if liveHref != page {
		t.Errorf("live link %q, want %q", liveHref, page)
	}
	if liveState != "pinned" {
		t.Errorf("live indicator %q, want pinned (no live updates)", liveState)
	}
	if !strings.Contains(table, "61.5") || strings.Contains(table, "67.5") {
		t.Errorf("pinned table shows %q, want the value of version %d (61.5)", table, vers[0])
	}
	if figVersion != fmt.Sprint(vers[0]) {
		t.Errorf("pinned chart is of version %s, want %d", figVersion, vers[0])
	}
	if !strings.Contains(permalink, fmt.Sprintf("as_of=%d", vers[0])) {
		t.Errorf("pinned permalink %q lost as_of", permalink)
	}

	// A pinned embed shows the chart of then, and says so.
	var embedVersion, embedBanner string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(fmt.Sprintf("%s/embed/charts/trend?indicator=HWF_0001&countries=AUT&time=2025&as_of=%d", a.URL, vers[0])),
		chromedp.Poll(`document.querySelector('figure.chart').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`document.querySelector('figure.chart').dataset.version`, &embedVersion),
		chromedp.Text(`.pinned-banner .pinned-version`, &embedBanner),
	)
	if embedVersion != fmt.Sprint(vers[0]) || embedBanner != fmt.Sprint(vers[0]) {
		t.Errorf("pinned embed: chart of version %s, banner %q, want %d", embedVersion, embedBanner, vers[0])
	}

	// The live page: the citation and the embed snippet offer both links.
	live := b.tab()
	var citeLive, citePinned, embedPinned, liveTable string
	run(t, live, 60*time.Second,
		chromedp.Navigate(a.URL+page),
		chromedp.Poll(`document.querySelector('figure[data-chart="trend"]').dataset.state === 'ready'`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Poll(`document.querySelector('table.data-table tbody').textContent.includes('pinned browser test')`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`document.querySelector('.pinned-banner') === null`, nil),
		chromedp.Evaluate(`document.querySelector('figure[data-chart="trend"] .cite-live').href`, &citeLive),
		chromedp.Evaluate(`document.querySelector('figure[data-chart="trend"] .cite-pinned').href`, &citePinned),
		chromedp.Evaluate(`document.querySelector('figure[data-chart="trend"] textarea.embed-pinned').value`, &embedPinned),
		chromedp.Evaluate(`document.querySelector("table.data-table tbody").textContent`, &liveTable),
	)
	if strings.Contains(citeLive, "as_of") || !strings.Contains(citeLive, "/indicators/HWF_0001") {
		t.Errorf("live citation link %q", citeLive)
	}
	cur := vers[len(vers)-1]
	if !strings.Contains(citePinned, fmt.Sprintf("as_of=%d", cur)) {
		t.Errorf("pinned citation link %q, want as_of=%d", citePinned, cur)
	}
	if !strings.Contains(embedPinned, "/embed/charts/trend?") || !strings.Contains(embedPinned, fmt.Sprintf("as_of=%d", cur)) {
		t.Errorf("pinned embed snippet %q", embedPinned)
	}
	if !strings.Contains(liveTable, "67.5") {
		t.Errorf("live table %q lacks the newest value", liveTable)
	}
	// The pinned citation opens the pinned view.
	var pinnedBanner string
	run(t, live, 60*time.Second,
		chromedp.Navigate(citePinned),
		chromedp.WaitVisible(`.pinned-banner`),
		chromedp.Text(`.pinned-banner .pinned-version`, &pinnedBanner),
	)
	if pinnedBanner != fmt.Sprint(cur) {
		t.Errorf("the cited view is pinned to %q, want %d", pinnedBanner, cur)
	}
	b.checkNoErrors()
}
