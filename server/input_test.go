package server_test

import (
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// post sends body with the given headers (Content-Type, Content-Encoding, …)
// and decodes an error answer.
func post(t *testing.T, url, token string, headers map[string]string, body []byte) (int, apiErr) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var res apiErr
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatalf("status %d: decode %q: %v", resp.StatusCode, truncate(b), err)
		}
	}
	return resp.StatusCode, res
}

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	if _, err := zw.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestStrictRequestBodies reproduces issue 15's attacks on request bodies
// (items 3, 10 and 12): compressed bodies that inflate past the body limit,
// unknown encodings, inexact media types and charsets, and JSON followed by
// trailing data. Nothing of any of them may be stored.
func TestStrictRequestBodies(t *testing.T) {
	a := startApp(t, appOptions{})
	_, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	obsURL := a.URL + "/api/v1/observations"
	row := mustJSON(obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 55.2, Source: "Statistik Austria"})
	jsonCT := map[string]string{"Content-Type": "application/json"}
	before, _ := a.Store.Version(t.Context())

	t.Run("compressed bodies are bounded by the body limit", func(t *testing.T) {
		// A valid row followed by 2 MiB of blanks: 2 KiB on the wire.
		bomb := append(append([]byte{}, row...), bytes.Repeat([]byte(" "), 2<<20)...)
		for _, tc := range []struct {
			name, encoding string
			body           []byte
			status         int
			field, says    string
		}{
			{"gzip bomb", "gzip", gzipped(t, bomb), http.StatusRequestEntityTooLarge, "body", "1048576 bytes"},
			{"compress", "compress", row, http.StatusUnsupportedMediaType, "Content-Encoding", "gzip"},
			{"unknown", "zstd-ish", row, http.StatusUnsupportedMediaType, "Content-Encoding", "gzip"},
			{"stacked", "gzip, gzip", gzipped(t, gzipped(t, row)), http.StatusUnsupportedMediaType, "Content-Encoding", "one"},
			{"corrupt gzip", "gzip", []byte("not gzip at all"), http.StatusBadRequest, "Content-Encoding", "gzip"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, res := post(t, obsURL, aut, map[string]string{"Content-Type": "application/json", "Content-Encoding": tc.encoding}, tc.body)
				if status != tc.status || res.Field != tc.field || !strings.Contains(res.Error, tc.says) {
					t.Fatalf("status %d field %q %q, want %d %q naming %q", status, res.Field, res.Error, tc.status, tc.field, tc.says)
				}
			})
		}
		if after, _ := a.Store.Version(t.Context()); after != before {
			t.Fatalf("refused bodies changed the version %d → %d", before, after)
		}
		// Within the limit, gzip is read like the plain body.
		status, res := post(t, obsURL, aut, map[string]string{"Content-Type": "application/json", "Content-Encoding": "gzip"}, gzipped(t, row))
		if status != http.StatusCreated {
			t.Fatalf("small gzip body: %d %+v, want 201", status, res)
		}
		before, _ = a.Store.Version(t.Context())
	})

	t.Run("exact media types and utf-8 only", func(t *testing.T) {
		for _, tc := range []struct{ path, ct string }{
			{"/api/v1/observations", "application/jsonp"},
			{"/api/v1/observations", "application/json-seq"},
			{"/api/v1/observations", "application/json; charset=utf-16"},
			{"/api/v1/observations", "text/csv; charset=iso-8859-1"},
			{"/api/v1/observations", "text/csvx"},
			{"/api/v1/observations", "application/xml"},
			{"/api/v1/experiences", "application/jsonp"},
			{"/api/v1/experiences", "application/json; charset=utf-16"},
			{"/api/v1/experiences", "text/csv"},
		} {
			t.Run(tc.path+" "+tc.ct, func(t *testing.T) {
				status, res := post(t, a.URL+tc.path, aut, map[string]string{"Content-Type": tc.ct}, row)
				if status != http.StatusUnsupportedMediaType || res.Field != "Content-Type" {
					t.Fatalf("status %d field %q (%s), want 415 Content-Type", status, res.Field, res.Error)
				}
			})
		}
		for _, ct := range []string{"application/json; charset=UTF-8", "Application/JSON"} {
			r := obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2023, Value: 50, Source: "s " + ct}
			if status, res := post(t, obsURL, aut, map[string]string{"Content-Type": ct}, mustJSON(r)); status != http.StatusCreated {
				t.Fatalf("%q: %d %+v, want 201", ct, status, res)
			}
		}
		before, _ = a.Store.Version(t.Context())
	})

	t.Run("JSON trailing data", func(t *testing.T) {
		deu := mustJSON(obsRow{Indicator: "HWF_0001", ISO3: "DEU", Year: 2024, Value: 50, Source: "s"})
		for _, tc := range []struct{ name, path, body string }{
			{"text after a row", "/api/v1/observations", string(row) + " THIS IS NOT JSON"},
			{"two rows", "/api/v1/observations", string(row) + string(deu)},
			{"text after an array", "/api/v1/observations", "[" + string(row) + "] x"},
			{"experience and text", "/api/v1/experiences", string(mustJSON(goodExperience("AUT"))) + " THIS IS NOT JSON"},
			{"experience and a bracket", "/api/v1/experiences", string(mustJSON(goodExperience("AUT"))) + " ]"},
			{"hide reason and text", "/api/v1/experiences/1/hide", `{"reason":"spam"} x`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, res := post(t, a.URL+tc.path, adminToken, jsonCT, []byte(tc.body))
				if status != http.StatusBadRequest || res.Field != "body" {
					t.Fatalf("status %d field %q (%s), want 400 body", status, res.Field, res.Error)
				}
			})
		}
		if after, _ := a.Store.Version(t.Context()); after != before {
			t.Fatalf("refused bodies changed the version %d → %d", before, after)
		}
	})

	t.Run("control and bidi characters in text fields", func(t *testing.T) {
		bad := map[string]string{
			"NUL": "a\x00b", "ESC": "a\x1b[31mb", "C1": "a\u0085b", "RLO": "a\u202eb", "LRE": "a\u202ab", "RLI": "a\u2067b", "PDI": "a\u2069b",
		}
		for name, s := range bad {
			for _, field := range []string{"source", "note"} {
				t.Run(field+" "+name, func(t *testing.T) {
					r := obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2022, Value: 50, Source: "s", Note: "n"}
					if field == "source" {
						r.Source = s
					} else {
						r.Note = s
					}
					status, res := post(t, obsURL, aut, jsonCT, mustJSON(r))
					if status != http.StatusBadRequest || len(res.Errors) == 0 || res.Errors[0].Field != field {
						t.Fatalf("status %d %+v, want 400 naming %s", status, res, field)
					}
				})
			}
			for _, field := range []string{"title", "text"} {
				t.Run("experience "+field+" "+name, func(t *testing.T) {
					e := goodExperience("AUT")
					e[field] = s
					status, res := post(t, a.URL+"/api/v1/experiences", aut, jsonCT, mustJSON(e))
					if status != http.StatusBadRequest || res.Field != field {
						t.Fatalf("status %d field %q (%s), want 400 %s", status, res.Field, res.Error, field)
					}
				})
			}
		}
		// A note and an experience's text may have lines and tabs.
		r := obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2021, Value: 50, Source: "s", Note: "first line\n\tsecond"}
		if status, res := post(t, obsURL, aut, jsonCT, mustJSON(r)); status != http.StatusCreated {
			t.Fatalf("multi-line note: %d %+v, want 201", status, res)
		}
	})
}

