package server_test

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// ghoFile is a WHO GHO OData answer with one figure of HWF_0001 for
// Austria, as https://ghoapi.azureedge.net/api/HWF_0001 writes it.
func ghoFile(year int, value float64) []byte {
	v := strconv.FormatFloat(value, 'f', -1, 64)
	return []byte(`{"@odata.context":"https://ghoapi.azureedge.net/api/$metadata#HWF_0001","value":[
{"Id":1,"IndicatorCode":"HWF_0001","SpatialDimType":"COUNTRY","SpatialDim":"AUT","TimeDimType":"YEAR","TimeDim":` +
		strconv.Itoa(year) + `,"Dim1":null,"Value":"` + v + `","NumericValue":` + v + `,"Comments":null,"Date":"2025-11-03T09:00:00+01:00"}]}`)
}

// TestBrowserImportLive opens an indicator page, applies an import through
// the API, and waits for the page's table and chart to show the imported
// figure without a reload.
func TestBrowserImportLive(t *testing.T) {
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
	if st, r := postImport(t, a.URL, adminToken, "format=gho&apply=true", ghoFile(2025, 66.6)); st != http.StatusCreated {
		t.Fatalf("import: %d %+v", st, r)
	}
	var after string
	run(t, ctx, 20*time.Second,
		chromedp.Poll(`document.querySelector('table.data-table').textContent.includes('66.6') &&
			`+drawnOption(`figure[data-chart="trend"]`)+`.series.some(s => s.data.some(d => d === 66.6 || (d && d.value === 66.6)))`,
			nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(`window.__loadId`, &after),
	)
	if after != loadID {
		t.Fatal("the page reloaded")
	}
	b.checkNoErrors()
}

// TestBrowserImportAdminPage uploads a file on /admin/import, checks that
// the diff it shows is the API's, that its rejected and ignored rows read in
// the page's language, and applies it with the button.
func TestBrowserImportAdminPage(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	file := wfmiCSV([]string{"AUT", "DEU", "FRA"}, []int{2020, 2021}, 12)
	file = append(file, "OECD.ELS.HD:DSD_HEALTH_WFMI@DF_HEALTH_WFMI(1.0),AUT,A,FTRAIN_PHYS_SH,PT_PHYS,20x1,12.5,A\n"...)
	path := filepath.Join(t.TempDir(), "wfmi.csv")
	if err := os.WriteFile(path, file, 0o644); err != nil {
		t.Fatal(err)
	}
	_, want := postImport(t, a.URL, adminToken, "format=sdmx-csv", file)
	b := newBrowser(t)
	ctx := b.tab()
	var tally map[string]string
	var changes int
	var file0, rejected, ignored string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/admin/import?lang=fr"),
		chromedp.WaitVisible(`form.import-form`),
		chromedp.SendKeys(`input[name="token"]`, adminToken),
		chromedp.SetUploadFiles(`input[name="file"]`, []string{path}),
		chromedp.SetValue(`select[name="format"]`, "sdmx-csv"),
		chromedp.Click(`form.import-form button[type="submit"]`),
		chromedp.Poll(`!document.querySelector('section.import-review').hidden`, nil, chromedp.WithPollingTimeout(20*time.Second)),
		chromedp.Evaluate(`Object.fromEntries([...document.querySelectorAll('dl.import-tally dd')].map(d => [d.dataset.kind, d.textContent]))`, &tally),
		chromedp.Evaluate(`document.querySelectorAll('table.import-changes tbody tr').length`, &changes),
		chromedp.Text(`.import-file`, &file0),
		chromedp.Text(`table.import-rejected tbody td:last-child`, &rejected),
		chromedp.Text(`ul.import-ignored li`, &ignored),
	)
	if tally["new"] != strconv.Itoa(want.Tally.New) || tally["changed"] != strconv.Itoa(want.Tally.Changed) ||
		tally["ignored"] != "1" || tally["rejected"] != "1" || changes != len(want.Changes) || changes != 6 {
		t.Fatalf("the page shows %v and %d changes; the API %+v", tally, changes, want.Tally)
	}
	// The API's problem and reason are in English with their codes; the
	// page says them in French.
	if len(want.Rejected) != 1 || want.Rejected[0].Code != "not_annual" || len(want.Ignored) != 1 || want.Ignored[0].Code != "non_member" {
		t.Fatalf("the API's rejected %+v, ignored %+v", want.Rejected, want.Ignored)
	}
	if rejected != "« 20x1 » n'est pas une période annuelle (AAAA)" {
		t.Errorf("rejected row on the French page: %q", rejected)
	}
	if !strings.Contains(ignored, "1 × pas un État membre de la Région européenne de l'OMS NZL") {
		t.Errorf("ignored rows on the French page: %q", ignored)
	}
	screenshot(t, ctx, "admin-import")
	if !strings.Contains(file0, want.SHA256) {
		t.Fatalf("the review does not name the file's SHA-256: %q", file0)
	}
	if v := storeVersion(t, a); v != want.BaseVersion {
		t.Fatalf("the review wrote: version %d, want %d", v, want.BaseVersion)
	}
	run(t, ctx, 30*time.Second,
		chromedp.Click(`input[name="skip_rejected"]`),
		chromedp.Click(`button.import-apply`),
		chromedp.Poll(`document.querySelector('.import-status .ok') !== null`, nil, chromedp.WithPollingTimeout(20*time.Second)),
	)
	revs, err := a.Store.Revisions(context.Background(), 0)
	if err != nil || len(revs) != 1 || revs[0].Rows != 6 || revs[0].SHA256 != want.SHA256 || revs[0].Version != want.BaseVersion+1 {
		t.Fatalf("after apply: %+v %v", revs, err)
	}
	b.checkNoErrors()
}
