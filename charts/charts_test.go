package charts

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var (
	doctors = indicators.Indicator{ID: "HWF_0001", Name: "Medical doctors (per 10 000 population)", ShortName: "Doctors",
		Unit: "per 10,000 population", Kind: indicators.KindDensity, Source: "WHO GHO/NHWA"}
	spend = indicators.Indicator{ID: "GHED_CHE_pc_US_SHA2011", Name: "Current health expenditure per capita", ShortName: "Health spending",
		Unit: "US$ per capita", Kind: indicators.KindAmount, Source: "WHO GHED"}
	names = map[string]string{"AUT": "Austria", "DEU": "Germany", "MLT": "Malta", "ALB": "Albania"}
	y2030 = 2030
	g14   = indicators.Milestone{ID: "G14", Scope: "global", Year: ptr(2016), Title: "SDG index threshold",
		Measure: &indicators.Measure{Indicator: "HWF_0001", Comparison: indicators.AtLeast, Target: 44.5, DueYear: 2030}}
)

func ptr[T any](v T) *T { return &v }

func o(iso3 string, year int, v float64) indicators.Observation {
	return indicators.Observation{Indicator: "HWF_0001", ISO3: iso3, Year: year, Value: v, Source: "WHO GHO/NHWA"}
}

func golden(t *testing.T, name string, opt Option) {
	t.Helper()
	got, err := json.MarshalIndent(opt, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./charts -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from %s (run go test ./charts -update and review the diff)", name, path)
	}
}

func trendInput() TrendInput {
	brk := o("AUT", 2021, 53.1)
	brk.Break = true
	return TrendInput{Indicator: doctors, Names: names,
		Series:     map[string][]indicators.Observation{"AUT": {o("AUT", 2019, 52.0), o("AUT", 2020, 52.5), brk}, "MLT": nil},
		Band:       []Band{{Year: 2019, Median: ptr(35.0), P25: ptr(30.0), P75: ptr(40.0)}, {Year: 2020, Median: ptr(36.0), P25: ptr(31.0), P75: ptr(41.0)}},
		Milestones: []indicators.Milestone{g14}}
}

func TestGolden(t *testing.T) {
	values := map[string]*indicators.Observation{"AUT": ptr(o("AUT", 2020, 52.5)), "DEU": ptr(o("DEU", 2020, 45.0)),
		"ALB": ptr(o("ALB", 2020, 18.0)), "MLT": nil}
	countries := []string{"ALB", "AUT", "DEU", "MLT"}
	status := map[string]indicators.Status{"AUT": indicators.StatusMet, "DEU": indicators.StatusMet, "ALB": indicators.StatusOffTrack, "MLT": indicators.StatusNoData}
	cases := map[string]func() (Option, error){
		"trend": func() (Option, error) { return Trend(trendInput(), Style{FontScale: 1}) },
		"trend_projector": func() (Option, error) {
			return Trend(trendInput(), Style{FontScale: 2})
		},
		"ranking": func() (Option, error) {
			return Ranking(RankingInput{Indicator: doctors, Year: 2020, Values: values, Names: names, Countries: countries,
				Status: status, Target: ptr(44.5), TargetLabel: "G14: 44.5 (2030)"}, Style{FontScale: 1})
		},
		"map": func() (Option, error) {
			return Map(MapInput{Indicator: doctors, Year: 2020, Values: values, Names: names, Countries: countries,
				Small: []SmallState{{ISO3: "MLT", Lon: 14.4, Lat: 35.9}}}, Style{FontScale: 1})
		},
		"code": func() (Option, error) {
			return CodeReporting(CodeInput{Names: names, Countries: countries, Rounds: []Round{
				{Number: 3, Year: 2018, Members: 4, CitedEurope: ptr(29.0), CitedLabel: "cited: 29 (interim)"},
				{Number: 5, Year: 2024, Members: 4, Reported: []string{"AUT"}, NotReported: []string{"MLT"}}}}, Style{FontScale: 1})
		},
		"milestones": func() (Option, error) {
			return Milestones(MilestonesInput{CurrentYear: 2026, Status: map[string]indicators.Status{"G14": indicators.StatusOnTrack},
				Milestones: []indicators.Milestone{g14, {ID: "E07", Scope: "europe", Year: ptr(2012), Title: "Roadmap"},
					{ID: "G19", Scope: "global", Title: "Milestone 3.1 (year not stated)"}}}, Style{FontScale: 1})
		},
		"relationship": func() (Option, error) {
			return Relationship(ScatterInput{X: doctors, Y: spend, Names: names, Points: []Point{
				{ISO3: "DEU", X: 45, Y: 6000, XYear: 2020, YYear: 2021}, {ISO3: "AUT", X: 52.5, Y: 5800, XYear: 2020, YYear: 2021}}}, Style{FontScale: 1})
		},
	}
	for name, build := range cases {
		t.Run(name, func(t *testing.T) {
			opt, err := build()
			if err != nil {
				t.Fatal(err)
			}
			golden(t, name, opt)
		})
	}
}

// series returns the i-th series as the browser receives it (after JSON).
func series(t *testing.T, opt Option, i int) map[string]any {
	t.Helper()
	return generic(t, opt)["series"].([]any)[i].(map[string]any)
}

