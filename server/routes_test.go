package server_test

import (
	"encoding/csv"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestDataMatchesShippedFiles checks, for a random sample of country-years
// of every shipped file, that the API answers exactly the value and source
// of the file.
func TestDataMatchesShippedFiles(t *testing.T) {
	a := startApp(t, appOptions{})
	files := []string{"workforce_density.csv", "workforce_counts.csv", "population.csv",
		"workforce_education.csv", "health_expenditure.csv"}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			f, err := os.Open(filepath.Join("..", "store", "seeddata", name))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			recs, err := csv.NewReader(f).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			for i := 0; i < 15; i++ {
				rec := recs[1+rng.IntN(len(recs)-1)] // iso3,year,indicator,value,unit,source
				iso3, year, ind, value, source := rec[0], rec[1], rec[2], rec[3], rec[5]
				var res struct {
					Rows []struct {
						ISO3   string  `json:"iso3"`
						Year   int     `json:"year"`
						Value  float64 `json:"value"`
						Source string  `json:"source"`
					} `json:"rows"`
				}
				resp := getJSON(t, a.URL+"/api/v1/indicators/"+ind+"/data?countries="+iso3+"&time="+year, &res)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s %s %s: status %d", ind, iso3, year, resp.StatusCode)
				}
				want, _ := strconv.ParseFloat(value, 64)
				if len(res.Rows) != 1 || res.Rows[0].Value != want || res.Rows[0].Source != source {
					t.Fatalf("%s %s %s: got %+v, want value %s source %q", ind, iso3, year, res.Rows, value, source)
				}
			}
		})
	}
}

