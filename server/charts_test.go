package server_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

type chartResult struct {
	Chart   string         `json:"chart"`
	Topic   string         `json:"topic"`
	Version int64          `json:"version"`
	Option  map[string]any `json:"option"`
	Table   struct {
		Columns []string `json:"columns"`
		Labels  []string `json:"labels"`
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
			"/api/v1/charts/nope":                                                 "chart",
			"/api/v1/charts/trend?indicator=NOPE":                                 "indicator",
			"/api/v1/charts/trend":                                                "indicator",
			"/api/v1/charts/ranking?indicator=HWF_0001&year=x":                    "year",
			"/api/v1/charts/relationship?x=HWF_0001":                              "y",
			"/api/v1/charts/trend?indicator=HWF_0001&scale=9":                     "scale",
			"/api/v1/charts/trend?indicator=HWF_0001&relative_to=20x0":            "relative_to",
			"/api/v1/charts/map?indicator=HWF_0001&relative_to=2010":              "relative_to",
			"/api/v1/charts/trend?indicator=HWF_0001&yscale=cubic":                "yscale",
			"/api/v1/charts/ranking?indicator=HWF_0001&yscale=log":                "yscale",
			"/api/v1/charts/trend?indicator=MEDICALGRAD&countries=LUX&yscale=log": "yscale",
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

// TestChartViewsAPI checks the reader's views over the seeded data: change
// since the Code's adoption, the log scale and its refusal, the events
// marked on a trend, and the timeline's years.
func TestChartViewsAPI(t *testing.T) {
	a := startApp(t, appOptions{})
	t.Run("change since 2010, a country without 2010 named", func(t *testing.T) {
		var res chartResult
		resp := getJSON(t, a.URL+"/api/v1/charts/trend?indicator=HWF_0001&countries=AUT,SMR&relative_to=2010", &res)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("status %d: %s", resp.StatusCode, readBody(t, resp))
		}
		if !strings.Contains(res.Topic, "relative_to=2010") {
			t.Errorf("topic %q does not keep the view", res.Topic)
		}
		col := len(res.Table.Columns) - 1
		if res.Table.Columns[col] != "change_since_2010_pct" {
			t.Fatalf("columns %v", res.Table.Columns)
		}
		var aut2010, aut2015 any
		smr := false
		for _, r := range res.Table.Rows {
			switch {
			case r[0] == "AUT" && r[2] == 2010.0:
				aut2010 = r[col]
			case r[0] == "AUT" && r[2] == 2015.0:
				aut2015 = r[col]
			case r[0] == "SMR":
				smr = smr || r[col] == "no value in 2010"
			}
		}
		// Austria: 48.27 in 2010, 51.24 in 2015 (seed data).
		if aut2010 != 0.0 || aut2015 != 6.1529 {
			t.Errorf("Austria's change: 2010 %v, 2015 %v; want 0 and 6.1529", aut2010, aut2015)
		}
		if !smr {
			t.Error("San Marino's rows do not say it has no value in 2010")
		}
		title, _ := json.Marshal(res.Option["title"])
		if !strings.Contains(string(title), "No value in 2010 (not shown): San Marino") {
			t.Errorf("subtitle does not name San Marino: %s", title)
		}
	})
	t.Run("events with citations on a trend", func(t *testing.T) {
		var res chartResult
		getJSON(t, a.URL+"/api/v1/charts/trend?indicator=HWF_0001&countries=AUT&lang=fr", &res)
		b, _ := json.Marshal(res.Option["series"])
		for _, want := range []string{"WHA63.16", "Cycle 2 de rapports nationaux sur le Code (2015)", "A69/37", `"R3"`, `"formatter":"{b}"`} {
			if !strings.Contains(string(b), want) {
				t.Errorf("series lack %q", want)
			}
		}
	})
	t.Run("log scale", func(t *testing.T) {
		var res chartResult
		getJSON(t, a.URL+"/api/v1/charts/trend?indicator=HWF_0001&countries=AUT&yscale=log", &res)
		if y, _ := json.Marshal(res.Option["yAxis"]); !strings.Contains(string(y), `"type":"log"`) {
			t.Errorf("y axis %s", y)
		}
		var body struct {
			Error, Field string
		}
		resp := getJSON(t, a.URL+"/api/v1/charts/trend?indicator=MEDICALGRAD&countries=LUX&yscale=log", &body)
		if resp.StatusCode != http.StatusBadRequest || body.Field != "yscale" || !strings.Contains(body.Error, "above 0") {
			t.Errorf("status %d %+v", resp.StatusCode, body)
		}
	})
	t.Run("embeds keep the view", func(t *testing.T) {
		resp, err := http.Get(a.URL + "/embed/charts/trend?yscale=linear&relative_to=2010&indicator=HWF_0001&countries=AUT")
		if err != nil {
			t.Fatal(err)
		}
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, `data-query="countries=AUT&amp;indicator=HWF_0001&amp;relative_to=2010"`) {
			t.Errorf("status %d; the embed's chart query is not the canonical view", resp.StatusCode)
		}
		resp, err = http.Get(a.URL + "/embed/charts/trend?indicator=HWF_0001&relative_to=1800")
		if err != nil {
			t.Fatal(err)
		}
		if body := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "relative_to") {
			t.Errorf("bad base year: status %d %s", resp.StatusCode, body)
		}
	})
	t.Run("timeline years", func(t *testing.T) {
		var res struct {
			Years []int `json:"years"`
		}
		getJSON(t, a.URL+"/api/v1/charts/map?indicator=HWF_0001&year=2015", &res)
		if len(res.Years) < 10 || res.Years[0] >= res.Years[len(res.Years)-1] {
			t.Errorf("years %v", res.Years)
		}
	})
}
