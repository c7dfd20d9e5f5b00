package charts

import (
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// allCharts builds every chart at a given FontScale, with enough data to
// exercise the layout.
func allCharts(t *testing.T, scale float64) map[string]Option {
	t.Helper()
	st := Style{FontScale: scale}
	values := map[string]*indicators.Observation{"AUT": ptr(o("AUT", 2020, 52.5)), "DEU": ptr(o("DEU", 2020, 45.0)), "MLT": nil}
	countries := []string{"AUT", "DEU", "MLT"}
	out := map[string]Option{}
	add := func(name string, opt Option, err error) {
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = generic(t, opt)
	}
	opt, err := Trend(trendInput(), st)
	add("trend", opt, err)
	opt, err = Ranking(RankingInput{Indicator: doctors, Year: 2020, Values: values, Names: names, Countries: countries}, st)
	add("ranking", opt, err)
	opt, err = Map(MapInput{Indicator: doctors, Year: 2020, Values: values, Names: names, Countries: countries}, st)
	add("map", opt, err)
	opt, err = CodeReporting(CodeInput{Names: names, Countries: countries, Rounds: []Round{{Number: 1, Year: 2012, Members: 3}}}, st)
	add("code", opt, err)
	opt, err = Milestones(MilestonesInput{CurrentYear: 2026, Milestones: milestonesSameYear()}, st)
	add("milestones", opt, err)
	opt, err = Relationship(ScatterInput{X: doctors, Y: spend, Names: names, Points: []Point{{ISO3: "AUT", X: 52.5, Y: 5800}}}, st)
	add("relationship", opt, err)
	return out
}

func milestonesSameYear() []indicators.Milestone {
	return []indicators.Milestone{
		{ID: "G01", Scope: "global", Year: ptr(2010), Title: "Code adopted"},
		{ID: "G02", Scope: "global", Year: ptr(2010), Title: "Resolution"},
		{ID: "G03", Scope: "global", Year: ptr(2020), Title: "a"},
		{ID: "G04", Scope: "global", Year: ptr(2020), Title: "b"},
		{ID: "G05", Scope: "global", Year: ptr(2020), Title: "c"},
		{ID: "E01", Scope: "europe", Year: ptr(2010), Title: "Not with the global ones"},
	}
}

func num(t *testing.T, v any) float64 {
	t.Helper()
	f, ok := v.(float64)
	if !ok {
		t.Fatalf("%v (%T) is not a number", v, v)
	}
	return f
}

func grids(o Option) []map[string]any { return components(o, "grid") }

// TestLayoutScales checks that what sits under the title moves down with
// FontScale: at scale 2 the title block is twice as tall, and fixed offsets
// put the subtitle on the title and the legend on the plot.
func TestLayoutScales(t *testing.T) {
	one, two := allCharts(t, 1), allCharts(t, 2)
	for name := range one {
		t.Run(name, func(t *testing.T) {
			a, b := one[name], two[name]
			ta, tb := a["title"].(map[string]any), b["title"].(map[string]any)
			if num(t, tb["itemGap"]) != 2*num(t, ta["itemGap"]) {
				t.Errorf("title itemGap %v at 1, %v at 2", ta["itemGap"], tb["itemGap"])
			}
			for _, k := range []string{"textStyle", "subtextStyle"} {
				la := num(t, ta[k].(map[string]any)["lineHeight"])
				lb := num(t, tb[k].(map[string]any)["lineHeight"])
				fb := num(t, tb[k].(map[string]any)["fontSize"])
				if lb != 2*la || lb < fb {
					t.Errorf("%s lineHeight %v at 1, %v at 2 (fontSize %v)", k, la, lb, fb)
				}
			}
			ga, gb := grids(a), grids(b)
			for i := range ga {
				topA, topB := num(t, ga[i]["top"]), num(t, gb[i]["top"])
				// (The Code chart's two keys share a row on a projector.)
				if name != "code" && topB < 1.8*topA {
					t.Errorf("grid %d top %v at 1, %v at 2: does not scale", i, topA, topB)
				}
				// A bottom that makes room for an x axis's name grows with
				// the name's scaled size, less the labels' (their margin is
				// ECharts' own, not scaled): about twice as much, never less.
				if bA, ok := ga[i]["bottom"].(float64); ok && num(t, gb[i]["bottom"]) < 2*bA {
					t.Errorf("grid %d bottom %v at 1, %v at 2", i, bA, gb[i]["bottom"])
				}
			}
			for _, key := range []string{"xAxis", "yAxis"} {
				axesA, _ := a[key].([]any)
				axesB, _ := b[key].([]any)
				for i := range axesA {
					xa, xb := axesA[i].(map[string]any), axesB[i].(map[string]any)
					// The Code chart's round labels lie flat on a projector, so
					// their axis name needs less room (TestCodeLabelsDoNotCollide).
					flat := name == "code" && key == "xAxis"
					if !flat && num(t, xb["nameGap"]) != 2*num(t, xa["nameGap"]) {
						t.Errorf("%s[%d] nameGap %v at 1, %v at 2", key, i, xa["nameGap"], xb["nameGap"])
					}
					fa := num(t, xa["axisLabel"].(map[string]any)["fontSize"])
					fb := num(t, xb["axisLabel"].(map[string]any)["fontSize"])
					if fb <= fa && fa < labelSize { // country names are capped, never smaller
						t.Errorf("%s[%d] axisLabel fontSize %v at 1, %v at 2", key, i, fa, fb)
					}
				}
			}
			// Rows under the title (legends, visualMaps placed at the top)
			// start below the subtitle at both scales.
			for _, key := range []string{"legend", "visualMap"} {
				for _, m := range components(b, key) {
					if top, ok := m["top"].(float64); ok && len(grids(b)) > 0 && top >= num(t, grids(b)[0]["top"]) {
						t.Errorf("%s top %v is not above the plot (grid top %v)", key, top, grids(b)[0]["top"])
					}
					if top, ok := m["top"].(float64); ok && top < 2*(titleTop+titleLine+titleGap+subLine) {
						t.Errorf("%s top %v overlaps the title block at scale 2", key, top)
					}
				}
			}
		})
	}
}
