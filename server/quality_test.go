package server_test

import (
	"html"
	"net/http"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

type coverageJSON struct {
	Countries       int      `json:"countries"`
	MemberStates    int      `json:"member_states"`
	PopulationShare *float64 `json:"population_share"`
	Low             bool     `json:"low_coverage"`
	Rule            string   `json:"coverage_rule"`
}

// TestQualityAPI checks the fields issue 14 adds to the API on the shipped
// data: coverage and the default year's rule on regional figures, statuses
// by milestone type with counts and coverage, distances and staleness on the
// country summary, unverified jumps in JSON and CSV, withheld derived
// figures with their reason, and short citations.
func TestQualityAPI(t *testing.T) {
	a := startApp(t, appOptions{})

	t.Run("regional", func(t *testing.T) {
		var reg struct {
			Year        int           `json:"year"`
			Count       int           `json:"count"`
			Coverage    *coverageJSON `json:"coverage"`
			DefaultYear *struct {
				Year   int    `json:"year"`
				Rule   string `json:"rule"`
				Reason string `json:"reason"`
			} `json:"default_year"`
			Years []struct {
				Year int `json:"year"`
				coverageJSON
			} `json:"years"`
			Rules []string `json:"rules"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/HWF_0001/regional", &reg)
		if reg.DefaultYear == nil || reg.DefaultYear.Rule != indicators.DefaultYearRule || reg.DefaultYear.Year != reg.Year {
			t.Fatalf("default year: %+v (year %d)", reg.DefaultYear, reg.Year)
		}
		if reg.Coverage == nil || reg.Coverage.Low || reg.Coverage.Countries != reg.Count || reg.Coverage.MemberStates != 53 ||
			reg.Coverage.PopulationShare == nil || reg.Coverage.Rule != indicators.CoverageRule {
			t.Fatalf("coverage of %d: %+v", reg.Year, reg.Coverage)
		}
		later := 0
		for _, y := range reg.Years {
			if y.Year > reg.Year {
				later++
				if !y.Low {
					t.Errorf("%d is adequately covered (%d countries) but not the default year %d", y.Year, y.Countries, reg.Year)
				}
			}
		}
		t.Logf("default year %d (%s); %d later low-coverage years", reg.Year, reg.DefaultYear.Reason, later)
		var low struct {
			Coverage *coverageJSON `json:"coverage"`
		}
		// One country's figure for a year nobody else has is low coverage.
		if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2025, Value: 55, Source: "quality test"}); status != http.StatusCreated {
			t.Fatalf("submit: %d", status)
		}
		getJSON(t, a.URL+"/api/v1/indicators/HWF_0001/regional?year=2025", &low)
		if low.Coverage == nil || !low.Coverage.Low || low.Coverage.Countries != 1 {
			t.Errorf("2025 with one country: %+v", low.Coverage)
		}
		var again struct {
			Year int `json:"year"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/HWF_0001/regional", &again)
		if again.Year != reg.Year {
			t.Errorf("one country's 2025 figure moved the default year from %d to %d", reg.Year, again.Year)
		}
	})

	t.Run("milestones", func(t *testing.T) {
		var ms struct {
			Milestones []struct {
				ID     string `json:"id"`
				Type   string `json:"type"`
				Region *struct {
					Status   string         `json:"status"`
					Counts   map[string]int `json:"counts"`
					Total    int            `json:"total"`
					Coverage coverageJSON   `json:"coverage"`
					Reason   string         `json:"reason"`
				} `json:"region"`
				List *struct {
					Status   string `json:"status"`
					Citation string `json:"source_citation"`
				} `json:"list"`
				Round *struct {
					Cited       []any  `json:"cited"`
					AnyReceived bool   `json:"any_received"`
					Label       string `json:"received_label"`
					Headline    string `json:"headline"`
				} `json:"round"`
			} `json:"milestones"`
			Rules []string `json:"rules"`
		}
		getJSON(t, a.URL+"/api/v1/milestones", &ms)
		seen := map[string]bool{}
		for _, m := range ms.Milestones {
			switch m.ID {
			case "G11":
				seen[m.ID] = true
				if m.Type != string(indicators.MilestoneList) || m.List == nil || m.List.Status != string(indicators.StatusNotListed) ||
					m.Region == nil || m.Region.Status != string(indicators.StatusNotListed) || m.Region.Counts["met"] != 0 {
					t.Errorf("G11: type %s list %+v region %+v", m.Type, m.List, m.Region)
				}
			case "G14":
				seen[m.ID] = true
				r := m.Region
				if r == nil || r.Total != 53 || r.Coverage.MemberStates != 53 || r.Coverage.Low {
					t.Fatalf("G14: %+v", r)
				}
				sum := 0
				for _, st := range []string{"met", "on_track", "off_track", "not_met", "stale", "no_data"} {
					n, ok := r.Counts[st]
					if !ok {
						t.Errorf("G14 counts lack %q: %v", st, r.Counts)
					}
					sum += n
				}
				if sum != 53 || r.Counts["stale"] == 0 {
					t.Errorf("G14 counts %v: want 53 in all, Monaco's 2014 figure stale", r.Counts)
				}
			case "G09":
				seen[m.ID] = true
				if m.Round == nil || m.Round.AnyReceived || m.Round.Label != indicators.ReceivedLabel || strings.Contains(m.Round.Headline, "0 of 53") {
					t.Errorf("G09: %+v", m.Round)
				}
			}
		}
		if len(seen) != 3 || len(ms.Rules) == 0 {
			t.Errorf("milestones seen %v, rules %v", seen, ms.Rules)
		}
	})

	t.Run("summary", func(t *testing.T) {
		var sum struct {
			Items []struct {
				Indicator struct {
					ID string `json:"id"`
				} `json:"indicator"`
				Latest *struct {
					Year  int     `json:"year"`
					Value float64 `json:"value"`
				} `json:"latest"`
				Stale     bool          `json:"stale"`
				Coverage  *coverageJSON `json:"regional_coverage"`
				Citation  string        `json:"citation"`
				Distances *struct {
					Headroom  *float64 `json:"headroom"`
					Quartile  int      `json:"quartile"`
					SinceCode *struct {
						FromYear int     `json:"from_year"`
						Absolute float64 `json:"absolute"`
					} `json:"change_since_2010"`
					LastFive *struct {
						Declining bool `json:"declining"`
					} `json:"change_last_5_years"`
				} `json:"distances"`
				Milestones []struct {
					ID     string `json:"id"`
					Result struct {
						Status string `json:"status"`
					} `json:"result"`
				} `json:"milestones"`
			} `json:"indicators"`
		}
		getJSON(t, a.URL+"/api/v1/countries/DEU/summary", &sum)
		found := 0
		for _, it := range sum.Items {
			switch it.Indicator.ID {
			case "hwf_dnm":
				found++
				d := it.Distances
				if d == nil || d.Headroom == nil || d.Quartile < 1 || d.Quartile > 4 || d.SinceCode == nil || it.Coverage == nil || it.Citation == "" {
					t.Errorf("DEU hwf_dnm: distances %+v coverage %+v citation %q", d, it.Coverage, it.Citation)
				}
				for _, m := range it.Milestones {
					if m.ID == "G11" && m.Result.Status != string(indicators.StatusNotListed) {
						t.Errorf("DEU G11: %s, want not_listed", m.Result.Status)
					}
				}
			case "hwf_nurses_density":
				found++
				// 139.6 in 2019 beside a published nursing and midwifery
				// density of 120.27 is withheld.
				if it.Latest != nil && it.Latest.Year == 2019 && it.Latest.Value > 130 {
					t.Errorf("DEU nurses: %+v shown although above its parent", it.Latest)
				}
			}
		}
		if found != 2 {
			t.Fatalf("%d of the 2 indicators found", found)
		}
		var mco struct {
			Items []struct {
				Indicator struct {
					ID string `json:"id"`
				} `json:"indicator"`
				Stale bool `json:"stale"`
			} `json:"indicators"`
		}
		getJSON(t, a.URL+"/api/v1/countries/MCO/summary", &mco)
		for _, it := range mco.Items {
			if it.Indicator.ID == "hwf_dnm" && !it.Stale {
				t.Error("Monaco's density (2014) is not marked stale")
			}
		}
	})

	t.Run("flags", func(t *testing.T) {
		var data struct {
			Rows []struct {
				Year     int    `json:"year"`
				Flag     string `json:"flag"`
				FlagNote string `json:"flag_note"`
				Source   string `json:"source"`
			} `json:"rows"`
			Citation string            `json:"citation"`
			Cited    map[string]string `json:"cited"`
			Rules    []string          `json:"rules"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/HWF_0014/data?countries=CYP&time=2015", &data)
		if len(data.Rows) != 1 || data.Rows[0].Flag != indicators.FlagUnverifiedJump || data.Rows[0].FlagNote == "" {
			t.Fatalf("CYP pharmacists 2015: %+v", data.Rows)
		}
		if strings.Contains(data.Citation, "github.com") || !strings.Contains(data.Citation, "HWF_0014") || !slicesContain(data.Rules, indicators.JumpRule) {
			t.Errorf("citation %q rules %v", data.Citation, data.Rules)
		}
		// The row keeps its provenance (mirror and commit); cited says how a
		// reader cites it: the series' citation.
		if src := data.Rows[0].Source; !strings.Contains(src, "github.com/") || data.Cited[src] != data.Citation || len(data.Cited) != 1 {
			t.Errorf("row source %q cited %v, want it cited as %q", src, data.Cited, data.Citation)
		}
		csv := readBody(t, getJSON(t, a.URL+"/api/v1/indicators/HWF_0014/data?countries=CYP&time=2014..2015&format=csv", nil))
		lines := strings.Split(strings.TrimSpace(csv), "\n")
		if len(lines) != 3 || !strings.HasSuffix(lines[0], ",flag,citation") || strings.Contains(lines[1], indicators.FlagUnverifiedJump) ||
			!strings.Contains(lines[2], ","+indicators.FlagUnverifiedJump+",") {
			t.Errorf("csv:\n%s", csv)
		}
		var nurses struct {
			Withheld []struct {
				ISO3   string `json:"iso3"`
				Year   int    `json:"year"`
				Reason string `json:"reason"`
			} `json:"withheld"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/hwf_nurses_density/data?countries=DEU&time=2019", &nurses)
		if len(nurses.Withheld) != 1 || nurses.Withheld[0].Year != 2019 || !strings.Contains(nurses.Withheld[0].Reason, indicators.WithheldAboveParent) {
			t.Errorf("DEU 2019 nurses withheld: %+v", nurses.Withheld)
		}
	})
}

func slicesContain(s []string, x string) bool {
	for _, v := range s {
		if v == x {
			return true
		}
	}
	return false
}

// TestMethodsPage renders /methods in the four languages: each states
// every rule by the name the API returns.
func TestMethodsPage(t *testing.T) {
	a := startApp(t, appOptions{})
	heading := map[string]string{"en": "Unverified jumps", "fr": "Sauts non vérifiés", "de": "Unbestätigte Sprünge", "ru": "Непроверенные скачки"}
	for lang, h := range heading {
		resp := getJSON(t, a.URL+"/methods?lang="+lang, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, h) || strings.Contains(body, "⟦") {
			t.Errorf("/methods in %s: status %d, heading %q found %v", lang, resp.StatusCode, h, strings.Contains(body, h))
		}
		for _, rule := range []string{indicators.CoverageRule, indicators.RecencyRule, indicators.JumpRule, indicators.QuartileRule} {
			if !strings.Contains(html.UnescapeString(body), rule) {
				t.Errorf("/methods in %s lacks the rule %q", lang, rule)
			}
		}
	}
}

// TestSummaryCitesAsAReader: the country summary's source of each latest
// figure is cited as a reader cites it (the series' citation), never as the
// mirror and commit it was copied from, which the data API keeps.
func TestSummaryCitesAsAReader(t *testing.T) {
	a := startApp(t, appOptions{})
	var sum struct {
		Items []struct {
			Indicator struct {
				ID string `json:"id"`
			} `json:"indicator"`
			Citation string `json:"citation"`
			Latest   *struct {
				Source string `json:"source"`
			} `json:"latest"`
		} `json:"indicators"`
	}
	getJSON(t, a.URL+"/api/v1/countries/DEU/summary", &sum)
	cited := 0
	for _, it := range sum.Items {
		if it.Latest == nil {
			continue
		}
		if strings.Contains(it.Latest.Source, "github.com") {
			t.Errorf("%s: source %q names the mirror", it.Indicator.ID, it.Latest.Source)
		}
		if it.Indicator.ID == "HWF_0001" || it.Indicator.ID == "hwf_dnm" {
			cited++
			if it.Latest.Source != it.Citation {
				t.Errorf("%s: source %q, want the citation %q", it.Indicator.ID, it.Latest.Source, it.Citation)
			}
		}
	}
	if cited != 2 {
		t.Fatalf("%d of HWF_0001 and hwf_dnm have a latest figure", cited)
	}
}