func TestReadAPI(t *testing.T) {
	a := startApp(t, appOptions{})
	t.Run("countries", func(t *testing.T) {
		var res struct {
			Countries []struct {
				ISO3   string   `json:"iso3"`
				Name   string   `json:"name"`
				Groups []string `json:"groups"`
			} `json:"countries"`
		}
		getJSON(t, a.URL+"/api/v1/countries", &res)
		if len(res.Countries) != 53 {
			t.Fatalf("got %d countries, want 53", len(res.Countries))
		}
	})
	t.Run("catalogue", func(t *testing.T) {
		var res struct {
			Indicators []struct {
				ID       string `json:"id"`
				Category string `json:"category"`
				Citation string `json:"citation"`
			} `json:"indicators"`
		}
		getJSON(t, a.URL+"/api/v1/indicators", &res)
		ids := map[string]bool{}
		for _, i := range res.Indicators {
			ids[i.ID] = true
			// Each series says how a reader cites it, as its pages do: the
			// publisher and database, not the shipped file's name.
			if i.Citation == "" || strings.Contains(i.Citation, ".csv") {
				t.Errorf("%s: citation %q", i.ID, i.Citation)
			}
			if i.ID == "HWF_0001" && !strings.HasPrefix(i.Citation, "WHO, Global Health Observatory, National Health Workforce Accounts, HWF_0001") {
				t.Errorf("HWF_0001's citation: %q", i.Citation)
			}
		}
		for _, id := range []string{"HWF_0001", "HWF_0006", "HWF_0010", "HWF_0014", "hwf_dnm", "code_nri_report"} {
			if !ids[id] {
				t.Errorf("catalogue lacks %s", id)
			}
		}
	})
	t.Run("regional aggregates", func(t *testing.T) {
		var res struct {
			Year   int      `json:"year"`
			Count  int      `json:"count"`
			Median *float64 `json:"median"`
			P25    *float64 `json:"p25"`
			P75    *float64 `json:"p75"`
			Min    *struct {
				ISO3  string  `json:"iso3"`
				Value float64 `json:"value"`
			} `json:"min"`
			WeightedMean *float64 `json:"weighted_mean"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/HWF_0001/regional?year=2020", &res)
		if res.Year != 2020 || res.Count < 40 || res.Median == nil || res.P25 == nil || res.P75 == nil ||
			res.Min == nil || res.WeightedMean == nil || !(*res.P25 <= *res.Median && *res.Median <= *res.P75) {
			t.Fatalf("unexpected aggregates %+v", res)
		}
	})
	t.Run("counts have no weighted mean", func(t *testing.T) {
		var res map[string]any
		getJSON(t, a.URL+"/api/v1/indicators/HWF_0002/regional?year=2015", &res)
		if v, ok := res["weighted_mean"]; !ok || v != nil {
			t.Fatalf("weighted_mean = %v, want null", v)
		}
	})
	t.Run("milestones", func(t *testing.T) {
		var res struct {
			Milestones []struct {
				ID     string `json:"id"`
				Year   *int   `json:"year"`
				Region *struct {
					Status string `json:"status"`
				} `json:"region"`
				Citation string `json:"source_citation"`
			} `json:"milestones"`
		}
		getJSON(t, a.URL+"/api/v1/milestones", &res)
		seen := map[string]bool{}
		for _, m := range res.Milestones {
			seen[m.ID] = true
			if m.Citation == "" {
				t.Errorf("%s has no citation", m.ID)
			}
			if (m.ID == "G19" || m.ID == "G20") && m.Year != nil {
				t.Errorf("%s year = %d, want null (not stated in the source)", m.ID, *m.Year)
			}
			if m.ID == "G14" && (m.Region == nil || m.Region.Status == "") {
				t.Errorf("G14 has no regional status")
			}
		}
		if len(seen) != 29 {
			t.Errorf("got %d milestones, want 29", len(seen))
		}
	})
	t.Run("summary", func(t *testing.T) {
		var res struct {
			Country struct {
				ISO3 string `json:"iso3"`
			} `json:"country"`
			Items []struct {
				Indicator struct {
					ID string `json:"id"`
				} `json:"indicator"`
				Latest *struct {
					Year   int     `json:"year"`
					Value  float64 `json:"value"`
					Source string  `json:"source"`
				} `json:"latest"`
				RegionalMedian *float64 `json:"regional_median"`
			} `json:"indicators"`
		}
		getJSON(t, a.URL+"/api/v1/countries/aut/summary", &res)
		if res.Country.ISO3 != "AUT" {
			t.Fatalf("country %q", res.Country.ISO3)
		}
		found := false
		for _, it := range res.Items {
			switch it.Indicator.ID {
			case "HWF_0001":
				found = it.Latest != nil && it.Latest.Source != "" && it.RegionalMedian != nil
			case "code_nri_report":
				if it.Latest != nil {
					t.Errorf("code_nri_report has a value %+v before any submission", it.Latest)
				}
			}
		}
		if !found {
			t.Fatal("HWF_0001 summary lacks latest value, source or regional median")
		}
	})
	t.Run("csv", func(t *testing.T) {
		resp := getJSON(t, a.URL+"/api/v1/indicators/HWF_0001/data?countries=ALB&time=1990&format=csv", nil)
		body := readBody(t, resp)
		// The flag column (issue 14) is empty: ALB 1990 is no unverified jump.
		// The source is the figure's provenance, the citation how a reader
		// cites it.
		want := "iso3,country,indicator,year,value,unit,source,flag,citation\nALB,Albania,HWF_0001,1990,13.78,\"per 10,000 population\",WHO GHO/NHWA via github.com/open-numbers/ddf--who--gho@433fd1ec398e5c7f673e6e7a07a2f5496a0274a8,," +
			"\"WHO, Global Health Observatory, National Health Workforce Accounts, HWF_0001, data to 2023 (newest vintage shipped)\"\n"
		if body != want || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("csv:\n%s\nwant:\n%s", body, want)
		}
		// An export is a submission's layout: sent back (a corrected
		// value), its flag and citation columns are read and ignored.
		back := strings.Replace(body, ",13.78,", ",13.79,", 1)
		if r := call(t, http.MethodPost, a.URL+"/api/v1/observations", adminToken, "text/csv", []byte(back), nil); r.StatusCode != http.StatusCreated {
			t.Fatalf("the export sent back: status %d: %s", r.StatusCode, readBody(t, r))
		}
	})
	t.Run("etag", func(t *testing.T) {
		resp := getJSON(t, a.URL+"/api/v1/indicators/HWF_0001/data?countries=AUT", nil)
		tag := resp.Header.Get("ETag")
		if tag == "" || resp.Header.Get("Cache-Control") == "" {
			t.Fatalf("ETag %q Cache-Control %q", tag, resp.Header.Get("Cache-Control"))
		}
		req, _ := http.NewRequest(http.MethodGet, a.URL+"/api/v1/indicators/HWF_0001/data?countries=AUT", nil)
		req.Header.Set("If-None-Match", tag)
		r2, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.StatusCode != http.StatusNotModified {
			t.Fatalf("status %d, want 304", r2.StatusCode)
		}
	})
	t.Run("series breaks flagged", func(t *testing.T) {
		var res struct {
			Rows []struct {
				Year  int  `json:"year"`
				Break bool `json:"series_break"`
			} `json:"rows"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/HWF_0001/data?countries=AUT&time=1994..2000", &res)
		for _, r := range res.Rows {
			if want := r.Year >= 1995 && r.Year <= 1999; r.Break != want {
				t.Errorf("AUT %d series_break = %v, want %v", r.Year, r.Break, want)
			}
		}
	})
	t.Run("missing stays missing", func(t *testing.T) {
		var res struct {
			Rows    []any    `json:"rows"`
			Missing []string `json:"missing"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/MEDICALGRAD/data?countries=ALB,AUT&time=2015", &res)
		if len(res.Rows) != 1 || len(res.Missing) != 1 || res.Missing[0] != "ALB" {
			t.Fatalf("rows %v missing %v: want AUT's row and ALB missing", res.Rows, res.Missing)
		}
	})
}

func TestBadQueries(t *testing.T) {
	a := startApp(t, appOptions{})
	cases := []struct {
		name, path string
		status     int
		field      string
	}{
		{"unknown indicator", "/api/v1/indicators/NOPE/data", 404, "id"},
		{"unknown country summary", "/api/v1/countries/XXX/summary", 404, "iso3"},
		{"malformed time", "/api/v1/indicators/HWF_0001/data?time=20x0", 400, "time"},
		{"reversed time", "/api/v1/indicators/HWF_0001/data?time=2020..2000", 400, "time"},
		{"time too early", "/api/v1/indicators/HWF_0001/data?time=1800..1900", 400, "time"},
		{"empty time range", "/api/v1/indicators/HWF_0001/data?time=..", 400, "time"},
		{"unknown country", "/api/v1/indicators/HWF_0001/data?countries=AUT,ZZZ", 400, "countries"},
		{"only commas", "/api/v1/indicators/HWF_0001/data?countries=,,", 400, "countries"},
		{"bad year", "/api/v1/indicators/HWF_0001/regional?year=twenty", 400, "year"},
		{"future year", "/api/v1/indicators/HWF_0001/regional?year=2999", 400, "year"},
		{"bad format", "/api/v1/indicators/HWF_0001/data?format=xml", 400, "format"},
		{"history without iso3", "/api/v1/indicators/HWF_0001/history?year=2020", 400, "iso3"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var res struct {
				Error string `json:"error"`
				Field string `json:"field"`
			}
			resp := getJSON(t, a.URL+tc.path, &res)
			if resp.StatusCode != tc.status || res.Field != tc.field || res.Error == "" {
				t.Fatalf("status %d field %q error %q; want %d %q", resp.StatusCode, res.Field, res.Error, tc.status, tc.field)
			}
		})
	}
}
