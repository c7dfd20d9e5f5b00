package server_test

import (
	"html"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var languagePages = []string{"/", "/countries", "/countries/AUT", "/indicators", "/indicators/HWF_0001?countries=AUT",
	"/milestones", "/roadmap", "/experiences", "/experiences?topic=retention&country=AUT&indicator=HWF_0001", "/indicators/dist_doctors_rural_pct", "/submit", "/submit?indicator=mig_doctors_foreign_trained_pct",
	"/present", "/present/control", "/admin/import", "/embed/countries/AUT", "/embed/charts/ranking?indicator=hwf_dnm", "/methods"}

// TestPagesInEveryLanguage renders every page in each language, chosen by
// ?lang= and by Accept-Language: no message may be missing.
func TestPagesInEveryLanguage(t *testing.T) {
	a := startApp(t, appOptions{})
	for _, lang := range []string{"en", "fr", "de", "ru"} {
		for _, path := range languagePages {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			resp := getJSON(t, a.URL+path+sep+"lang="+lang, nil)
			body := readBody(t, resp)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, `<html lang="`+lang+`"`) {
				t.Errorf("%s in %s: status %d", path, lang, resp.StatusCode)
			}
			if i := strings.Index(body, "⟦"); i >= 0 {
				t.Errorf("%s in %s: missing message %s", path, lang, body[i:min(len(body), i+40)])
			}
		}
	}
	// A milestone's status says why in the page's language, its values
	// with the language's decimal mark; a reporting round's, what is cited
	// for it (TestWhyText has a round with facts and answers).
	for lang, wants := range map[string][]string{
		"en": {"median of latest values 112.78 meets the threshold; 48 of 53 met", "(Round 5 (2024): no count cited)"},
		"fr": {"la médiane des dernières valeurs, 112,78, atteint le seuil ; 48 sur 53 atteints", "(Cycle 5 (2024) : aucun chiffre cité)"},
		"de": {"der Median der letzten Werte, 112,78, erreicht den Schwellenwert; 48 von 53 erreicht", "(Runde 5 (2024): keine Zahl zitiert)"},
		"ru": {"медиана последних значений (112,78) достигает порога; 48 из 53 достигли", "(Раунд 5 (2024): цифры не приводятся)"},
	} {
		for _, path := range []string{"/milestones", "/roadmap"} {
			body := html.UnescapeString(readBody(t, getJSON(t, a.URL+path+"?lang="+lang, nil)))
			for _, want := range wants {
				if !strings.Contains(body, want) {
					t.Errorf("%s in %s: no %q", path, lang, want)
				}
			}
		}
	}
	// Sources cite publishers as published, hwfdash's own words in the
	// page's language: a derived series' chart, the indicator page's source
	// line, a country's summary.
	for path, want := range map[string]string{
		"/api/v1/charts/trend?indicator=hwf_dnm&countries=AUT&lang=fr":            "hwfdash, calculé (somme) à partir de WHO, Global Health Observatory",
		"/indicators/hwf_dnm?lang=fr":                                             "Source\u00a0: hwfdash, calculé (somme) à partir de WHO", // French sets its colon apart
		"/indicators/HWF_0010?lang=de":                                            "Quelle: WHO, Global Health Observatory, National Health Workforce Accounts, HWF_0010, Daten bis",
		"/api/v1/charts/map?indicator=HWF_0001&lang=de":                           "Quelle: WHO, Global Health Observatory, National Health Workforce Accounts; Jahr", // a subtitle names publisher and database, as the figure's source line starts
		"/api/v1/charts/ranking?indicator=code_dna&lang=fr":                       `"text":"Autorité nationale désignée pour le Code"`,                                // no Member State has a value: no "Année : 0"
		"/indicators/hwf_dnm?lang=de":                                             "Quelle: hwfdash",
		"/countries/DEU?lang=de":                                                  "<td>Daten bis 2023 (neueste mitgelieferte Fassung)</td>", // the freshness table's vintage
		"/indicators/HWF_0001?lang=fr":                                            "Global Health Observatory, National Health Workforce Accounts, HWF_0001, données jusqu'à 2023",
		"/api/v1/countries/DEU/summary?lang=de":                                   "hwfdash, berechnet (Summe) aus WHO",
		"/api/v1/countries/DEU/summary":                                           "hwfdash, computed (sum) from WHO",
		"/api/v1/charts/trend?indicator=hwf_nurses_density&countries=AUT&lang=ru": "Непроверенный скачок: +51 % по сравнению с 68,65 в 2018 г.",                                                            // a jump's note, in a chart's table and its mark
		"/api/v1/countries/AUT/summary":                                           `"flag_note":"+51 % from 68.65 in 2018; not a listed series break","flag_why":{"key":"jump_up","nums":[51,68.65,2018]}`, // the page says it in its language
		"/countries/DEU?lang=ru":                                                  "Государства-члены отчитываются о выполнении Кодекса каждые три года",                                                   // the next round's basis
		"/present?lang=fr":                                                        "hwfdash · Région européenne de l'OMS",
		"/api/v1/charts/ranking?indicator=hwf_dnm&lang=fr":                        "Source\u00a0: hwfdash, d'après WHO",                                                                                                                                                                                                                                                                       // a chart's subtitle sets its colon apart in French
		"/api/v1/charts/trend?indicator=hwf_dnm&lang=fr":                          `"formatter":"G14: 44,5 (2030)"`,                                                                                                                                                                                                                                                                           // a target's label, with the language's decimal mark
		"/api/v1/charts/milestones?lang=fr":                                       "G14: WHO. Health workforce requirements for universal health coverage and the Sustainable Development Goals (Human Resources for Health Observer 17). Geneva: World Health Organization; 2016. ISBN 978 92 4 151140 7 (as commonly attributed) (note de vérification\u00a0: Source secondaire uniquement", // a chart's sources: the citation, then the curator's note in the page's language
		"/indicators/code_dna?lang=de":                                            "Quelle: Nationale Berichte über die Umsetzung des Globalen Verhaltenskodex der WHO",                                                                                                                                                                                                                       // a submitted indicator's source note
		"/?lang=ru":                                                               "<b>май 2022 г.</b>",                                                                                                                                                                                                                                                                                       // a round's date as its source gives it ("May 2022"), in the page's words
		"/api/v1/charts/ranking?indicator=HWF_0001&lang=fr":                       "National Health Workforce Accounts\u00a0; Année\u00a0:",                                                                                                                                                                                                                                                   // French sets its semicolon apart too
		"/api/v1/charts/trend?indicator=hwf_dnm&countries=DEU&lang=fr":            "données jusqu'à 2023 (version la plus récente fournie)\u00a0; WHO, Global Health Observatory",
		"/milestones?lang=ru":                                                     "(примечание о проверке: <span>Только вторичный источник", // a citation's verification note
	} {
		body := html.UnescapeString(readBody(t, getJSON(t, a.URL+path, nil)))
		if !strings.Contains(body, want) {
			t.Errorf("%s: no %q", path, want)
		}
		if !strings.HasPrefix(path, "/api/") && strings.Contains(body, "as mirrored by") {
			t.Errorf("%s: a mirror named where a reader reads the vintage", path)
		}
		if !strings.HasPrefix(path, "/api/") && strings.Contains(path, "lang=") &&
			(strings.Contains(body, "Member States report on the Code") || strings.Contains(body, "hwfdash · WHO European Region") || strings.Contains(body, "Secondary source only")) {
			t.Errorf("%s: hwfdash's words in English on the page", path)
		}
		if strings.Contains(body, "Verify before display") || strings.Contains(body, "SECONDARY SOURCE ONLY") {
			t.Errorf("%s: the curator's notes to themselves, where a reader reads the citation", path)
		}
		if strings.Contains(path, "lang=") && (strings.Contains(body, "computed (") || strings.Contains(body, "hwfdash, from") || strings.Contains(body, "newest vintage shipped")) {
			t.Errorf("%s: hwfdash's words in English in a source", path)
		}
		// What a reader sees (pages, charts) cites publishers; the API's
		// catalogue keeps the file a series ships in.
		shown := !strings.HasPrefix(path, "/api/") || strings.HasPrefix(path, "/api/v1/charts/")
		for _, file := range []string{"workforce_density.csv", "workforce_counts.csv", "health_expenditure.csv", "workforce_education.csv"} {
			if shown && strings.Contains(body, file) {
				t.Errorf("%s: cites the file %s hwfdash ships, not its publisher", path, file)
			}
		}
		if strings.Contains(body, ": 0;") || strings.Contains(body, ", 0\"") {
			t.Errorf("%s: a year 0 where there is no year", path)
		}
	}
	// A milestone's copies (sandbox, reprint) are labelled in the page's
	// language, the address as it is.
	for lang, want := range map[string][]string{
		"en": {"[sandbox or test copy: https://", "[reprint: http"},
		"fr": {"[copie de test ou de préproduction\u00a0: https://", "[reproduction\u00a0: http"},
		"de": {"[Test- oder Sandbox-Kopie: https://", "[Nachdruck: http"},
	} {
		body := html.UnescapeString(readBody(t, getJSON(t, a.URL+"/milestones?lang="+lang, nil)))
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("/milestones in %s: no %q", lang, w)
			}
		}
		if lang != "en" && strings.Contains(body, "[reprint") {
			t.Errorf("/milestones in %s: a copy labelled in English", lang)
		}
	}
	// The Code's cited facts name what they count in the page's language.
	for lang, want := range map[string]string{
		"en": "<b>40</b> designated national authorities, European Region",
		"fr": "<b>40</b> autorités nationales désignées, Région européenne",
		"de": "<b>40</b> benannte nationale Behörden, Europäische Region",
		"ru": "<b>40</b> — назначенные национальные органы, Европейский регион",
	} {
		if body := readBody(t, getJSON(t, a.URL+"/?lang="+lang, nil)); !strings.Contains(body, want) {
			t.Errorf("/ in %s: no %q", lang, want)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, a.URL+"/milestones", nil)
	req.Header.Set("Accept-Language", "de-CH,de;q=0.9,en;q=0.5")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Language") != "de" {
		t.Fatalf("Accept-Language de gave %q", resp.Header.Get("Content-Language"))
	}
	var fr chartResult
	getJSON(t, a.URL+"/api/v1/charts/ranking?indicator=hwf_dnm&year=2020&lang=fr", &fr)
	data := fr.Option["yAxis"].([]any)[0].(map[string]any)["data"].([]any)
	if !containsAny(data, "Allemagne") {
		t.Fatalf("French ranking lacks Allemagne: %v", data[:5])
	}
	// Units read in the chart's language too: the map's legend, every axis.
	var frMap chartResult
	resp = getJSON(t, a.URL+"/api/v1/charts/map?indicator=hwf_dnm&lang=fr", &frMap)
	if body := readBody(t, resp); !strings.Contains(body, "pour 10 000 habitants") || strings.Contains(body, "per 10,000 population") {
		t.Fatalf("French map: unit not translated: %s", truncate([]byte(body)))
	}
	for path, want := range map[string]string{
		"/api/v1/charts/trend?indicator=hwf_dnm&countries=AUT&lang=fr": "G11 échéance",
		"/api/v1/charts/code?lang=fr":                                  "Sources : rapports reçus par hwfdash",
		"/api/v1/charts/map?indicator=hwf_dnm&lang=de":                 "Karte: Ärzte", // the aria description
	} {
		if body := readBody(t, getJSON(t, a.URL+path, nil)); !strings.Contains(body, want) {
			t.Fatalf("%s lacks %q", path, want)
		}
	}
	// A chart's table (shown under "Table", downloaded as "CSV (shown)")
	// reads in the chart's language: its headings, the countries, the
	// median's row and note, statuses and scopes; a shipped figure's source
	// is cited as a reader cites it, not by the mirror and commit it was
	// copied from. Its column keys (the CSV's header) stay the same.
	for _, c := range []struct {
		path string
		want []string // cells or headings the table must have
	}{
		{"/api/v1/charts/trend?indicator=hwf_dnm&countries=DEU&time=2010..2015&lang=fr",
			[]string{"Pays", "Unité", "Allemagne", "Médiane régionale", "hwfdash\u00a0: médiane de", "hwfdash, calculé (somme) à partir de WHO"}},
		{"/api/v1/charts/trend?indicator=HWF_0001&countries=DEU&relative_to=2010&lang=de",
			[]string{"Veränderung in % seit 2010", "Deutschland", "Regionaler Median", "WHO, Global Health Observatory"}},
		{"/api/v1/charts/map?indicator=hwf_dnm&year=2020&lang=fr", []string{"Situation au regard du jalon", "Allemagne", `"atteint"`}},
		{"/api/v1/charts/milestones?lang=ru", []string{"Статус в Регионе", "Европейские"}},
		{"/api/v1/charts/code?lang=de", []string{"Bei hwfdash eingegangene Berichte", "Berichtsjahr"}},
		{"/api/v1/charts/relationship?x=HWF_0001&y=GHED_CHE_pc_US_SHA2011&lang=fr", []string{"Indicateur (x)", "Allemagne"}},
	} {
		var res chartResult
		resp := getJSON(t, a.URL+c.path, &res)
		body := readBody(t, resp)
		if len(res.Table.Labels) != len(res.Table.Columns) {
			t.Errorf("%s: %d headings for %d columns", c.path, len(res.Table.Labels), len(res.Table.Columns))
		}
		for i, l := range res.Table.Labels {
			if l == res.Table.Columns[i] || strings.Contains(l, "_") {
				t.Errorf("%s: column %s has no heading (%q)", c.path, res.Table.Columns[i], l)
			}
		}
		for _, want := range c.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: table lacks %q", c.path, want)
			}
		}
		for _, row := range res.Table.Rows {
			for _, cell := range row {
				if s, _ := cell.(string); strings.Contains(s, "github.com/") || strings.Contains(s, "Regional median") || strings.Contains(s, "hwfdash: median") {
					t.Errorf("%s: a cell as stored or in English: %q", c.path, s)
				}
			}
		}
	}
	var bad struct {
		Field string `json:"field"`
	}
	if r := getJSON(t, a.URL+"/api/v1/charts/code?lang=xx", &bad); r.StatusCode != http.StatusBadRequest || bad.Field != "lang" {
		t.Fatalf("lang=xx: %d %q", r.StatusCode, bad.Field)
	}
}