// TestPlausibleValues reproduces issue 15 item 4: a huge finite value was
// stored and then broke the regional, map and derived views with +Inf.
func TestPlausibleValues(t *testing.T) {
	a := startApp(t, appOptions{})
	cases := []struct {
		name, ind string
		value     float64
		ok        bool
	}{
		{"huge density", "HWF_0001", 1.7e308, false},
		{"density above the whole population", "HWF_0001", 10000.5, false},
		{"density of everyone", "HWF_0001", 10000, true},
		{"per 100,000 above the population", "MEDICALGRAD", 100001, false},
		{"headcount above any population", "HWF_0002", 2e9, false},
		{"huge headcount", "HWF_0002", 1.7e308, false},
		{"money per capita above a million", "GHED_CHE_pc_US_SHA2011", 1.5e6, false},
		{"huge share", "GHED_CHEGDP_SHA2011", 1.7e308, false},
		{"huge ratio", "dist_doctors_nuts2_ratio", 1.7e308, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := obsRow{Indicator: tc.ind, ISO3: "AUT", Year: 2020, Value: tc.value, Source: "s"}
			status, res := post(t, a.URL+"/api/v1/observations", adminToken, map[string]string{"Content-Type": "application/json"}, mustJSON([]obsRow{r}))
			if tc.ok {
				if status != http.StatusCreated {
					t.Fatalf("%g: %d %+v, want 201", tc.value, status, res)
				}
				return
			}
			if status != http.StatusBadRequest || len(res.Errors) == 0 || res.Errors[0].Field != "value" {
				t.Fatalf("%g: status %d %+v, want 400 naming value", tc.value, status, res)
			}
		})
	}
	// The largest plausible values leave every region-wide view finite.
	for _, iso3 := range []string{"AUT", "DEU", "FRA"} {
		r := obsRow{Indicator: "HWF_0006", ISO3: iso3, Year: 2020, Value: 10000, Source: "s"}
		if status, res := post(t, a.URL+"/api/v1/observations", adminToken, map[string]string{"Content-Type": "application/json"}, mustJSON([]obsRow{r})); status != http.StatusCreated {
			t.Fatalf("%s: %d %+v", iso3, status, res)
		}
	}
	for _, path := range []string{
		"/api/v1/indicators/HWF_0006/regional", "/api/v1/indicators/hwf_dnm/regional", "/api/v1/indicators/hwf_dnm/data",
		"/api/v1/indicators/HWF_0006/data?format=csv", "/api/v1/charts/map?indicator=hwf_dnm",
	} {
		resp := getJSON(t, a.URL+path, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || strings.Contains(body, "Inf") || strings.Contains(body, "NaN") {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, truncate([]byte(body)))
		}
	}
}

