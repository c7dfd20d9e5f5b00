package charts

import (
	"bytes"
	"fmt"
	"math"
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

// TestMilestonesNarrowLanes: on a narrow chart the milestones of a row a
// year or two apart stand in lanes, so that ids side by side in a lane are
// gap years apart at least; the media queries narrow step by step and the
// default puts the wide layout back.
func TestMilestonesNarrowLanes(t *testing.T) {
	var ms []indicators.Milestone
	for i, y := range []int{2015, 2016, 2016, 2017, 2018, 2020, 2020, 2021, 2023, 2024} {
		ms = append(ms, indicators.Milestone{ID: fmt.Sprintf("G%02d", i+1), Scope: "global", Year: ptr(y), Title: "t"})
	}
	ms = append(ms, indicators.Milestone{ID: "E01", Scope: "europe", Year: ptr(2016), Title: "t"})
	for _, gap := range []int{2, 3} {
		lanes := milestoneLanes(ms, gap)
		last := map[[2]any]int{}
		for _, m := range ms {
			k := [2]any{m.Scope, lanes[m.ID]}
			if y, ok := last[k]; ok && *m.Year-y < gap {
				t.Errorf("gap %d: %s (%d) %d years after the last in its lane %v", gap, m.ID, *m.Year, *m.Year-y, k)
			}
			last[k] = *m.Year
		}
		if lanes["E01"] != 0 {
			t.Errorf("gap %d: E01, alone in its row, in lane %v", gap, lanes["E01"])
		}
	}
	opt, err := Milestones(MilestonesInput{CurrentYear: 2026, Milestones: ms}, Style{})
	if err != nil {
		t.Fatal(err)
	}
	opt = generic(t, opt)
	media, _ := opt["media"].([]any)
	if len(media) < 3 {
		t.Fatalf("media %v: want the default and two narrower layouts", media)
	}
	if _, ok := media[0].(map[string]any)["query"]; ok {
		t.Errorf("the first media %v has a query: the wide layout would not come back", media[0])
	}
	prev := math.Inf(1)
	for _, m := range media[1:] {
		w := num(t, m.(map[string]any)["query"].(map[string]any)["maxWidth"])
		if w >= prev {
			t.Errorf("media widths %v: want each narrower than the last", media)
		}
		prev = w
	}
}
