package charts

import (
	"bytes"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

func TestMilestonesSemantics(t *testing.T) {
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
