package charts

import "testing"

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
