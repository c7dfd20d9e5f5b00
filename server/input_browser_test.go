package server_test

import (
	"encoding/csv"
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCSVFormulaInjection is TestCSVFormulaInjection for the page's
// "CSV (shown)" download, which the page builds from the chart's table.
func TestBrowserCSVFormulaInjection(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	src := `=HYPERLINK("http://evil.example","x")`
	// 4.9 after Malta's 4.63 in 2014 is no jump (a flagged jump's note
	// would follow the source in its cell).
	if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0010", ISO3: "MLT", Year: 2015, Value: 4.9, Source: src}); status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	b := newBrowser(t)
	ctx := b.tab()
	var href string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/indicators/HWF_0010?countries=MLT,CYP&time=2010..2020"),
		chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
		chromedp.AttributeValue(`figure[data-chart="trend"] a.csv-shown`, "href", &href, nil),
	)
	text, err := url.PathUnescape(strings.TrimPrefix(href, "data:text/csv;charset=utf-8,"))
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(strings.NewReader(text)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range recs[1:] {
		if rec[0] == "MLT" && rec[2] == "2015" {
			found = true
			if rec[3] != "4.9" || rec[5] != "'"+src {
				t.Fatalf("MLT 2015: value %q source %q, want 4.9 and %q", rec[3], rec[5], "'"+src)
			}
		}
	}
	if !found {
		t.Fatalf("no MLT 2015 row in %q", text)
	}
	b.checkNoErrors()
}

// TestCSVTextJS runs the pages' csvText on the cases engine.CSVText is
// tested with, so the two rules stay one.
func TestCSVTextJS(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	script := `import { csvText } from './public/static/js/csvtext.js';
const cases = [['=HYPERLINK("x")', "'=HYPERLINK(\"x\")"], ['@SUM(1)', "'@SUM(1)"], ['+cmd', "'+cmd"], ['-2+3', "'-2+3"],
  ['\t=1', "'\t=1"], ['\r=1', "'\r=1"], ['Statistik Austria', 'Statistik Austria'], ['a=b', 'a=b'], ['', ''], [-2, -2], [12.5, 12.5], [null, null]];
for (const [input, want] of cases) {
  const got = csvText(input);
  if (got !== want) { console.log(JSON.stringify(input) + ' -> ' + JSON.stringify(got) + ', want ' + JSON.stringify(want)); process.exitCode = 1; }
}`
	cmd := exec.Command(node, "--input-type=module", "-e", script)
	cmd.Dir = ".."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
}
