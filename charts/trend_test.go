package charts

import (
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
