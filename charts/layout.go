package charts

import (
	"math"
	"strconv"
	"strings"
)

// The shared title block and layout, in pixels at FontScale 1. Every offset
// below the title is derived from these and scaled with FontScale: fixed
// pixel offsets put a projector's (scale 2) subtitle on top of its title and
// its legend on top of the plot.
const (
	titleTop   = 4
	titleSize  = 16
	titleLine  = 21 // explicit line heights: ECharts' defaults overlap at 2×
	subSize    = 11
	subLine    = 15
	titleGap   = 6   // between title and subtitle
	subWidth   = 900 // the subtitle breaks at this width (not scaled)
	rowGap     = 6   // above a legend or visualMap row under the title
	rowHeight  = 22  // one such row
	nameRoom   = 26  // above the plot, for a value axis's name at its end
	labelSize  = 11  // axis and data labels
	legendSize = 12
)

// subLines estimates how many lines a subtitle breaks into at subWidth: an
// average glyph is about 0.55 em wide.
func (st Style) subLines(sub string) int {
	if sub == "" {
		return 0
	}
	n := 0
	for _, line := range strings.Split(sub, "\n") {
		w := float64(len([]rune(line))) * 0.55 * float64(st.px(subSize))
		n += max(1, int(math.Ceil(w/subWidth)))
	}
	return n
}

// components gives an option's component of that key as a list: ECharts
// takes one (an object) or several (an array).
func components(o Option, key string) []map[string]any {
	var out []map[string]any
	switch v := o[key].(type) {
	case map[string]any:
		out = append(out, v)
	case []any:
		for _, x := range v {
			if m, ok := x.(map[string]any); ok {
				out = append(out, m)
			}
		}
	}
	return out
}

// layout places the vertical stack every chart shares and scales its
// offsets with FontScale: the title block, then each of rows (legends or
// visualMaps that sit under the title) one below the other, then the grids'
// tops. Grid left/right/bottom, axis name gaps and label sizes are given at
// scale 1 by each chart and scaled here. It returns the y where the plot
// area may start (below the title and rows), for charts without a grid.
func (st Style) layout(o Option, rows ...map[string]any) int {
	fitAxisNames(o)
	y := st.px(titleTop)
	if t, ok := o["title"].(map[string]any); ok {
		t["top"] = y
		t["itemGap"] = st.px(titleGap)
		if ts, ok := t["textStyle"].(map[string]any); ok {
			ts["lineHeight"] = st.px(titleLine)
		}
		if ss, ok := t["subtextStyle"].(map[string]any); ok {
			ss["lineHeight"] = st.px(subLine)
		}
		y += st.px(titleLine)
		if sub, _ := t["subtext"].(string); sub != "" {
			y += st.px(titleGap) + st.subLines(sub)*st.px(subLine)
		}
	}
	for _, r := range rows {
		y += st.px(rowGap)
		r["top"] = y
		delete(r, "bottom")
		y += st.px(rowHeight)
	}
	for _, gm := range components(o, "grid") {
		gm["top"] = y + st.px(nameRoom)
		for _, k := range []string{"left", "right", "bottom"} {
			gm[k] = st.scaleOffset(gm[k])
		}
	}
	for _, key := range []string{"xAxis", "yAxis"} {
		for _, ax := range components(o, key) {
			gap := 15.0 // ECharts' default
			if g, ok := ax["nameGap"].(float64); ok {
				gap = g
			} else if g, ok := ax["nameGap"].(int); ok {
				gap = float64(g)
			}
			ax["nameGap"] = st.px(gap)
			nts, _ := ax["nameTextStyle"].(map[string]any)
			if nts == nil {
				nts = map[string]any{}
				ax["nameTextStyle"] = nts
			}
			setDefault(nts, "fontSize", st.px(legendSize))
			al, _ := ax["axisLabel"].(map[string]any)
			if al == nil {
				al = map[string]any{}
				ax["axisLabel"] = al
			}
			setDefault(al, "fontSize", st.px(labelSize))
		}
	}
	for _, key := range []string{"legend", "visualMap"} {
		for _, m := range components(o, key) {
			ts, _ := m["textStyle"].(map[string]any)
			if ts == nil {
				ts = map[string]any{}
				m["textStyle"] = ts
			}
			setDefault(ts, "fontSize", st.px(legendSize))
			setDefault(m, "itemWidth", st.px(20))
			setDefault(m, "itemHeight", st.px(12))
		}
	}
	ss, _ := o["series"].([]any)
	for _, s := range ss {
		sm, ok := s.(map[string]any)
		if !ok {
			continue
		}
		if l, ok := sm["label"].(map[string]any); ok {
			setDefault(l, "fontSize", st.px(labelSize))
		}
		if ml, ok := sm["markLine"].(map[string]any); ok {
			l, _ := ml["label"].(map[string]any)
			if l == nil {
				l = map[string]any{}
				ml["label"] = l
			}
			setDefault(l, "fontSize", st.px(labelSize))
		}
	}
	return y
}

func setDefault(m map[string]any, k string, v any) {
	if _, ok := m[k]; !ok {
		m[k] = v
	}
}

// scaleOffset scales a pixel offset given as a number or a numeric string;
// percentages and keywords ("10%", "center") stay as they are.
func (st Style) scaleOffset(v any) any {
	switch x := v.(type) {
	case float64:
		return st.px(x)
	case int:
		return st.px(float64(x))
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil {
			return st.px(f)
		}
	}
	return v
}

// fitAxisNames keeps axis names inside the chart: ECharts puts a value
// axis's name at its end, where long units ("per 10,000 population") and the
// x axis's name are cut off by the container.
func fitAxisNames(o Option) {
	for _, key := range []string{"xAxis", "yAxis"} {
		axes, _ := o[key].([]any)
		for _, a := range axes {
			ax, ok := a.(map[string]any)
			if !ok || ax["name"] == nil {
				continue
			}
			if ax["type"] == "value" && key == "yAxis" {
				ax["nameTextStyle"] = map[string]any{"align": "left"}
			} else {
				ax["nameLocation"] = "middle"
				setDefault(ax, "nameGap", 28)
			}
		}
	}
}
