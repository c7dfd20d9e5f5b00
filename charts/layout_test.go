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
				if bA, ok := ga[i]["bottom"].(float64); ok && num(t, gb[i]["bottom"]) != 2*bA {
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

func TestMilestonesAxisAndStagger(t *testing.T) {
	for _, scale := range []float64{1, 2} {
		opt := allCharts(t, scale)["milestones"]
		x := opt["xAxis"].([]any)[0].(map[string]any)
		if x["type"] != "time" || x["axisLabel"].(map[string]any)["formatter"] != "{yyyy}" {
			t.Fatalf("year axis %v: years need a formatter without thousands separators", x)
		}
		if x["nameLocation"] != "middle" {
			t.Errorf("axis name at %v: at the end it is clipped", x["nameLocation"])
		}
		type place struct {
			year, row string
			dy        float64
		}
		seen := map[place]string{}
		for _, s := range opt["series"].([]any) {
			for _, d := range s.(map[string]any)["data"].([]any) {
				dm := d.(map[string]any)
				v := dm["value"].([]any)
				p := place{year: v[0].(string), row: v[1].(string)}
				if off, ok := dm["symbolOffset"].([]any); ok {
					p.dy = num(t, off[1])
				}
				id := dm["label"].(map[string]any)["formatter"].(string)
				if other, ok := seen[p]; ok {
					t.Errorf("scale %v: %s and %s at the same place %v", scale, other, id, p)
				}
				seen[p] = id
			}
		}
		if len(seen) != len(milestonesSameYear()) {
			t.Errorf("scale %v: %d placed, want %d", scale, len(seen), len(milestonesSameYear()))
		}
	}
	g := staggerMilestones(milestonesSameYear())
	if g["E01"] != 0 || g["G01"] != -g["G02"] || g["G04"] != 0 || g["G03"] != -1 {
		t.Errorf("stagger %v: same-year milestones spread around their row, a lone one stays", g)
	}
}

func TestCodeLabelsDoNotCollide(t *testing.T) {
	for _, scale := range []float64{1, 2} {
		opt := allCharts(t, scale)["code"]
		for i, a := range opt["xAxis"].([]any) {
			al := a.(map[string]any)["axisLabel"].(map[string]any)
			// Upright on a page (narrow columns), side by side on a
			// projector (the rows need the height).
			want := any(90.0)
			if scale >= 1.5 {
				want = nil
			}
			if r := al["rotate"]; r == 0.0 {
				al["rotate"] = nil
			}
			if al["interval"] != 0.0 && al["interval"] != "0" || al["rotate"] != want {
				t.Errorf("scale %v: round axis %d label %v: every round, rotate %v", scale, i, al, want)
			}
		}
		share := opt["series"].([]any)[1].(map[string]any)["label"].(map[string]any)
		if share["rotate"] != 90.0 || num(t, share["fontSize"]) != float64(Style{FontScale: scale}.px(10)) {
			t.Errorf("scale %v: share labels %v", scale, share)
		}
		if _, ok := opt["legend"].(map[string]any)["bottom"]; ok {
			t.Errorf("scale %v: the legend at the bottom covers the round labels", scale)
		}
		for _, g := range grids(opt) {
			if g["containLabel"] != true || g["width"] != nil {
				t.Errorf("scale %v: grid %v: long names need containLabel and both edges", scale, g)
			}
		}
	}
}

func TestMapStaysUnderTitle(t *testing.T) {
	for _, scale := range []float64{1, 2} {
		opt := allCharts(t, scale)["map"]
		geo := opt["geo"].(map[string]any)
		if geo["center"] != nil || geo["zoom"] != nil || geo["boundingCoords"] == nil {
			t.Errorf("scale %v: geo %v: fit the Region, not a fixed centre and zoom", scale, geo)
		}
		vm := opt["visualMap"].([]any)[0].(map[string]any)
		if vm["orient"] != "horizontal" || num(t, geo["top"]) <= num(t, vm["top"]) {
			t.Errorf("scale %v: visualMap %v must sit above the map (geo top %v)", scale, vm["top"], geo["top"])
		}
	}
}
