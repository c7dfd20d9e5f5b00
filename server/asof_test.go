package server_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestAsOfAnswersWhatStoodThen revises one figure several times and asks
// every read endpoint, pinned to each version, for what was true then.
func TestAsOfAnswersWhatStoodThen(t *testing.T) {
	a := startApp(t, appOptions{})
	_, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	before, err := a.Store.Version(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	values := []float64{61.37, 62.41, 63.59}
	var versions []int64
	for _, v := range values {
		status, ver := submit(t, a.URL, aut, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2025, Value: v, Source: "Statistik Austria"})
		if status != http.StatusCreated {
			t.Fatalf("submit %v: status %d", v, status)
		}
		versions = append(versions, ver)
	}
	pinned := func(path string, asOf int64) string {
		sep := "?"
		if strings.Contains(path, "?") {
			sep = "&"
		}
		return fmt.Sprintf("%s%s%sas_of=%d", a.URL, path, sep, asOf)
	}

	for i, ver := range append([]int64{before}, versions...) {
		t.Run(fmt.Sprintf("version %d", ver), func(t *testing.T) {
			// want is the value that stood at ver; 0: none yet.
			want, revisions := 0.0, i
			if i > 0 {
				want = values[i-1]
			}
			var data struct {
				Version int64 `json:"version"`
				Rows    []struct {
					Value float64 `json:"value"`
				} `json:"rows"`
				Missing []string `json:"missing"`
			}
			resp := getJSON(t, pinned("/api/v1/indicators/HWF_0001/data?countries=AUT&time=2025", ver), &data)
			if cc := resp.Header.Get("Cache-Control"); cc != "public, max-age=31536000, immutable" {
				t.Errorf("data Cache-Control %q, want immutable", cc)
			}
			if data.Version != ver {
				t.Errorf("data version %d, want %d", data.Version, ver)
			}
			switch {
			case want == 0 && (len(data.Rows) != 0 || len(data.Missing) != 1):
				t.Errorf("data before the first write: %+v, want AUT missing", data)
			case want != 0 && (len(data.Rows) != 1 || data.Rows[0].Value != want):
				t.Errorf("data rows %+v, want %v", data.Rows, want)
			}

			var reg struct {
				Count  int      `json:"count"`
				Median *float64 `json:"median"`
			}
			getJSON(t, pinned("/api/v1/indicators/HWF_0001/regional?year=2025", ver), &reg)
			if want == 0 && reg.Count != 0 || want != 0 && (reg.Count != 1 || reg.Median == nil || *reg.Median != want) {
				t.Errorf("regional count %d median %v, want %v", reg.Count, reg.Median, want)
			}

			var hist struct {
				Revisions []struct {
					Value float64 `json:"value"`
				} `json:"revisions"`
			}
			getJSON(t, pinned("/api/v1/indicators/HWF_0001/history?iso3=AUT&year=2025", ver), &hist)
			if len(hist.Revisions) != revisions {
				t.Errorf("history has %d revisions, want %d", len(hist.Revisions), revisions)
			}

			var sum struct {
				Items []struct {
					Indicator struct {
						ID string `json:"id"`
					} `json:"indicator"`
					Latest *struct {
						Year  int     `json:"year"`
						Value float64 `json:"value"`
					} `json:"latest"`
				} `json:"indicators"`
			}
			getJSON(t, pinned("/api/v1/countries/AUT/summary", ver), &sum)
			for _, it := range sum.Items {
				if it.Indicator.ID != "HWF_0001" {
					continue
				}
				if want != 0 && (it.Latest == nil || it.Latest.Year != 2025 || it.Latest.Value != want) {
					t.Errorf("summary latest %+v, want 2025 = %v", it.Latest, want)
				}
				if want == 0 && it.Latest != nil && it.Latest.Year == 2025 {
					t.Errorf("summary shows 2025 = %v before it was written", it.Latest.Value)
				}
			}

			chart := call(t, http.MethodGet, pinned("/api/v1/charts/trend?indicator=HWF_0001&countries=AUT&time=2025..2025", ver), "", "", nil, nil)
			body := readBody(t, chart)
			for j, v := range values {
				has := strings.Contains(body, fmt.Sprint(v))
				if has != (j == i-1) {
					t.Errorf("trend chart mentions %v: %v (want only %v)", v, has, want)
				}
			}

			for _, path := range []string{"/api/v1/milestones", "/api/v1/code/rounds", "/api/v1/indicators",
				"/api/v1/indicators/HWF_0001", "/api/v1/experiences", "/api/v1/roadmap"} {
				resp := call(t, http.MethodGet, pinned(path, ver), "", "", nil, nil)
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
					t.Errorf("%s pinned: status %d Cache-Control %q", path, resp.StatusCode, resp.Header.Get("Cache-Control"))
				}
				resp.Body.Close()
			}
		})
	}

	t.Run("live is the newest", func(t *testing.T) {
		if v, ok := latestValue(t, a.URL, "HWF_0001", "AUT", 2025); !ok || v != values[len(values)-1] {
			t.Fatalf("live value %v, %v", v, ok)
		}
	})

	t.Run("bad as_of names the parameter", func(t *testing.T) {
		cur := versions[len(versions)-1]
		for _, q := range []string{fmt.Sprint(cur + 1), "0", "-3", "abc", "1.5"} {
			for _, path := range []string{"/api/v1/indicators/HWF_0001/data", "/api/v1/milestones", "/api/v1/charts/code", "/api/v1/experiences", "/countries/AUT"} {
				var res struct {
					Field string `json:"field"`
				}
				out := any(&res)
				if !strings.HasPrefix(path, "/api") {
					out = nil // a page answers in HTML
				}
				resp := call(t, http.MethodGet, a.URL+path+"?as_of="+q, "", "", nil, out)
				if resp.StatusCode != http.StatusBadRequest {
					t.Errorf("%s?as_of=%s: status %d, want 400", path, q, resp.StatusCode)
				}
				if out != nil && res.Field != "as_of" {
					t.Errorf("%s?as_of=%s: field %q, want as_of", path, q, res.Field)
				}
			}
		}
	})
}
