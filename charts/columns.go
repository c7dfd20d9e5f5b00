package charts

import (
	"fmt"
	"math"
)

// A projector cannot show the whole Region's 53 names in one column at a
// size read from the back of a hall (at 1280×720 they overprinted, or
// ECharts skipped every second or third): the Member States are split into
// side-by-side columns of at most projectorColumnRows each.
const (
	projectorColumnRows = 18
	// projectorNameSize is the names' size in those columns, before
	// FontScale.
	projectorNameSize = 8
)

// projectorColumns gives how many columns n Member States take on a
// projector, 1 elsewhere.
func projectorColumns(st Style, n int) int {
	if st.FontScale < 1.5 || n <= projectorColumnRows {
		return 1
	}
	return (n + projectorColumnRows - 1) / projectorColumnRows
}

// columnSpan gives the rows [from, to) of column c of k over n rows,
// balanced (53 → 18, 18, 17).
func columnSpan(c, k, n int) (int, int) {
	per := (n + k - 1) / k
	return min(c*per, n), min((c+1)*per, n)
}

// columnGrid is the grid of column c of k within the share [from, to)
// of the chart's width, in percent.
func columnGrid(c, k int, from, to float64, bottom int) map[string]any {
	w := (to - from) / float64(k)
	return map[string]any{"containLabel": true, "bottom": bottom,
		"left":  fmt.Sprintf("%.1f%%", from+float64(c)*w+0.5),
		"right": fmt.Sprintf("%.1f%%", 100-(from+float64(c+1)*w)+1.5)}
}

// copyMap copies a component's top level, so that columns can differ.
func copyMap(m map[string]any) map[string]any {
	out := make(map[string]any, len(m)+2)
	for k, v := range m {
		out[k] = v
	}
	return out
}

// niceCeil rounds a positive axis maximum up to 1, 2, 2.5 or 5 times a
// power of ten, so that the columns of a split ranking share one scale.
func niceCeil(v float64) float64 {
	if v <= 0 {
		return 1
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			return m * p
		}
	}
	return 10 * p
}