func generic(t *testing.T, opt Option) Option {
	t.Helper()
	b, err := json.Marshal(opt)
	if err != nil {
		t.Fatal(err)
	}
	var out Option
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestSemantics(t *testing.T) {
	t.Run("trend: labels of close targets do not overlap", func(t *testing.T) {
		in := trendInput()
		g11 := g14
		g11.ID, g11.Measure = "G11", &indicators.Measure{Indicator: g14.Measure.Indicator, Target: 49, DueYear: 2030}
		far := g14
		far.ID, far.Measure = "X", &indicators.Measure{Indicator: g14.Measure.Indicator, Target: 20, DueYear: 2030}
		in.Milestones = []indicators.Milestone{g14, g11, far}
		opt, _ := Trend(in, Style{})
		opt = generic(t, opt)
		pos := map[string]string{}
		for _, d := range series(t, opt, 2)["markLine"].(map[string]any)["data"].([]any) {
			dm := d.(map[string]any)
			if _, ok := dm["yAxis"]; ok {
				pos[dm["name"].(string)] = dm["label"].(map[string]any)["position"].(string)
			}
		}
		if pos["G14"] == pos["G11"] || pos["X"] != "insideEndTop" {
			t.Fatalf("label positions %v: G14 and G11 (44.5 and 49) must differ, X (20) stays at the end", pos)
		}
	})
	t.Run("trend: milestone line at 44.5 and missing years as -", func(t *testing.T) {
		opt, _ := Trend(trendInput(), Style{})
		opt = generic(t, opt)
		ml := series(t, opt, 2)["markLine"].(map[string]any)["data"].([]any)
		if ml[0].(map[string]any)["yAxis"] != 44.5 {
			t.Fatalf("markLine %v", ml)
		}
		// Malta has no data: every point of its line is "-".
		for _, s := range opt["series"].([]any) {
			sm := s.(map[string]any)
			if sm["name"] != "Malta" {
				continue
			}
			for _, d := range sm["data"].([]any) {
				if d.(map[string]any)["value"] != "-" {
					t.Fatalf("Malta has a value %v", d)
				}
			}
		}
		// The 2021 break is marked.
		aut := series(t, opt, 3)
		if aut["name"] != "Austria" || aut["data"].([]any)[2].(map[string]any)["symbol"] != "triangle" {
			t.Fatalf("series break not marked: %v", aut["data"])
		}
	})
	t.Run("ranking: order and no data last", func(t *testing.T) {
		opt, _ := Ranking(RankingInput{Indicator: doctors, Year: 2020, Names: names, Countries: []string{"ALB", "AUT", "MLT"},
			Values: map[string]*indicators.Observation{"AUT": ptr(o("AUT", 2020, 52.5)), "ALB": ptr(o("ALB", 2020, 18))}}, Style{})
		data := series(t, opt, 0)["data"].([]any)
		// Drawn bottom-up: Malta (no data) first, then Albania, Austria at the top.
		got := []any{data[0].(map[string]any)["value"], data[1].(map[string]any)["value"], data[2].(map[string]any)["value"]}
		if got[0] != "-" || got[1] != 18.0 || got[2] != 52.5 {
			t.Fatalf("bars %v", got)
		}
	})
	t.Run("ranking: a status key only where bars have a status", func(t *testing.T) {
		values := map[string]*indicators.Observation{"AUT": ptr(o("AUT", 2020, 52.5)), "ALB": ptr(o("ALB", 2020, 18))}
		for _, tt := range []struct {
			status map[string]indicators.Status
			want   bool
		}{
			{nil, false},
			{map[string]indicators.Status{"AUT": indicators.StatusMet, "ALB": indicators.StatusOffTrack}, true},
		} {
			opt, _ := Ranking(RankingInput{Indicator: doctors, Year: 2020, Names: names, Countries: []string{"ALB", "AUT"},
				Values: values, Status: tt.status}, Style{})
			l, _ := opt["legend"].(map[string]any)
			if has := l != nil && l["show"] == true; has != tt.want {
				t.Errorf("statuses %v: legend %v, want %v", tt.status, opt["legend"], tt.want)
			}
		}
	})
	t.Run("map: keyed by ISO3 on hwf-europe", func(t *testing.T) {
		opt, _ := Map(MapInput{Indicator: doctors, Year: 2020, Countries: []string{"MLT", "AUT"},
			Values: map[string]*indicators.Observation{"AUT": ptr(o("AUT", 2020, 52.5))}}, Style{})
		s := series(t, opt, 0)
		d := s["data"].([]any)
		if s["map"] != MapName || d[0].(map[string]any)["name"] != "AUT" || d[1].(map[string]any)["value"] != "-" {
			t.Fatalf("map series %v", s)
		}
	})
	t.Run("milestones: undated not placed", func(t *testing.T) {
		opt, _ := Milestones(MilestonesInput{CurrentYear: 2026, Milestones: []indicators.Milestone{g14,
			{ID: "G19", Scope: "global", Title: "no year"}}}, Style{})
		opt = generic(t, opt)
		for _, s := range opt["series"].([]any) {
			for _, d := range s.(map[string]any)["data"].([]any) {
				if n := d.(map[string]any)["name"].(string); len(n) >= 3 && n[:3] == "G19" {
					t.Fatalf("G19 placed at %v", d)
				}
			}
		}
		sub := opt["title"].(map[string]any)["subtext"].(string)
		if !bytes.Contains([]byte(sub), []byte("G19")) {
			t.Fatalf("subtitle does not list G19 as undated: %q", sub)
		}
	})
	_ = y2030
}
