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
			_, top := m["top"]
			_, bottom := m["bottom"]
			if key == "legend" && (top || bottom) {
				// A legend in a row under the title or at the foot keeps to
				// its one row (paged where it is longer): on a phone the
				// ranking's status key wrapped onto a second line, over the
				// target's label at the top of the plot, and the milestones'
				// key at the foot up into the axis's name.
				setDefault(m, "type", "scroll")
			}
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
	st.roomBelowAxisNames(o)
	roomForUnmeasuredNames(o)
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

// The margin ECharts leaves between an axis line and its labels (its
// axisLabel.margin), and what is kept between an axis name and the edge.
const (
	labelMargin = 8
	edgeRoom    = 4
)

// roomBelowAxisNames keeps the name under an x axis (nameLocation
// "middle") inside the chart. ECharts puts it nameGap below the axis line,
// but a grid's containLabel makes room for the tick labels only: with a
// small grid bottom the name was drawn past the canvas's edge (the
// ranking's unit, the Code chart's "Round" on the projector). The grid's
// bottom grows to the name's line, less what the tick labels under the axis
// take at least, plus a legend's row where one sits at the bottom.
func (st Style) roomBelowAxisNames(o Option) {
	grids := components(o, "grid")
	legendRow := 0
	for _, l := range components(o, "legend") {
		if _, bottom := l["bottom"]; bottom && l["top"] == nil && l["show"] != false {
			legendRow = st.px(rowHeight)
		}
	}
	for _, ax := range components(o, "xAxis") {
		if name, _ := ax["name"].(string); name == "" || ax["nameLocation"] != "middle" || ax["position"] == "top" {
			continue
		}
		gi := int(number(ax["gridIndex"]))
		if gi >= len(grids) {
			continue
		}
		g := grids[gi]
		bottom, ok := g["bottom"].(int)
		if !ok {
			continue // a percentage or a keyword: the chart's own choice
		}
		nts, _ := ax["nameTextStyle"].(map[string]any)
		al, _ := ax["axisLabel"].(map[string]any)
		need := number(ax["nameGap"]) + 1.25*number(nts["fontSize"]) + float64(st.px(edgeRoom)) + float64(legendRow)
		if g["containLabel"] == true && (al == nil || al["show"] != false) {
			need -= labelMargin + labelHeight(ax, al)
		}
		if n := int(math.Ceil(need)); n > bottom {
			g["bottom"] = n
		}
	}
}

// roomForUnmeasuredNames widens the left edge of a grid whose category
// axis on the left has more than 40 names (the Region's 53 Member States).
// containLabel measures only every ceil(n/40)th name of such an axis
// (ECharts' estimateLabelUnionRect), so a longer name between two measured
// ones ran off the canvas ("Bosnia & Herzegovina — no data" on the
// ranking): the grid gets what the longest name exceeds the longest
// measured one by, at a generous 0.6 em a character.
func roomForUnmeasuredNames(o Option) {
	grids := components(o, "grid")
	for _, ax := range components(o, "yAxis") {
		data, _ := ax["data"].([]any)
		gi := int(number(ax["gridIndex"]))
		if ax["type"] != "category" || len(data) <= 40 || ax["position"] == "right" || gi >= len(grids) || grids[gi]["containLabel"] != true {
			continue
		}
		left, ok := grids[gi]["left"].(int)
		if !ok {
			continue
		}
		step := (len(data) + 39) / 40
		longest, measured := 0, 0
		for i, d := range data {
			if m, ok := d.(map[string]any); ok {
				d = m["value"]
			}
			s, _ := d.(string)
			n := len([]rune(s))
			longest = max(longest, n)
			if i%step == 0 {
				measured = max(measured, n)
			}
		}
		al, _ := ax["axisLabel"].(map[string]any)
		grids[gi]["left"] = left + int(math.Ceil(float64(longest-measured)*0.6*number(al["fontSize"])))
	}
}

// labelHeight is the least height an x axis's tick labels take: a line of
// their font, or for labels turned by axisLabel.rotate the span of the
// longest category turned so, at a narrow 0.45 em a character. (Too little
// only leaves more room under the name.)
func labelHeight(ax, al map[string]any) float64 {
	font := number(al["fontSize"])
	rot := math.Abs(number(al["rotate"])) * math.Pi / 180
	if rot == 0 {
		return font
	}
	longest := 0
	data, _ := ax["data"].([]any)
	for _, d := range data {
		if m, ok := d.(map[string]any); ok {
			d = m["value"]
		}
		if s, ok := d.(string); ok {
			longest = max(longest, len([]rune(s)))
		}
	}
	return float64(longest)*0.45*font*math.Sin(rot) + font*math.Cos(rot)
}

// number reads a number that an option holds as an int or a float64 (the
// charts' own maps and go-echarts' decoded JSON); 0 for anything else.
func number(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	case float32:
		return float64(x)
	}
	return 0
}
