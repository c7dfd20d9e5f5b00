package charts

import (
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/hwfdash/hwfdash/indicators"
)

// The reader's views of a trend chart (issue 19): change since a base
// year, a log scale, and the dated events and series breaks marked on it.
// Trend calls these; with none of TrendInput's view fields set they add
// nothing, so a plain trend is drawn exactly as before.

// Event is a dated event a trend chart marks with a vertical line: the
// Code's adoption, a national reporting round, a regional framework.
type Event struct {
	Year int
	// Label is the short text on the line ("WHA63.16", "R3", "E07").
	Label string
	// Tooltip says what happened, with its citation.
	Tooltip string
}

// ChangeSince gives each series as its change in percent since the base
// year's value, and the countries that have no (non-zero) value in the
// base year: their series are emptied, never re-based on another year.
func ChangeSince(series map[string][]indicators.Observation, base int) (map[string][]indicators.Observation, []string) {
	out := make(map[string][]indicators.Observation, len(series))
	var noBase []string
	for _, iso3 := range sortedKeys(series) {
		b, ok := baseValue(series[iso3], base)
		if !ok {
			noBase = append(noBase, iso3)
			out[iso3] = nil
			continue
		}
		rel := make([]indicators.Observation, 0, len(series[iso3]))
		for _, o := range series[iso3] {
			o.Value = Change(o.Value, b)
			rel = append(rel, o)
		}
		out[iso3] = rel
	}
	return out, noBase
}

func baseValue(obs []indicators.Observation, base int) (float64, bool) {
	for _, o := range obs {
		if o.Year == base && o.Value != 0 {
			return o.Value, true
		}
	}
	return 0, false
}

// Change is v's change from base in percent, to four decimals (enough for
// any chart or table, and free of float noise such as 4.999999).
func Change(v, base float64) float64 {
	return math.Round((v/base-1)*100*1e4) / 1e4
}

// yAxis is the trend's value axis: the unit, or the change in percent; a
// log scale where asked.
func (in TrendInput) yAxis(st Style) opts.YAxis {
	y := opts.YAxis{Name: in.Indicator.Unit, Type: "value"}
	if in.RelativeTo != 0 {
		y.Name = st.f("chart.change_since", "%% change since %d", in.RelativeTo)
		y.AxisLabel = &opts.AxisLabel{Formatter: "{value} %"}
	}
	if in.LogScale {
		y.Type = "log"
	}
	return y
}

// subtitle is the sources line, with the countries that have no value in
// the base year named.
func (in TrendInput) subtitle(st Style, span string) string {
	s := st.sourceLine(in.Indicator, span)
	if in.RelativeTo != 0 && len(in.NoBase) > 0 {
		names := make([]string, len(in.NoBase))
		for i, iso3 := range in.NoBase {
			names[i] = name(in.Names, iso3)
		}
		s += "\n" + st.f("chart.no_base", "No value in %d (not shown): %s", in.RelativeTo, strings.Join(names, ", "))
	}
	return s
}

// markerTooltip shows a mark line's or point's name on hover: mark lines
// and points are items even where the chart's tooltip follows the axis.
func markerTooltip() map[string]any {
	return map[string]any{"show": true, "trigger": "item", "formatter": "{b}"}
}

// annotate adds the base year, the events and the breaks to a built trend
// option: the lines go on the median series (series 2), which is drawn
// whatever countries are chosen; a break's point on its country's line.
func (in TrendInput) annotate(o Option, st Style, index map[int]int) {
	series := o["series"].([]any)
	var marks []any
	if in.RelativeTo != 0 {
		if _, ok := index[in.RelativeTo]; ok {
			y := strconv.Itoa(in.RelativeTo)
			marks = append(marks, map[string]any{"xAxis": y,
				"name":      st.f("chart.base_year", "Base year %d (0 %%)", in.RelativeTo),
				"label":     map[string]any{"formatter": st.f("chart.base_year", "Base year %d (0 %%)", in.RelativeTo), "position": "insideStartTop"},
				"lineStyle": map[string]any{"color": "#222222", "type": "solid", "width": 2}})
		}
	}
	// Events of one year share a line: their labels would overprint.
	byYear := map[int][]Event{}
	for _, e := range in.Events {
		if _, ok := index[e.Year]; ok {
			byYear[e.Year] = append(byYear[e.Year], e)
		}
	}
	var years []int
	for y := range byYear {
		years = append(years, y)
	}
	sort.Ints(years)
	for _, y := range years {
		var labels, tips []string
		for _, e := range byYear[y] {
			labels, tips = append(labels, e.Label), append(tips, e.Tooltip)
		}
		marks = append(marks, map[string]any{"xAxis": strconv.Itoa(y), "name": strings.Join(tips, " · "),
			// Along the line: neighbouring years' labels would run into
			// each other across the top.
			"label":     map[string]any{"formatter": strings.Join(labels, " "), "position": "insideEndTop", "fontSize": st.px(labelSize)},
			"lineStyle": map[string]any{"color": "#6a3d9a", "type": "dotted", "width": 1}})
	}
	if len(marks) > 0 {
		med := series[2].(map[string]any)
		ml, _ := med["markLine"].(map[string]any)
		if ml == nil {
			ml = map[string]any{"symbol": "none", "silent": false,
				"lineStyle": map[string]any{"color": StatusColors[indicators.StatusOffTrack], "type": "solid", "width": 2}}
			med["markLine"] = ml
		}
		data, _ := ml["data"].([]map[string]any)
		for _, m := range marks {
			data = append(data, m.(map[string]any))
		}
		ml["data"] = data
		ml["tooltip"] = markerTooltip()
	}
	if !in.MarkBreaks {
		return
	}
	for i, iso3 := range sortedKeys(in.Series) {
		var pts []map[string]any
		prevBreak := 0 // the year of the last break seen
		for _, ob := range in.Series[iso3] {
			wasBreak := prevBreak != 0 && prevBreak == ob.Year-1
			if ob.Break {
				prevBreak = ob.Year
			}
			if _, ok := index[ob.Year]; !ok {
				continue
			}
			text := ""
			switch {
			case ob.Break && wasBreak:
				continue // a run of break years is marked where it starts
			case ob.Break:
				text = st.t("chart.series_break", "Series break")
			case ob.Flag == indicators.FlagUnverifiedJump:
				text = st.t("chart.unverified_jump", "Unverified jump")
				if ob.FlagNote != "" {
					text += st.colon() + " " + st.why(ob.Jump.Why(), ob.FlagNote)
				}
			default:
				continue
			}
			pts = append(pts, map[string]any{"coord": []any{strconv.Itoa(ob.Year), ob.Value},
				"name": name(in.Names, iso3) + " " + strconv.Itoa(ob.Year) + st.colon() + " " + text})
		}
		if len(pts) > 0 {
			s := series[3+i].(map[string]any)
			s["markPoint"] = map[string]any{"symbol": "pin", "symbolSize": st.px(30), "data": pts, "silent": false,
				"label": map[string]any{"formatter": "!", "fontSize": st.px(labelSize)}, "tooltip": markerTooltip()}
		}
	}
}
