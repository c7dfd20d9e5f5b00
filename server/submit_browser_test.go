package server_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// shownProblem is one row of the form's problems table.
type shownProblem struct {
	Line  string `json:"line"`
	Field string `json:"field"`
	Where string `json:"where"`
	Label string `json:"label"`
	Text  string `json:"text"`
}

const shownProblems = `[...document.querySelectorAll('.submit-errors tbody tr')].map(tr => ({
  line: tr.dataset.line || '', field: tr.dataset.field,
  where: tr.querySelector('th') ? tr.querySelector('th').textContent : '',
  label: tr.querySelectorAll('td')[0].textContent, text: tr.querySelectorAll('td')[1].textContent}))`

// TestBrowserSubmitProblems reproduces issue 16 items 7-9 on a German
// page: every problem of every row is listed by the line the clerk sees,
// in German, with the country as written and the form's labels; Excel's
// German CSV (semicolons, decimal commas) and an .xlsx file are accepted;
// the token is typed once per tab and forgotten when refused.
func TestBrowserSubmitProblems(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	_, secret := createToken(t, a.URL, "Bundesministerium für Gesundheit, Österreich", "AUT")
	b := newBrowser(t)
	ctx := b.tab()
	pasted := "iso3,indicator,year,value,source\nAUT,HWF_0001,2024,55,3,Statistik Austria\n\natlantis,HWF_0001,1800,12.5,\n"
	var shown []shownProblem
	var summary, invalid, describedBy string
	var right, width float64
	run(t, ctx, 60*time.Second,
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(a.URL+"/submit?lang=de"),
		chromedp.SendKeys(`form.observations-form input[name="token"]`, secret),
		chromedp.SetValue(`textarea[name="csv"]`, pasted),
		chromedp.Click(`.observations-form button[type="submit"]`),
		chromedp.Poll(`document.querySelectorAll('.submit-errors tbody tr').length > 0`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(shownProblems, &shown),
		chromedp.Text(`#submit-summary`, &summary),
		chromedp.AttributeValue(`textarea[name="csv"]`, "aria-invalid", &invalid, nil),
		chromedp.AttributeValue(`textarea[name="csv"]`, "aria-describedby", &describedBy, nil),
		chromedp.Evaluate(`document.querySelector('.submit-errors').getBoundingClientRect().right`, &right),
		chromedp.Evaluate(`window.innerWidth`, &width),
	)
	if len(shown) != 4 || !strings.Contains(summary, "4 Probleme") {
		t.Fatalf("summary %q, problems %+v: want 4", summary, shown)
	}
	want := []struct{ line, field, label, says string }{
		{"2", "row", "Ganze Zeile", "Schreiben Sie 55.3"},
		{"4", "iso3", "Land", "„atlantis“ ist kein Land"},
		{"4", "year", "Jahr", "1800 ist kein Jahr zwischen 1950"},
		{"4", "source", "Quelle", "jede Zahl braucht ihre Quelle"},
	}
	seen := map[string]bool{}
	for i, w := range want {
		p := shown[i]
		if p.Line != w.line || p.Field != w.field || p.Label != w.label || !strings.Contains(p.Text, w.says) {
			t.Errorf("problem %d: %+v, want line %s %s %q saying %q", i, p, w.line, w.field, w.label, w.says)
		}
		if seen[p.Text] {
			t.Errorf("%q shown twice", p.Text)
		}
		seen[p.Text] = true
		for _, bad := range []string{"finite", "iso3", "⟦"} {
			if strings.Contains(p.Text+p.Label, bad) {
				t.Errorf("problem %d says %q: %+v", i, bad, p)
			}
		}
	}
	if !strings.HasPrefix(shown[0].Where, "Zeile 2") || !strings.Contains(shown[0].Where, "AUT,HWF_0001,2024,55,3,Statistik Austria") {
		t.Errorf("line 2 is shown as %q, want the line as written", shown[0].Where)
	}
	if invalid != "true" || !strings.Contains(describedBy, "submit-errors") {
		t.Errorf("textarea aria-invalid %q aria-describedby %q", invalid, describedBy)
	}
	if right > width {
		t.Errorf("the problems table ends at %v px on a %v px phone", right, width)
	}
	// The problems table passes axe (served from our own assets).
	var violations string
	run(t, ctx, 60*time.Second,
		chromedp.Evaluate(fmt.Sprintf(`new Promise((ok, fail) => { const s = document.createElement('script'); s.src = %q; s.onload = ok; s.onerror = fail; document.head.appendChild(s); })`, loadAssets(t).Path("axe.min.js")), nil,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
		chromedp.Evaluate(`axe.run(document.querySelector('main') || document, {resultTypes: ['violations'], rules: {'target-size': {enabled: true}}}).then(r => JSON.stringify(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ' ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')))))`, &violations,
			func(p *runtime.EvaluateParams) *runtime.EvaluateParams { return p.WithAwaitPromise(true) }),
	)
	if violations != "[]" {
		t.Errorf("axe on the problems: %s", violations)
	}

	// Excel's German CSV: semicolons and a decimal comma, a source with a comma.
	run(t, ctx, 30*time.Second,
		chromedp.EmulateViewport(1280, 720),
		chromedp.SetValue(`textarea[name="csv"]`, "iso3;indicator;year;value;source\nAUT;HWF_0001;2024;55,3;Statistik Austria, 2025\n"),
		chromedp.Click(`.observations-form button[type="submit"]`),
		chromedp.Poll(`document.querySelector('.submit-result .ok') !== null`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if v, _ := latestValue(t, a.URL, "HWF_0001", "AUT", 2024); v != 55.3 {
		t.Fatalf("stored %v, want 55.3", v)
	}

	// The token is typed once per tab: a reload fills both forms from
	// sessionStorage, and nothing is in localStorage.
	var tokens []string
	var inLocal bool
	run(t, ctx, 30*time.Second,
		chromedp.Navigate(a.URL+"/submit?lang=de"),
		chromedp.WaitVisible(`form.observations-form`),
		chromedp.Evaluate(`[...document.querySelectorAll('form.submit-form input[name="token"]')].map(i => i.value)`, &tokens),
		chromedp.Evaluate(`Object.keys(localStorage).some(k => localStorage.getItem(k).includes(`+jsString(secret)+`))`, &inLocal),
	)
	if len(tokens) != 2 || tokens[0] != secret || tokens[1] != secret || inLocal {
		t.Fatalf("after a reload the token fields hold %d values (want the token in both), in localStorage: %v", len(tokens), inLocal)
	}

	// Files: an .xlsx workbook and a CSV file, whose lines are the file's.
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "zahlen.xlsx")
	if err := os.WriteFile(xlsx, workbook(t, []any{"iso3", "indicator", "year", "value", "source"}, []any{"AUT", "HWF_0001", 2023, 54.5, "Statistik Austria"}), 0o644); err != nil {
		t.Fatal(err)
	}
	csvFile := filepath.Join(dir, "zahlen.csv")
	if err := os.WriteFile(csvFile, []byte("iso3;indicator;year;value;source\r\nAUT;HWF_0001;2022;54;Statistik Austria\r\nAUT;HWF_0001;2021;1.234;Statistik Austria\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, 30*time.Second,
		chromedp.SetUploadFiles(`input[name="file"]`, []string{xlsx}),
		chromedp.Click(`.observations-form button[type="submit"]`),
		chromedp.Poll(`document.querySelector('.submit-result .ok') !== null`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	)
	if v, _ := latestValue(t, a.URL, "HWF_0001", "AUT", 2023); v != 54.5 {
		t.Fatalf("stored %v from the workbook, want 54.5", v)
	}
	run(t, ctx, 30*time.Second,
		chromedp.SetUploadFiles(`input[name="file"]`, []string{csvFile}),
		chromedp.Click(`.observations-form button[type="submit"]`),
		chromedp.Poll(`document.querySelectorAll('.submit-errors tbody tr').length > 0`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(shownProblems, &shown),
	)
	if len(shown) != 1 || shown[0].Line != "3" || !strings.Contains(shown[0].Where, "1.234") || !strings.Contains(shown[0].Text, "1234") {
		t.Fatalf("file problems %+v, want line 3 of the file", shown)
	}

	// A refused token is forgotten and asked for again.
	var said string
	run(t, ctx, 30*time.Second,
		chromedp.Evaluate(`document.querySelector('input[name="file"]').value = ''`, nil),
		chromedp.SetValue(`form.observations-form input[name="token"]`, "not-the-token"),
		chromedp.Click(`.observations-form button[type="submit"]`),
		chromedp.Poll(`document.querySelector('.submit-result .error') !== null && sessionStorage.length === 0`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`.submit-result`, &said),
		chromedp.Evaluate(`[...document.querySelectorAll('form.submit-form input[name="token"]')].map(i => i.value)`, &tokens),
	)
	if !strings.Contains(said, "Token wurde nicht angenommen") || tokens[0] != "" || tokens[1] != "" {
		t.Fatalf("after a 401: %q, token fields %q", said, tokens)
	}
	b.checkNoErrors()
}

func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}