// TestSubmissionCSVStrict reproduces issue 15 item 7: a row with more fields
// than the header (a decimal comma) was stored with its fields shifted.
func TestSubmissionCSVStrict(t *testing.T) {
	a := startApp(t, appOptions{})
	_, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	csvCT := map[string]string{"Content-Type": "text/csv"}
	const header = "iso3,indicator,year,value,unit,source\n"
	before, _ := a.Store.Version(t.Context())
	for _, tc := range []struct {
		name, body, field string
		says              []string
	}{
		{"decimal comma", header + "AUT,HWF_0010,2012,5.5,x,src\nAUT,HWF_0010,2013,5,0,x,src\n", "row",
			[]string{"row 2", "7 fields, the header has 6", "decimal comma"}},
		{"too few fields", header + "AUT,HWF_0010,2012,5\n", "row", []string{"row 1", "4 fields, the header has 6"}},
		{"mixed separators", "iso3;indicator,year;value;source\nAUT;HWF_0010,2012;5,5;src\n", "header", []string{"mixes separators"}},
		{"hex float", header + "AUT,HWF_0010,2012,0x1p4,x,src\n", "value", []string{"plain decimal"}},
		{"underscores", header + "AUT,HWF_0010,2012,1_000,x,src\n", "value", []string{"plain decimal"}},
		{"Inf", header + "AUT,HWF_0010,2012,Inf,x,src\n", "value", []string{"plain decimal"}},
		{"NaN", header + "AUT,HWF_0010,2012,NaN,x,src\n", "value", []string{"plain decimal"}},
		{"exponent", header + "AUT,HWF_0010,2012,1e1,x,src\n", "value", []string{"plain decimal"}},
		{"quoted decimal comma", header + "AUT,HWF_0010,2012,\"5,5\",x,src\n", "value", []string{"decimal comma"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, res := post(t, a.URL+"/api/v1/observations", aut, csvCT, []byte(tc.body))
			if status != http.StatusBadRequest || len(res.Errors) == 0 || res.Errors[0].Field != tc.field {
				t.Fatalf("status %d %+v, want 400 naming %s", status, res, tc.field)
			}
			all := res.Error + " " + res.Errors[0].Message
			for _, s := range tc.says {
				if !strings.Contains(all, s) {
					t.Errorf("%q does not say %q", all, s)
				}
			}
		})
	}
	if after, _ := a.Store.Version(t.Context()); after != before {
		t.Fatalf("refused submissions changed the version %d → %d", before, after)
	}
	for _, v := range []string{"5", "5.25", "+5.5", ".5", "5."} {
		body := header + "AUT,HWF_0010,2012," + v + ",x,src " + v + "\n"
		if status, res := post(t, a.URL+"/api/v1/observations", aut, csvCT, []byte(body)); status != http.StatusCreated {
			t.Fatalf("%q: %d %+v, want 201", v, status, res)
		}
	}
}

// TestCSVFormulaInjection reproduces issue 15 item 8: sources a spreadsheet
// would run as formulas were exported raw.
func TestCSVFormulaInjection(t *testing.T) {
	a := startApp(t, appOptions{})
	sources := map[string]string{
		"AUT": `=HYPERLINK("http://evil.example","x")`, "DEU": "@SUM(1+1)*cmd|' /C calc'!A0", "FRA": "+cmd|' /C calc'!A0", "ITA": "-2+3+cmd|' /C calc'!A0",
	}
	var rows []obsRow
	for iso3, src := range sources {
		rows = append(rows, obsRow{Indicator: "HWF_0014", ISO3: iso3, Year: 2024, Value: 12.5, Source: src})
	}
	if status, _ := submit(t, a.URL, adminToken, rows...); status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	for _, path := range []string{"/api/v1/indicators/HWF_0014/data?format=csv", "/api/v1/indicators/HWF_0014/data?format=csv&countries=AUT,DEU,FRA,ITA,ESP,NLD&time=2024"} {
		resp := getJSON(t, a.URL+path, nil)
		recs, err := csv.NewReader(strings.NewReader(readBody(t, resp))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		seen := 0
		for _, rec := range recs[1:] {
			want, ok := sources[rec[0]]
			if !ok || rec[3] != "2024" {
				continue
			}
			seen++
			if rec[6] != "'"+want {
				t.Errorf("%s: %s source %q, want %q", path, rec[0], rec[6], "'"+want)
			}
			if rec[4] != "12.5" {
				t.Errorf("%s: %s value %q, want a plain number", path, rec[0], rec[4])
			}
		}
		if seen != len(sources) {
			t.Fatalf("%s: %d of %d rows", path, seen, len(sources))
		}
	}
}
