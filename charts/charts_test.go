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
		"trend_relative": func() (Option, error) {
			in := trendInput()
			in.Series, in.NoBase = ChangeSince(in.Series, 2019)
			in.RelativeTo, in.Milestones, in.Band = 2019, nil, []Band{{Year: 2019, Median: ptr(0.0)}, {Year: 2020, Median: ptr(2.8571)}}
			return Trend(in, Style{FontScale: 1})
		},
		"trend_log_events": func() (Option, error) {
			in := trendInput()
			in.LogScale, in.MarkBreaks = true, true
			in.Events = []Event{{Year: 2020, Label: "R4", Tooltip: "Code national reporting round 4 (2020) — A74/9"},
				{Year: 2020, Label: "E05", Tooltip: "E05 (2020): framework — cite"}, {Year: 2010, Label: "WHA63.16", Tooltip: "off the axis"}}
			return Trend(in, Style{FontScale: 1})
		},
		"relationship_log": func() (Option, error) {
			return Relationship(ScatterInput{X: doctors, Y: spend, Names: names, LogY: true, Points: []Point{
				{ISO3: "DEU", X: 45, Y: 6000, XYear: 2020, YYear: 2021}}}, Style{FontScale: 1})
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
