package server_test

import (
	"net/http"
	"testing"
)

func TestSubmissionRules(t *testing.T) {
	a := startApp(t, appOptions{})
	tokID, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	good := obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 55.2, Source: "Statistik Austria"}

	t.Run("rejections name row and field", func(t *testing.T) {
		cases := []struct {
			name  string
			row   map[string]any
			field string
		}{
			{"unknown indicator", map[string]any{"indicator": "NOPE", "iso3": "AUT", "year": 2020, "value": 1, "source": "s"}, "indicator"},
			{"derived indicator", map[string]any{"indicator": "hwf_dnm", "iso3": "AUT", "year": 2020, "value": 1, "source": "s"}, "indicator"},
			{"unknown country", map[string]any{"indicator": "HWF_0001", "iso3": "XXX", "year": 2020, "value": 1, "source": "s"}, "iso3"},
			{"year too early", map[string]any{"indicator": "HWF_0001", "iso3": "AUT", "year": 1949, "value": 1, "source": "s"}, "year"},
			{"year in future", map[string]any{"indicator": "HWF_0001", "iso3": "AUT", "year": 2027, "value": 1, "source": "s"}, "year"},
			{"fractional year", map[string]any{"indicator": "HWF_0001", "iso3": "AUT", "year": 2020.5, "value": 1, "source": "s"}, "year"},
			{"negative density", map[string]any{"indicator": "HWF_0001", "iso3": "AUT", "year": 2020, "value": -1, "source": "s"}, "value"},
			{"percentage over 100", map[string]any{"indicator": "mig_doctors_foreign_trained_pct", "iso3": "AUT", "year": 2020, "value": 101, "source": "s"}, "value"},
			{"yes/no not 0 or 1", map[string]any{"indicator": "code_dna", "iso3": "AUT", "year": 2024, "value": 0.5, "source": "s"}, "value"},
			{"value as text", map[string]any{"indicator": "HWF_0001", "iso3": "AUT", "year": 2020, "value": "12", "source": "s"}, "value"},
			{"missing value", map[string]any{"indicator": "HWF_0001", "iso3": "AUT", "year": 2020, "source": "s"}, "value"},
			{"missing source", map[string]any{"indicator": "HWF_0001", "iso3": "AUT", "year": 2020, "value": 1}, "source"},
			{"blank source", map[string]any{"indicator": "HWF_0001", "iso3": "AUT", "year": 2020, "value": 1, "source": "  "}, "source"},
			{"unknown field", map[string]any{"indicator": "HWF_0001", "iso3": "AUT", "year": 2020, "value": 1, "source": "s", "colour": "red"}, "colour"},
		}
		before, _ := a.Store.Version(t.Context())
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				var res struct {
					Error  string `json:"error"`
					Errors []struct {
						Row   int    `json:"row"`
						Field string `json:"field"`
					} `json:"errors"`
				}
				body := mustJSON([]any{good, tc.row})
				resp := call(t, http.MethodPost, a.URL+"/api/v1/observations", aut, "application/json", body, &res)
				if resp.StatusCode != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %s", resp.StatusCode, readBody(t, resp))
				}
				if len(res.Errors) == 0 || res.Errors[0].Row != 2 || res.Errors[0].Field != tc.field {
					t.Fatalf("errors %+v, want row 2 field %q", res.Errors, tc.field)
				}
			})
		}
		after, _ := a.Store.Version(t.Context())
		if after != before {
			t.Fatalf("rejected submissions changed the version %d → %d: not all-or-nothing", before, after)
		}
	})

	t.Run("malformed bodies", func(t *testing.T) {
		for _, tc := range []struct{ name, ct, body, field string }{
			{"broken json", "application/json", `[{"indicator":`, "body"},
			{"empty array", "application/json", `[]`, "body"},
			{"csv without header columns", "text/csv", "iso3,year\nAUT,2020\n", "indicator"},
			{"csv unknown column", "text/csv", "iso3,colour\n", "colour"},
			{"xml", "application/xml", "<x/>", "Content-Type"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var res struct {
					Field string `json:"field"`
				}
				resp := call(t, http.MethodPost, a.URL+"/api/v1/observations", aut, tc.ct, []byte(tc.body), &res)
				want := http.StatusBadRequest
				if tc.field == "Content-Type" {
					want = http.StatusUnsupportedMediaType
				}
				if resp.StatusCode != want || res.Field != tc.field {
					t.Fatalf("status %d field %q, want %d %q", resp.StatusCode, res.Field, want, tc.field)
				}
			})
		}
	})

	t.Run("body over 1 MiB is 413", func(t *testing.T) {
		if status := postOversized(t, a.URL, "/api/v1/observations", aut); status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", status)
		}
	})

	t.Run("scope", func(t *testing.T) {
		if s, _ := submit(t, a.URL, "", good); s != http.StatusUnauthorized {
			t.Errorf("no token: %d, want 401", s)
		}
		if s, _ := submit(t, a.URL, "hwf_not-a-token", good); s != http.StatusUnauthorized {
			t.Errorf("bad token: %d, want 401", s)
		}
		deu := good
		deu.ISO3 = "DEU"
		if s, _ := submit(t, a.URL, aut, deu); s != http.StatusForbidden {
			t.Errorf("other country: %d, want 403", s)
		}
		if s, _ := submit(t, a.URL, aut, good, deu); s != http.StatusForbidden {
			t.Errorf("own and other country: %d, want 403", s)
		}
		if s, _ := submit(t, a.URL, adminToken, deu); s != http.StatusCreated {
			t.Errorf("admin writes any country: %d, want 201", s)
		}
		var res map[string]any
		if r := call(t, http.MethodPost, a.URL+"/api/v1/tokens", aut, "application/json",
			mustJSON(map[string]any{"label": "x", "countries": []string{"AUT"}}), &res); r.StatusCode != http.StatusForbidden {
			t.Errorf("ministry token creating tokens: %d, want 403", r.StatusCode)
		}
	})

	t.Run("csv submission and history", func(t *testing.T) {
		csvBody := "iso3,country,indicator,year,value,unit,source\n" +
			"AUT,Austria,HWF_0006,2020,99.5,\"per 10,000 population\",Statistik Austria 2025 revision\n"
		var res struct {
			Accepted int   `json:"accepted"`
			Version  int64 `json:"version"`
		}
		resp := call(t, http.MethodPost, a.URL+"/api/v1/observations", aut, "text/csv", []byte(csvBody), &res)
		if resp.StatusCode != http.StatusCreated || res.Accepted != 1 || res.Version == 0 {
			t.Fatalf("csv submit: %d %+v %s", resp.StatusCode, res, readBody(t, resp))
		}
		var hist struct {
			Revisions []struct {
				Value  float64 `json:"value"`
				Author string  `json:"author"`
				Source string  `json:"source"`
			} `json:"revisions"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/HWF_0006/history?iso3=AUT&year=2020", &hist)
		n := len(hist.Revisions)
		if n < 2 || hist.Revisions[0].Author != "seed" || hist.Revisions[n-1].Value != 99.5 ||
			hist.Revisions[n-1].Author != "Ministry of Health, Austria" {
			t.Fatalf("history %+v: want the seed value kept and the new revision last", hist.Revisions)
		}
		if v, _ := latestValue(t, a.URL, "HWF_0006", "AUT", 2020); v != 99.5 {
			t.Fatalf("latest %v, want 99.5", v)
		}
	})

	t.Run("revoked token", func(t *testing.T) {
		if r := call(t, http.MethodDelete, a.URL+"/api/v1/tokens/"+tokID, adminToken, "", nil, nil); r.StatusCode != http.StatusNoContent {
			t.Fatalf("revoke: %d", r.StatusCode)
		}
		if s, _ := submit(t, a.URL, aut, good); s != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d, want 401", s)
		}
	})
}
