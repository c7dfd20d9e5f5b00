package server_test

import (
	"net/http"
	"testing"
)

// TestWriteInvalidatesOnlyWhatItAffects writes a doctors' figure: the
// payloads of doctors, of the derived indicator built on it and of the
// milestones change ETag; pharmacists' payloads keep theirs.
func TestWriteInvalidatesOnlyWhatItAffects(t *testing.T) {
	a := startApp(t, appOptions{})
	paths := map[string]bool{ // path → must change
		"/api/v1/indicators/HWF_0001/data?countries=AUT": true,
		"/api/v1/indicators/hwf_dnm/regional?year=2020":  true,
		"/api/v1/milestones":                             true,
		"/api/v1/charts/trend?indicator=HWF_0001":        true,
		"/api/v1/indicators/HWF_0014/data?countries=AUT": false,
		"/api/v1/indicators/HWF_0014/regional?year=2020": false,
		"/api/v1/charts/ranking?indicator=HWF_0014":      false,
		"/api/v1/code/rounds":                            false,
		// The catalogue and an indicator show when its data last changed.
		"/api/v1/indicators":          true,
		"/api/v1/indicators/HWF_0001": true,
		"/api/v1/indicators/HWF_0014": false,
	}
	before := map[string]string{}
	for p := range paths {
		before[p] = getJSON(t, a.URL+p, nil).Header.Get("ETag")
	}
	if s, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2020, Value: 60, Source: "test"}); s != http.StatusCreated {
		t.Fatalf("submit: %d", s)
	}
	for p, mustChange := range paths {
		after := getJSON(t, a.URL+p, nil).Header.Get("ETag")
		if changed := after != before[p]; changed != mustChange {
			t.Errorf("%s: ETag changed = %v, want %v", p, changed, mustChange)
		}
	}
	if v, _ := latestValue(t, a.URL, "HWF_0001", "AUT", 2020); v != 60 {
		t.Fatalf("new value not served: %v", v)
	}
}