func containsAny(xs []any, want string) bool {
	for _, x := range xs {
		if s, _ := x.(string); strings.HasPrefix(s, want) {
			return true
		}
	}
	return false
}

// medianCell is a regional median as a country's table shows it: the
// value, then its year and the count of Member States behind it.
var medianCell = regexp.MustCompile(`^\d[\d\s.,  ]*\(\d{4}, \d+ `)

// TestBrowserLanguages loads pages in each language in the browser: the
// script's messages are complete too, and charts are drawn.
func TestBrowserLanguages(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	b := newBrowser(t)
	for _, lang := range []string{"fr", "de", "ru"} {
		for _, path := range []string{"/?lang=" + lang, "/countries/AUT?lang=" + lang, "/indicators/HWF_0006?countries=DEU&lang=" + lang} {
			ctx := b.tab()
			var text string
			run(t, ctx, 60*time.Second,
				chromedp.Navigate(a.URL+path),
				chromedp.Poll(chartsReady, nil, chromedp.WithPollingTimeout(45*time.Second)),
				chromedp.Poll(`document.querySelector('.live').dataset.state === 'live' && [...document.querySelectorAll('table.summary, table.data-table')].every(t => t.dataset.state === 'ready')`, nil, chromedp.WithPollingTimeout(30*time.Second)),
				chromedp.Evaluate(renderSections+` document.body.innerText`, &text),
			)
			if i := strings.Index(text, "⟦"); i >= 0 {
				t.Errorf("%s: missing message %s", path, text[i:min(len(text), i+40)])
			}
			// Tables cite a shipped figure as a reader does, in the page's
			// language, and head their columns in it.
			var cells struct {
				Sources  []string `json:"sources"`
				Headings []string `json:"headings"`
				Citation string   `json:"citation"`
			}
			run(t, ctx, 10*time.Second, chromedp.Evaluate(`({
				sources: [...document.querySelectorAll('table.data-table td.source, .chart-table td')].map(td => td.textContent),
				headings: [...document.querySelectorAll('.chart-table th')].map(th => th.textContent),
				citation: (document.querySelector('table.data-table') || {dataset: {}}).dataset.citation || ''})`, &cells))
			for _, c := range cells.Sources {
				if strings.Contains(c, "github.com/") || strings.Contains(c, "computed (") || strings.Contains(c, "Regional median") {
					t.Errorf("%s: a table cell as stored or in English: %q", path, c)
					break
				}
			}
			for _, h := range cells.Headings {
				if h == "iso3" || h == "country" || h == "source" || h == "unit" {
					t.Errorf("%s: a chart table's heading %q", path, h)
				}
			}
			if strings.HasPrefix(path, "/indicators/") && (cells.Citation == "" || !slices.Contains(cells.Sources, cells.Citation)) {
				t.Errorf("%s: the table does not cite the series as %q (%d source cells)", path, cells.Citation, len(cells.Sources))
			}
			// The country table's milestone statuses say why in the page's
			// language (the script's why(), from the summary's JSON).
			if strings.HasPrefix(path, "/countries/") {
				// A regional median names its year and how many Member
				// States it is of.
				var medians []string
				run(t, ctx, 10*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('table.summary tbody tr')].map(r => r.cells[3] ? r.cells[3].textContent : '')`, &medians))
				named := 0
				for _, m := range medians {
					if medianCell.MatchString(m) {
						named++
					}
				}
				if named < 5 {
					t.Errorf("%s: %d regional medians name their year and count (%q)", path, named, medians)
				}
				var titles []string
				run(t, ctx, 10*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('table.summary span[class^="status-"][title]')].map(s => s.title)`, &titles))
				if len(titles) == 0 {
					t.Errorf("%s: no milestone status with its reason", path)
				}
				for _, ti := range titles {
					for _, en := range []string{"threshold", "meets", "trend", "not met", "no data", "reported", "value", "Round ", "cited", "received"} {
						if strings.Contains(ti, en) {
							t.Errorf("%s: a status's reason in English: %q", path, ti)
						}
					}
				}
				// Austria's shipped series have unverified jumps: each
				// flag's note too is in the page's language.
				var notes []string
				run(t, ctx, 10*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('table.summary span.flag[title]')].map(s => s.title).filter(Boolean)`, &notes))
				if len(notes) == 0 {
					t.Errorf("%s: no flag with its note", path)
				}
				for _, n := range notes {
					if strings.Contains(n, " from ") || strings.Contains(n, "series break") {
						t.Errorf("%s: a flag's note in English: %q", path, n)
					}
				}
				// Austria's nursing series jumps in 2019: its changes since
				// 2010 and over the last 5 years say they cross it.
				var across bool
				run(t, ctx, 10*time.Second, chromedp.Evaluate(`(() => { const w = JSON.parse(document.body.dataset.messages)['dist.across_break'];
				  const d = document.querySelector('table.summary tbody tr a[href*="/indicators/HWF_0006"]').closest('tr').querySelector('.distances');
				  return !!w && !!d && d.textContent.split('(' + w + ')').length === 3; })()`, &across))
				if !across {
					t.Errorf("%s: Austria's nursing changes do not say they cross a jump", path)
				}
			}
			if lang == "ru" && strings.HasPrefix(path, "/?") {
				screenshot(t, ctx, "overview-ru")
			}
		}
	}
	b.checkNoErrors()
}
