package server_test

import (
	"net/http"
	"testing"
)

type chartResult struct {
	Chart   string         `json:"chart"`
	Topic   string         `json:"topic"`
	Version int64          `json:"version"`
	Option  map[string]any `json:"option"`
	Table   struct {
		Columns []string `json:"columns"`
		Rows    [][]any  `json:"rows"`
	} `json:"table"`
	Sources []string `json:"sources"`
}

func TestChartsAPI(t *testing.T) {
	a := startApp(t, appOptions{})
	for _, path := range []string{
		"/api/v1/charts/trend?indicator=HWF_0001&countries=AUT,DEU&time=2000..2022",
		"/api/v1/charts/ranking?indicator=hwf_dnm&year=2020",
		"/api/v1/charts/map?indicator=HWF_0006",
		"/api/v1/charts/code",
		"/api/v1/charts/milestones",
		"/api/v1/charts/relationship?x=HWF_0001&y=GHED_CHE_pc_US_SHA2011",
	} {
		t.Run(path, func(t *testing.T) {
			var res chartResult
			resp := getJSON(t, a.URL+path, &res)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %s", resp.StatusCode, readBody(t, resp))
			}
			series, _ := res.Option["series"].([]any)
			if len(series) == 0 || res.Topic == "" || len(res.Table.Columns) == 0 || len(res.Table.Rows) == 0 {
				t.Fatalf("empty chart: %d series, topic %q, table %v", len(series), res.Topic, res.Table.Columns)
			}
			if aria, _ := res.Option["aria"].(map[string]any); aria["enabled"] != true {
				t.Errorf("aria not enabled")
			}
		})
	}
	t.Run("ranking: no data is not zero", func(t *testing.T) {
		var res chartResult
		getJSON(t, a.URL+"/api/v1/charts/ranking?indicator=MEDICALGRAD&year=2015", &res)
		data := res.Option["series"].([]any)[0].(map[string]any)["data"].([]any)
		missing := 0
		for _, d := range data {
			if d.(map[string]any)["value"] == "-" {
				missing++
			}
		}
		if len(data) != 53 || missing < 20 {
			t.Fatalf("%d bars, %d shown as no data; want 53 with the non-OECD countries as no data", len(data), missing)
		}
	})
	t.Run("bad parameters", func(t *testing.T) {
		for path, field := range map[string]string{
			"/api/v1/charts/nope":                              "chart",
			"/api/v1/charts/trend?indicator=NOPE":              "indicator",
			"/api/v1/charts/trend":                             "indicator",
			"/api/v1/charts/ranking?indicator=HWF_0001&year=x": "year",
			"/api/v1/charts/relationship?x=HWF_0001":           "y",
			"/api/v1/charts/trend?indicator=HWF_0001&scale=9":  "scale",
		} {
			var res struct {
				Field string `json:"field"`
			}
			resp := getJSON(t, a.URL+path, &res)
			if resp.StatusCode/100 != 4 || res.Field != field {
				t.Errorf("%s: status %d field %q, want 4xx %q", path, resp.StatusCode, res.Field, field)
			}
		}
	})
}

// TestChartPushedOnWrite subscribes to a chart topic and checks that a
// write pushes the new option with the new value.
func TestChartPushedOnWrite(t *testing.T) {
	a := startApp(t, appOptions{})
	var res chartResult
	getJSON(t, a.URL+"/api/v1/charts/ranking?indicator=HWF_0001&year=2022", &res)
	ws := dialWS(t, a.URL, nil)
	ws.subscribe(res.Topic)
	_, v := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "ALB", Year: 2022, Value: 99.9, Source: "test"})
	m := ws.await(func(m wsMessage) bool { return m.Type == "update" && m.Topic == res.Topic && m.Version >= v })
	var pushed chartResult
	if err := jsonUnmarshal(m.Payload, &pushed); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range pushed.Option["series"].([]any)[0].(map[string]any)["data"].([]any) {
		dm := d.(map[string]any)
		if dm["name"] == "ALB" && dm["value"] == 99.9 {
			found = true
		}
	}
	if !found {
		t.Fatal("pushed ranking lacks ALB = 99.9")
	}
}
