package charts

import (
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

func TestTrendSemantics(t *testing.T) {
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
}

func TestTrendViews(t *testing.T) {
	t.Run("change since a base year: values, base line, no base named", func(t *testing.T) {
		in := trendInput()
		in.Series, in.NoBase = ChangeSince(in.Series, 2019)
		in.RelativeTo, in.Milestones = 2019, nil
		if len(in.NoBase) != 1 || in.NoBase[0] != "MLT" {
			t.Fatalf("no base %v, want [MLT]", in.NoBase)
		}
		opt, err := Trend(in, Style{})
		if err != nil {
			t.Fatal(err)
		}
		opt = generic(t, opt)
		aut := series(t, opt, 3)
		if v := aut["data"].([]any)[1].(map[string]any)["value"]; v != 0.9615 {
			t.Errorf("Austria 2020: %v, want 0.9615 (%% change from 52 to 52.5)", v)
		}
		if v := aut["data"].([]any)[0].(map[string]any)["value"]; v != 0.0 {
			t.Errorf("Austria 2019: %v, want 0 in the base year", v)
		}
		sub := titleOf(opt)["subtext"].(string)
		if !strings.Contains(sub, "No value in 2019 (not shown): Malta") {
			t.Errorf("subtitle %q does not name Malta", sub)
		}
		if y := axisOf(opt["yAxis"])["name"]; y != "% change since 2019" {
			t.Errorf("y axis %v", y)
		}
		base := false
		for _, d := range series(t, opt, 2)["markLine"].(map[string]any)["data"].([]any) {
			base = base || d.(map[string]any)["xAxis"] == "2019"
		}
		if !base {
			t.Error("base year not marked")
		}
	})
	t.Run("a zero base value is no base", func(t *testing.T) {
		_, nb := ChangeSince(map[string][]indicators.Observation{"AUT": {o("AUT", 2010, 0), o("AUT", 2011, 3)}}, 2010)
		if len(nb) != 1 {
			t.Fatalf("no base %v", nb)
		}
	})
	t.Run("events with citations and break points", func(t *testing.T) {
		in := trendInput()
		jump := o("DEU", 2020, 80)
		jump.Flag, jump.FlagNote = indicators.FlagUnverifiedJump, "+60 % from 50 in 2019"
		in.Series["DEU"] = []indicators.Observation{o("DEU", 2019, 50), jump}
		in.MarkBreaks = true
		in.Events = []Event{{Year: 2020, Label: "R4", Tooltip: "round 4 — A74/9"}, {Year: 1990, Label: "X", Tooltip: "off axis"}}
		opt, _ := Trend(in, Style{})
		opt = generic(t, opt)
		ml := series(t, opt, 2)["markLine"].(map[string]any)
		var tips []string
		for _, d := range ml["data"].([]any) {
			if d.(map[string]any)["xAxis"] == "2020" {
				tips = append(tips, d.(map[string]any)["name"].(string))
			}
		}
		if len(tips) != 1 || tips[0] != "round 4 — A74/9" || ml["tooltip"].(map[string]any)["formatter"] != "{b}" {
			t.Errorf("event lines %v, tooltip %v", tips, ml["tooltip"])
		}
		for i, want := range map[int]string{3: "Austria 2021: Series break", 4: "Germany 2020: Unverified jump: +60 % from 50 in 2019"} {
			mp, _ := series(t, opt, i)["markPoint"].(map[string]any)
			if mp == nil {
				t.Fatalf("series %d has no markPoint", i)
			}
			if got := mp["data"].([]any)[0].(map[string]any)["name"]; got != want {
				t.Errorf("series %d markPoint %q, want %q", i, got, want)
			}
		}
	})
	t.Run("a run of break years is marked once, where it starts", func(t *testing.T) {
		in := trendInput()
		b19, b20 := o("AUT", 2019, 52.0), o("AUT", 2020, 52.5)
		b19.Break, b20.Break = true, true
		in.Series = map[string][]indicators.Observation{"AUT": {b19, b20, o("AUT", 2021, 53.1)}}
		in.MarkBreaks = true
		opt, _ := Trend(in, Style{})
		pts := series(t, generic(t, opt), 3)["markPoint"].(map[string]any)["data"].([]any)
		if len(pts) != 1 || pts[0].(map[string]any)["name"] != "Austria 2019: Series break" {
			t.Errorf("break points %v", pts)
		}
	})
	t.Run("log scale", func(t *testing.T) {
		in := trendInput()
		in.LogScale = true
		opt, _ := Trend(in, Style{})
		if y := axisOf(generic(t, opt)["yAxis"])["type"]; y != "log" {
			t.Errorf("y axis type %v", y)
		}
	})
}

// titleOf and axisOf read the first title or axis, given as one or a list.
func titleOf(opt Option) map[string]any { return axisOf(opt["title"]) }

func axisOf(v any) map[string]any {
	if l, ok := v.([]any); ok {
		return l[0].(map[string]any)
	}
	return v.(map[string]any)
}

// twoTargetMarks draws the trend with two milestones on HWF_0001
// (id, target, due year each) and returns the regional median's mark
// lines: the due years' and the targets'.
func twoTargetMarks(t *testing.T, idA string, targetA float64, dueA int, idB string, targetB float64, dueB int) []any {
	t.Helper()
	in := trendInput()
	a, b := g14, g14
	a.ID, b.ID = idA, idB
	a.Measure = &indicators.Measure{Indicator: "HWF_0001", Comparison: indicators.AtLeast, Target: targetA, DueYear: dueA}
	b.Measure = &indicators.Measure{Indicator: "HWF_0001", Comparison: indicators.AtLeast, Target: targetB, DueYear: dueB}
	in.Milestones = []indicators.Milestone{a, b}
	return series(t, mustTrend(t, in), 2)["markLine"].(map[string]any)["data"].([]any)
}

// TestTrendDueLabelsShort: a due year's label names the milestones due
// that year once, without the year (the axis and the target's label give
// it): on a phone "G15 due 2006" and "G11 due 2023" met.
func TestTrendDueLabelsShort(t *testing.T) {
	var shown []string
	for _, d := range twoTargetMarks(t, "G01", 10, 2020, "G02", 90, 2020) {
		m := d.(map[string]any)
		l := m["label"].(map[string]any)
		if _, ok := m["xAxis"]; ok && l["show"] != false {
			shown = append(shown, l["formatter"].(string))
		}
	}
	if len(shown) != 1 || shown[0] != "G01 G02 due" {
		t.Errorf("due labels %q: want one, \"G01 G02 due\"", shown)
	}
}

// TestTrendNearTargetsApart: of two targets close on the value axis, the
// second's label goes to the line's other end, on the side away from the
// first's line (under it when lower: over it, the upper line crossed it).
func TestTrendNearTargetsApart(t *testing.T) {
	pos := map[string]any{}
	for _, d := range twoTargetMarks(t, "G11", 49, 2030, "G14", 44.5, 2030) {
		if m := d.(map[string]any); m["yAxis"] != nil {
			pos[m["name"].(string)] = m["label"].(map[string]any)["position"]
		}
	}
	if pos["G11"] != "insideEndTop" || pos["G14"] != "insideStartBottom" {
		t.Errorf("target labels %v: want G11 over its line's right end, G14 under its left end", pos)
	}
}
