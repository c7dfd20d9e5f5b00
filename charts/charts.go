// Package charts builds the dashboard's ECharts options with go-echarts:
// indicator results in, a JSON-ready option map out. It is pure: no I/O.
// Every chart has aria descriptions and decal patterns switched on, uses a
// colour-blind-safe palette, names its sources in the subtitle, and shows a
// missing value as missing ("-"), never as zero.
package charts

import (
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/hwfdash/hwfdash/indicators"
)

// MapName is the name under which pages register the ISO3-keyed GeoJSON of
// the Member States.
const MapName = "hwf-europe"

// Okabe–Ito colours: distinguishable with the common colour-vision
// deficiencies.
var (
	palette = []string{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"}
	// StatusColors are the milestone status colours, also used by pages.
	StatusColors = map[indicators.Status]string{
		indicators.StatusMet:      "#009E73",
		indicators.StatusOnTrack:  "#56B4E9",
		indicators.StatusOffTrack: "#D55E00",
		indicators.StatusNoData:   "#BBBBBB",
	}
	statusKey   = map[string]string{"met": "met", "on track": "on_track", "off track": "off_track", "no data": "no_data", "not measured": "not_measured"}
	statusLabel = map[indicators.Status]string{
		indicators.StatusMet: "met", indicators.StatusOnTrack: "on track",
		indicators.StatusOffTrack: "off track", indicators.StatusNoData: "no data",
	}
	// decals differ per status so that status reads without colour.
	statusDecal = map[indicators.Status]map[string]any{
		indicators.StatusMet:      {"symbol": "none"},
		indicators.StatusOnTrack:  {"symbol": "circle", "symbolSize": 0.5, "dashArrayX": 6, "dashArrayY": 6},
		indicators.StatusOffTrack: {"symbol": "rect", "rotation": 0.785, "symbolSize": 0.6, "dashArrayX": [2]int{1, 0}, "dashArrayY": [2]int{2, 4}},
		indicators.StatusNoData:   {"symbol": "rect", "rotation": -0.785, "symbolSize": 1, "dashArrayX": [2]int{1, 0}, "dashArrayY": [2]int{1, 3}},
	}
)

// Style adapts charts to where they are shown.
type Style struct {
	// FontScale multiplies text sizes: 1 on a page, 2 on a projector.
	FontScale float64
	// T translates the charts' own labels by message key ("chart.year");
	// nil keeps the English given with each.
	T func(key string) string
}

// t gives a chart label in the chart's language.
func (st Style) t(key, english string) string {
	if st.T == nil {
		return english
	}
	return st.T(key)
}

// f formats a chart sentence (an aria description) from its message in
// the chart's language; each language keeps the English verbs in order
// (TestMessageVerbs in package public).
func (st Style) f(key, english string, args ...any) string {
	return fmt.Sprintf(st.t(key, english), args...)
}

func (st Style) px(n float64) int {
	s := st.FontScale
	if s <= 0 {
		s = 1
	}
	return int(math.Round(n * s))
}

// Option is an ECharts option as plain JSON values.
type Option = map[string]any

// finish turns a go-echarts chart into a plain option map and applies what
// every chart shares: palette, aria, text sizes, animation.
func finish(c interface {
	Validate()
	JSON() map[string]interface{}
}, st Style, description string) (Option, error) {
	c.Validate() // moves axis data into place; go-echarts requires it before JSON
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return nil, fmt.Errorf("charts: encode option: %w", err)
	}
	var o Option
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("charts: decode option: %w", err)
	}
	o["color"] = palette
	o["animation"] = true
	o["animationDurationUpdate"] = 800
	o["textStyle"] = map[string]any{"fontSize": st.px(13)}
	o["aria"] = map[string]any{
		"enabled": true,
		"label":   map[string]any{"enabled": true, "description": description},
		"decal":   map[string]any{"show": true},
	}
	if t, ok := o["title"].(map[string]any); ok {
		t["textStyle"] = map[string]any{"fontSize": st.px(titleSize), "fontWeight": "bold"}
		t["subtextStyle"] = map[string]any{"fontSize": st.px(subSize), "width": subWidth, "overflow": "break"}
	}
	return o, nil
}

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

func title(text, sub string) opts.Title {
	return opts.Title{Title: text, Subtitle: sub, Left: "left"}
}

// sourceLine summarises sources for a subtitle.
func (st Style) sourceLine(ind indicators.Indicator, years string) string {
	s := st.t("col.source", "Source") + ": " + ind.Source
	if years != "" {
		s += "; " + st.t("col.year", "Year") + ": " + years
	}
	return s
}

func fmtNum(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

func name(names map[string]string, iso3 string) string {
	if n, ok := names[iso3]; ok && n != "" {
		return n
	}
	return iso3
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Band is the regional median and interquartile range of one year.
type Band struct {
	Year          int
	Median        *float64
	P25, P75      *float64
	CountReported int
}

// TrendInput is what the trend chart shows.
type TrendInput struct {
	Indicator  indicators.Indicator
	Series     map[string][]indicators.Observation // by ISO3; an empty slice is a chosen country with no data
	Names      map[string]string
	Band       []Band
	Milestones []indicators.Milestone
	FromYear   int
	ToYear     int
}

// Trend draws an indicator over time for chosen countries, the regional
// median with its interquartile band, and the milestones measured on it.
func Trend(in TrendInput, st Style) (Option, error) {
	years := map[int]bool{}
	for _, obs := range in.Series {
		for _, o := range obs {
			years[o.Year] = true
		}
	}
	for _, b := range in.Band {
		years[b.Year] = true
	}
	var ys []int
	for y := range years {
		if (in.FromYear == 0 || y >= in.FromYear) && (in.ToYear == 0 || y <= in.ToYear) {
			ys = append(ys, y)
		}
	}
	sort.Ints(ys)
	axis := make([]string, len(ys))
	index := map[int]int{}
	for i, y := range ys {
		axis[i] = strconv.Itoa(y)
		index[y] = i
	}
	span := ""
	if len(ys) > 0 {
		span = fmt.Sprintf("%d–%d", ys[0], ys[len(ys)-1])
	}
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithTitleOpts(title(in.Indicator.Name, st.sourceLine(in.Indicator, span))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0", Type: "scroll"}),
		charts.WithXAxisOpts(opts.XAxis{Name: st.t("chart.year", "Year"), Type: "category"}),
		charts.WithYAxisOpts(opts.YAxis{Name: in.Indicator.Unit, Type: "value"}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Top: "80", Bottom: "60", Left: "10", Right: "30"}),
	)
	line.SetXAxis(axis)
	// The interquartile band: p25 as an invisible base, p75−p25 stacked on it.
	base := make([]opts.LineData, len(ys))
	width := make([]opts.LineData, len(ys))
	median := make([]opts.LineData, len(ys))
	for i := range ys {
		base[i], width[i], median[i] = opts.LineData{Value: "-"}, opts.LineData{Value: "-"}, opts.LineData{Value: "-"}
	}
	for _, b := range in.Band {
		i, ok := index[b.Year]
		if !ok {
			continue
		}
		if b.P25 != nil && b.P75 != nil {
			base[i] = opts.LineData{Value: *b.P25}
			width[i] = opts.LineData{Value: *b.P75 - *b.P25}
		}
		if b.Median != nil {
			median[i] = opts.LineData{Value: *b.Median}
		}
	}
	line.AddSeries(st.t("chart.iqr", "Regional interquartile range")+" (base)", base,
		charts.WithLineChartOpts(opts.LineChart{Stack: "iqr", ShowSymbol: opts.Bool(false)}),
		charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}))
	line.AddSeries(st.t("chart.iqr", "Regional interquartile range"), width,
		charts.WithLineChartOpts(opts.LineChart{Stack: "iqr", ShowSymbol: opts.Bool(false)}),
		charts.WithLineStyleOpts(opts.LineStyle{Opacity: opts.Float(0)}),
		charts.WithAreaStyleOpts(opts.AreaStyle{Color: "#999999", Opacity: opts.Float(0.25)}))
	line.AddSeries(st.t("chart.median", "Regional median"), median,
		charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(false)}),
		charts.WithLineStyleOpts(opts.LineStyle{Type: "dashed", Width: 2, Color: "#555555"}),
		// The legend's key takes the item colour: without it the median's
		// key was the palette's green circle beside a dark dashed line.
		charts.WithItemStyleOpts(opts.ItemStyle{Color: "#555555"}))
	for _, iso3 := range sortedKeys(in.Series) {
		data := make([]opts.LineData, len(ys))
		for i := range data {
			data[i] = opts.LineData{Value: "-"}
		}
		for _, o := range in.Series[iso3] {
			if i, ok := index[o.Year]; ok {
				d := opts.LineData{Value: o.Value}
				if o.Break {
					d.Symbol = "triangle"
					d.Name = st.t("table.series_break", "series break")
				}
				data[i] = d
			}
		}
		line.AddSeries(name(in.Names, iso3), data, charts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(false)}),
			charts.WithLineStyleOpts(opts.LineStyle{Width: 3}))
	}
	o, err := finish(line, st, st.f("chart.desc_trend", "%s over time, %s, for %d countries with the regional median and interquartile range.",
		in.Indicator.Name, span, len(in.Series)))
	if err != nil {
		return nil, err
	}
	// Milestones: a target line on the value axis and a mark at the due year,
	// on the median series so they show whatever countries are chosen.
	var marks []map[string]any
	var placed []float64 // targets whose label sits at the right end
	for _, m := range in.Milestones {
		if m.Measure == nil {
			continue
		}
		// Two targets close on the value axis (G11's 49 and G14's 44.5 per
		// 10,000) would print their labels on top of each other: the second
		// one goes to the left end of its line.
		pos := "insideEndTop"
		for _, t := range placed {
			if near(t, m.Measure.Target) {
				pos = "insideStartTop"
			}
		}
		if pos == "insideEndTop" {
			placed = append(placed, m.Measure.Target)
		}
		marks = append(marks, map[string]any{"yAxis": m.Measure.Target, "name": m.ID,
			"label": map[string]any{"formatter": fmt.Sprintf("%s: %s (%d)", m.ID, fmtNum(m.Measure.Target), m.Measure.DueYear), "position": pos}})
		if _, ok := index[m.Measure.DueYear]; ok {
			marks = append(marks, map[string]any{"xAxis": strconv.Itoa(m.Measure.DueYear), "name": m.ID + " " + st.t("chart.due", "due"),
				"label": map[string]any{"formatter": m.ID + " " + st.t("chart.due", "due") + " " + strconv.Itoa(m.Measure.DueYear)}})
		}
	}
	if len(marks) > 0 {
		series := o["series"].([]any)
		med := series[2].(map[string]any)
		med["markLine"] = map[string]any{"symbol": "none", "silent": false, "data": marks,
			"lineStyle": map[string]any{"color": StatusColors[indicators.StatusOffTrack], "type": "solid", "width": 2}}
	}
	// The band's helper series stay out of the legend and the tooltip.
	legend := []string{st.t("chart.median", "Regional median")}
	for _, iso3 := range sortedKeys(in.Series) {
		legend = append(legend, name(in.Names, iso3))
	}
	if l, ok := o["legend"].(map[string]any); ok {
		l["data"] = legend
	}
	for _, s := range o["series"].([]any)[:2] {
		s.(map[string]any)["tooltip"] = map[string]any{"show": false}
		s.(map[string]any)["silent"] = true
	}
	st.layout(o)
	return o, nil
}

// RankingInput is what the ranking chart shows.
type RankingInput struct {
	Indicator   indicators.Indicator
	Year        int
	Values      map[string]*indicators.Observation // nil = no data
	Names       map[string]string
	Countries   []string
	Status      map[string]indicators.Status
	Target      *float64
	TargetLabel string
}

// Ranking draws all Member States for one year, sorted, coloured by
// milestone status; countries without data are listed, labelled "no data",
// without a bar.
func Ranking(in RankingInput, st Style) (Option, error) {
	type row struct {
		iso3 string
		v    *float64
	}
	var rows []row
	for _, c := range in.Countries {
		r := row{iso3: c}
		if o := in.Values[c]; o != nil {
			v := o.Value
			r.v = &v
		}
		rows = append(rows, r)
	}
	// Descending by value, no data last, then by name; ECharts draws the
	// first category at the bottom, so the order is reversed at the end.
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch {
		case a.v == nil && b.v == nil:
			return name(in.Names, a.iso3) < name(in.Names, b.iso3)
		case a.v == nil:
			return false
		case b.v == nil:
			return true
		case *a.v != *b.v:
			return *a.v > *b.v
		}
		return name(in.Names, a.iso3) < name(in.Names, b.iso3)
	})
	n := len(rows)
	cats := make([]string, n)
	data := make([]opts.BarData, n)
	withData := 0
	for i, r := range rows {
		j := n - 1 - i
		cats[j] = name(in.Names, r.iso3)
		s, ok := in.Status[r.iso3]
		if !ok {
			s = indicators.StatusNoData
			if r.v != nil {
				s = ""
			}
		}
		if r.v == nil {
			cats[j] += " — " + st.t("chart.no_data", "no data")
			data[j] = opts.BarData{Name: r.iso3, Value: "-",
				Label: &opts.Label{Show: opts.Bool(true), Formatter: st.t("chart.no_data", "no data"), Position: "insideLeft", Color: "#555555",
					FontSize: float32(countryFont(st))}}
			continue
		}
		withData++
		color := palette[0]
		if s != "" {
			color = StatusColors[s]
		}
		data[j] = opts.BarData{Name: r.iso3, Value: *r.v, ItemStyle: &opts.ItemStyle{Color: color}}
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithTitleOpts(title(fmt.Sprintf("%s, %d", in.Indicator.Name, in.Year),
			st.sourceLine(in.Indicator, strconv.Itoa(in.Year))+fmt.Sprintf("; %s: %d %s %d", st.t("chart.with_data", "Member States with data"), withData, st.t("chart.of", "of"), n))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: countryFont(st)}}),
		charts.WithYAxisOpts(opts.YAxis{Name: in.Indicator.Unit, Type: "value"}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Top: "80", Left: "10", Right: "40", Bottom: "10"}),
	)
	bar.SetXAxis(cats)
	bar.AddSeries(in.Indicator.ShortName, data)
	o, err := finish(bar, st, st.f("chart.desc_ranking", "%s in %d: %d Member States ranked, %d without data.", in.Indicator.Name, in.Year, withData, n-withData))
	if err != nil {
		return nil, err
	}
	// Horizontal bars: the category axis (countries) goes on y. go-echarts'
	// XYReversal swaps the axes before the category data is put in place,
	// so the swap is done on the finished option.
	o["xAxis"], o["yAxis"] = o["yAxis"], o["xAxis"]
	series := o["series"].([]any)[0].(map[string]any)
	for i, d := range series["data"].([]any) {
		r := rows[n-1-i]
		s, ok := in.Status[r.iso3]
		if !ok && r.v == nil {
			s = indicators.StatusNoData
		}
		if dec, ok := statusDecal[s]; ok && r.v != nil {
			is, _ := d.(map[string]any)["itemStyle"].(map[string]any)
			if is != nil {
				is["decal"] = dec
			}
		}
	}
	if in.Target != nil {
		series["markLine"] = map[string]any{"symbol": "none", "data": []any{map[string]any{"xAxis": *in.Target,
			"label": map[string]any{"formatter": in.TargetLabel, "position": "end"}}},
			"lineStyle": map[string]any{"color": "#000000", "type": "dashed", "width": 2}}
	}
	if st.FontScale > 1 {
		// A projector's slide is too short for the whole Region's names at
		// a readable size: ECharts then skips names rather than print them
		// over each other (the page's canvas is tall enough for all).
		o["yAxis"].([]any)[0].(map[string]any)["axisLabel"].(map[string]any)["interval"] = "auto"
	}
	// The status key only where bars carry a milestone status: an indicator
	// no milestone measures has bars of one colour, and a key of statuses
	// beside them would read as if they all had one.
	if len(in.Status) == 0 {
		st.layout(o)
		return o, nil
	}
	// A legend entry needs a series of its name: one empty series per
	// status, stacked with the bars so that it takes no bar slot (without
	// them ECharts drew no legend at all).
	series["stack"] = "rank"
	for _, s := range []indicators.Status{indicators.StatusMet, indicators.StatusOnTrack, indicators.StatusOffTrack, indicators.StatusNoData} {
		o["series"] = append(o["series"].([]any), map[string]any{"type": "bar", "name": st.t("status."+string(s), statusLabel[s]),
			"stack": "rank", "data": []any{}, "silent": true, "itemStyle": map[string]any{"color": StatusColors[s], "decal": statusDecal[s]}})
	}
	legend := statusLegend(st)
	legend["selectedMode"] = false
	o["legend"] = legend
	st.layout(o, legend)
	return o, nil
}

// countryFont is the size of the Member States' names on a category axis
// of the whole Region (53 rows): it grows with FontScale only up to what 53
// rows fit in a projector's slide.
func countryFont(st Style) int {
	return min(st.px(labelSize), labelSize)
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

// statusLegend is a graphic legend of status colours (a bar series has no
// legend entry per colour).
func statusLegend(st Style) map[string]any {
	var items []any
	x := 0
	for _, s := range []indicators.Status{indicators.StatusMet, indicators.StatusOnTrack, indicators.StatusOffTrack, indicators.StatusNoData} {
		items = append(items, map[string]any{"name": st.t("status."+string(s), statusLabel[s]), "itemStyle": map[string]any{"color": StatusColors[s]}})
		x++
	}
	return map[string]any{"show": true, "right": st.px(10), "data": items}
}

// SmallState is a marker for a Member State too small to click on the map.
type SmallState struct {
	ISO3 string  `json:"iso3"`
	Lon  float64 `json:"lon"`
	Lat  float64 `json:"lat"`
}

// MapInput is what the map shows.
type MapInput struct {
	Indicator indicators.Indicator
	Year      int
	Values    map[string]*indicators.Observation
	Names     map[string]string
	Countries []string
	Small     []SmallState
}

// Map draws a choropleth of the Member States keyed by ISO3, with a marker
// on each small state so that it can be found and clicked.
func Map(in MapInput, st Style) (Option, error) {
	m := charts.NewMap()
	m.RegisterMapType(MapName)
	var data []opts.MapData
	lo, hi := math.Inf(1), math.Inf(-1)
	withData := 0
	countries := append([]string(nil), in.Countries...)
	sort.Strings(countries)
	for _, c := range countries {
		if o := in.Values[c]; o != nil {
			data = append(data, opts.MapData{Name: c, Value: o.Value})
			lo, hi = math.Min(lo, o.Value), math.Max(hi, o.Value)
			withData++
		} else {
			data = append(data, opts.MapData{Name: c, Value: "-"})
		}
	}
	if withData == 0 {
		lo, hi = 0, 1
	}
	m.SetGlobalOptions(
		charts.WithTitleOpts(title(fmt.Sprintf("%s, %d", in.Indicator.Name, in.Year),
			st.sourceLine(in.Indicator, strconv.Itoa(in.Year))+fmt.Sprintf("; %s: %d %s %d", st.t("chart.with_data", "Member States with data"), withData, st.t("chart.of", "of"), len(countries)))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: float32(math.Floor(lo)), Max: float32(math.Ceil(hi)),
			Orient: "horizontal", Left: "left", InRange: &opts.VisualMapInRange{Color: []string{"#F0F9E8", "#7BCCC4", "#2B8CBE", "#084081"}}}),
	)
	m.AddSeries(in.Indicator.ShortName, data)
	m.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
	o, err := finish(m, st, st.f("chart.desc_map", "Map of %s in %d across the %d Member States; %d without data.",
		in.Indicator.Name, in.Year, len(countries), len(countries)-withData))
	if err != nil {
		return nil, err
	}
	// A continuous colour scale has no categories for decals to tell apart;
	// the tooltip and the table alternative carry the values.
	o["aria"].(map[string]any)["decal"] = map[string]any{"show": false}
	series := o["series"].([]any)[0].(map[string]any)
	series["map"] = MapName
	series["nameProperty"] = "name"
	series["geoIndex"] = 0
	geo := map[string]any{"map": MapName, "roam": true, "nameProperty": "name",
		// The Region from Iceland to the Urals and from the Arctic to Israel
		// fits the box under the title; Russia's east runs off to the right.
		// A fixed centre and zoom instead spilled over the title and cut
		// off Türkiye and the south at other sizes.
		"boundingCoords": [][2]float64{{-25, 81}, {62, 29}},
		"left":           st.px(8), "right": st.px(8), "bottom": st.px(8),
		"itemStyle": map[string]any{"areaColor": "#DDDDDD", "borderColor": "#FFFFFF", "borderWidth": 0.5},
		"emphasis":  map[string]any{"label": map[string]any{"show": false}, "itemStyle": map[string]any{"areaColor": "#E69F00"}}}
	o["geo"] = geo
	var rows []map[string]any
	if vm, ok := o["visualMap"].([]any); ok && len(vm) > 0 {
		v := vm[0].(map[string]any)
		v["seriesIndex"] = []int{0, 1}
		v["outOfRange"] = map[string]any{"color": "#DDDDDD"}
		// Horizontal in a row under the title: at the bottom left it sat
		// on Portugal and the Atlantic islands on a phone.
		v["text"] = []string{in.Indicator.Unit, ""}
		v["itemWidth"], v["itemHeight"] = st.px(12), st.px(120)
		rows = append(rows, v)
	}
	geo["top"] = st.layout(o, rows...) + st.px(8)
	var small []any
	for _, s := range in.Small {
		var v any = "-"
		if o := in.Values[s.ISO3]; o != nil {
			v = o.Value
		}
		small = append(small, map[string]any{"name": s.ISO3, "value": []any{s.Lon, s.Lat, v}})
	}
	o["series"] = append(o["series"].([]any), map[string]any{"type": "scatter", "coordinateSystem": "geo", "name": st.t("chart.small_states", "Small Member States"),
		"symbolSize": st.px(12), "data": small, "encode": map[string]any{"value": 2},
		"itemStyle": map[string]any{"borderColor": "#000000", "borderWidth": 1}})
	return o, nil
}

// Round is one Code reporting round.
type Round struct {
	Number      int
	Year        int
	Reported    []string
	NotReported []string
	Members     int
	CitedEurope *float64
	CitedLabel  string
}

// CodeInput is what the Code reporting chart shows.
type CodeInput struct {
	Rounds    []Round
	Names     map[string]string
	Countries []string
	Target    *float64
}

// CodeReporting draws who reported in which round of the Code's national
// reporting (a grid of Member States × rounds), and the share of the Region
// reporting per round with the counts cited in public sources.
func CodeReporting(in CodeInput, st Style) (Option, error) {
	countries := append([]string(nil), in.Countries...)
	sort.Slice(countries, func(i, j int) bool { return name(in.Names, countries[i]) > name(in.Names, countries[j]) })
	var rounds, roundsShort []string
	var cells []opts.HeatMapData
	var share, cited []opts.BarData
	for x, r := range in.Rounds {
		rounds = append(rounds, fmt.Sprintf("%s %d (%d)", st.t("chart.round", "Round"), r.Number, r.Year))
		// The heatmap's columns are narrow (about 20 px on a phone): the
		// number and year, upright, with "Round" as the axis name. Side by
		// side the labels overlap there, and ECharts 6's containLabel then
		// shrinks the grid to nothing.
		roundsShort = append(roundsShort, fmt.Sprintf("%d (%d)", r.Number, r.Year))
		state := map[string]int{}
		for _, c := range r.Reported {
			state[c] = 2
		}
		for _, c := range r.NotReported {
			state[c] = 1
		}
		for y, c := range countries {
			cells = append(cells, opts.HeatMapData{Name: c, Value: [3]int{x, y, state[c]}})
		}
		pct := 0.0
		if r.Members > 0 {
			pct = math.Round(1000*float64(len(r.Reported))/float64(r.Members)) / 10
		}
		share = append(share, opts.BarData{Name: fmt.Sprintf("%d %s %d", len(r.Reported), st.t("chart.of", "of"), r.Members), Value: pct})
		if r.CitedEurope != nil && r.Members > 0 {
			cited = append(cited, opts.BarData{Name: r.CitedLabel, Value: math.Round(1000**r.CitedEurope/float64(r.Members)) / 10})
		} else {
			cited = append(cited, opts.BarData{Value: "-"})
		}
	}
	// On a projector the columns are wide enough for the labels side by
	// side, and upright labels would take the height the 53 rows need
	// (at 1280×720 they left the heatmap about 100 px).
	roundRotate, roundGap, shareRounds, shareRoundsName, shareRoundSize := 90.0, 58, rounds, "", 10.0
	if st.FontScale >= 1.5 {
		roundRotate, roundGap, shareRounds, shareRoundsName, shareRoundSize = 0, 28, roundsShort, st.t("chart.round", "Round"), 8
	}
	hm := charts.NewHeatMap()
	hm.SetGlobalOptions(
		charts.WithTitleOpts(title(st.t("chart.code_title", "Global Code national reporting: who reported in which round"),
			st.t("chart.code_sources", "Sources: reports received by hwfdash (code_nri_report); cited regional counts from nri_rounds.csv"))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", Data: roundsShort, Name: st.t("chart.round", "Round"), NameGap: roundGap,
			SplitArea: &opts.SplitArea{Show: opts.Bool(true)}, AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: st.px(10), Rotate: roundRotate}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: countryNames(countries, in.Names), AxisLabel: &opts.AxisLabel{Interval: "0", FontSize: countryFont(st)}}),
		charts.WithVisualMapOpts(opts.VisualMap{Type: "piecewise", Show: opts.Bool(true), Orient: "horizontal", Left: "10"}),
		// Both edges of each grid are given: with a width, containLabel
		// let the longest name ("Bosnia & Herzegovina") run off the left.
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Left: "24", Right: "40%", Bottom: "46"},
			opts.Grid{ContainLabel: opts.Bool(true), Left: "64%", Right: "10", Bottom: "10"}),
	)
	hm.AddSeries(st.t("chart.reporting", "Reporting"), cells)
	o, err := finish(hm, st, st.f("chart.desc_code", "National reporting on the Global Code by %d Member States over %d rounds.", len(countries), len(in.Rounds)))
	if err != nil {
		return nil, err
	}
	// The share chart's round labels stand upright: at 45° they ran into
	// the legend and the labels of the bars.
	o["xAxis"] = []any{o["xAxis"].([]any)[0], map[string]any{"type": "category", "data": shareRounds, "gridIndex": 1,
		"name": shareRoundsName, "nameLocation": "middle", "nameGap": 28,
		"axisLabel": map[string]any{"rotate": roundRotate, "interval": 0, "fontSize": st.px(shareRoundSize)}}}
	o["yAxis"] = []any{o["yAxis"].([]any)[0], map[string]any{"type": "value", "name": st.t("chart.share", "% of Member States"), "min": 0, "max": 100, "gridIndex": 1}}
	if vm, ok := o["visualMap"].([]any); ok && len(vm) > 0 {
		v := vm[0].(map[string]any)
		v["seriesIndex"] = 0
		v["dimension"] = 2
		// go-echarts' Piece has no value/label fields: exact-value pieces
		// are set here.
		v["pieces"] = []any{
			map[string]any{"value": 2, "label": st.t("chart.reported", "reported"), "color": StatusColors[indicators.StatusMet]},
			map[string]any{"value": 1, "label": st.t("chart.not_reported", "not reported"), "color": StatusColors[indicators.StatusOffTrack]},
			map[string]any{"value": 0, "label": st.t("chart.no_answer", "no answer yet"), "color": StatusColors[indicators.StatusNoData]},
		}
	}
	received, citedName := st.t("chart.received", "Reports received by hwfdash"), st.t("chart.cited", "Cited regional count")
	// The legend is a row under the visualMap's, at the top: at the bottom
	// right it covered the rotated round labels.
	legend := map[string]any{"show": true, "left": st.px(10), "data": []string{received, citedName}}
	o["legend"] = legend
	// "0 of 53" stands upright above its bar: side by side the five labels
	// ran into each other on a phone.
	shareSeries := map[string]any{"type": "bar", "name": received, "xAxisIndex": 1, "yAxisIndex": 1, "data": share,
		"label": map[string]any{"show": true, "position": "top", "formatter": "{b}", "rotate": 90, "align": "left", "verticalAlign": "middle",
			"distance": st.px(4), "fontSize": st.px(10)}, "itemStyle": map[string]any{"color": palette[0]}}
	if in.Target != nil {
		shareSeries["markLine"] = map[string]any{"symbol": "none", "data": []any{map[string]any{"yAxis": *in.Target}}}
	}
	o["series"] = append(o["series"].([]any), shareSeries, map[string]any{"type": "bar", "name": citedName, "xAxisIndex": 1,
		"yAxisIndex": 1, "data": cited, "itemStyle": map[string]any{"color": palette[1]}})
	rows := []map[string]any{legend}
	vms := components(o, "visualMap")
	// On a projector the two keys share one row, the legend over the share
	// chart it belongs to: the heatmap's 53 rows need every pixel of height.
	shareRow := st.FontScale >= 1.5 && len(vms) > 0
	switch {
	case shareRow:
		rows = vms[:1]
	case len(vms) > 0:
		rows = []map[string]any{vms[0], legend}
	}
	st.layout(o, rows...)
	if shareRow {
		legend["top"] = vms[0]["top"]
		legend["right"] = st.px(10)
		legend["textStyle"] = map[string]any{"fontSize": st.px(9)}
		delete(legend, "left")
	}
	return o, nil
}

func countryNames(codes []string, names map[string]string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = name(names, c)
	}
	return out
}

// MilestonesInput is what the aligned milestones chart shows.
type MilestonesInput struct {
	Milestones  []indicators.Milestone
	Status      map[string]indicators.Status // regional status; absent = not measured
	CurrentYear int
}

// Milestones draws the global and European milestones on one time axis,
// coloured by the Region's status. Milestones whose source gives no year are
// listed on their own row at the right, never placed at an invented year.
func Milestones(in MilestonesInput, st Style) (Option, error) {
	sc := charts.NewScatter()
	cats := []string{st.t("chart.european", "European"), st.t("chart.global", "Global")}
	lo, hi := 3000, 0
	var undated []string
	byStatus := map[string][]opts.ScatterData{}
	offsets := map[string][]int{} // by status, parallel to byStatus
	stack := staggerMilestones(in.Milestones)
	for _, m := range in.Milestones {
		if m.Year == nil {
			undated = append(undated, m.ID)
			continue
		}
		lo, hi = min(lo, *m.Year), max(hi, *m.Year)
		row := cats[1]
		if m.Scope == "europe" {
			row = cats[0]
		}
		label := "not measured"
		if s, ok := in.Status[m.ID]; ok {
			label = statusLabel[s]
		}
		byStatus[label] = append(byStatus[label], opts.ScatterData{Name: m.ID + ": " + shorten(m.Title, 90),
			Value: []any{yearDate(*m.Year), row}, SymbolSize: st.px(14)})
		offsets[label] = append(offsets[label], int(math.Round(stack[m.ID]*float64(st.px(milestoneStep)))))
	}
	if hi == 0 {
		lo, hi = in.CurrentYear, in.CurrentYear
	}
	sub := st.t("chart.sources", "Sources:") + " milestones.csv"
	if len(undated) > 0 {
		sub += "; " + st.t("chart.not_stated", "year not stated in the source") + ": " + strings.Join(undated, ", ")
	}
	sc.SetGlobalOptions(
		charts.WithTitleOpts(title(st.t("chart.milestones_title", "Aligned global and European milestones"), sub)),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0"}),
		// A time axis: a value axis prints years with a thousands
		// separator ("2,010") whatever its string formatter, and ticks at
		// odd values; a time axis ticks on whole years, printed "{yyyy}".
		charts.WithXAxisOpts(opts.XAxis{Type: "time", Name: st.t("chart.year", "Year"), Min: yearDate(lo - 1), Max: yearDate(max(hi, in.CurrentYear) + 1),
			// The end a year after the last milestone is not a tick of
			// the axis's own spacing: its label crowded the last one.
			AxisLabel: &opts.AxisLabel{Formatter: "{yyyy}", ShowMaxLabel: opts.Bool(false)}}),
		charts.WithYAxisOpts(opts.YAxis{Type: "category", Data: cats}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Top: "90", Left: "10", Right: "30", Bottom: "50"}),
	)
	colors := map[string]string{"met": StatusColors[indicators.StatusMet], "on track": StatusColors[indicators.StatusOnTrack],
		"off track": StatusColors[indicators.StatusOffTrack], "no data": StatusColors[indicators.StatusNoData], "not measured": "#0072B2"}
	statusOf := map[string]string{} // series name (translated) → status
	for _, label := range []string{"not measured", "met", "on track", "off track", "no data"} {
		if d, ok := byStatus[label]; ok {
			statusOf[st.t("status."+statusKey[label], label)] = label
			sc.AddSeries(st.t("status."+statusKey[label], label), d, charts.WithItemStyleOpts(opts.ItemStyle{Color: colors[label]}),
				charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top", Formatter: "{@[0]}"}))
		}
	}
	o, err := finish(sc, st, st.f("chart.desc_milestones", "%d milestones on a time axis from %d to %d; %d without a stated year.", len(in.Milestones)-len(undated), lo, hi, len(undated)))
	if err != nil {
		return nil, err
	}
	ss, _ := o["series"].([]any)
	for _, s := range ss {
		sm := s.(map[string]any)
		sm["label"] = map[string]any{"show": true, "position": "top", "fontSize": st.px(10)}
		off := offsets[statusOf[sm["name"].(string)]]
		for i, d := range sm["data"].([]any) {
			dm := d.(map[string]any)
			id, _, _ := strings.Cut(dm["name"].(string), ":")
			dm["label"] = map[string]any{"formatter": id}
			// The symbol (and its label with it) moves up or down within
			// its row; it stays at its year on the axis.
			if i < len(off) && off[i] != 0 {
				dm["symbolOffset"] = []int{0, off[i]}
			}
			// The tooltip gives the year: the time axis would show a date.
			if v, ok := dm["value"].([]any); ok && len(v) > 0 {
				y, _, _ := strings.Cut(fmt.Sprint(v[0]), "-")
				dm["tooltip"] = map[string]any{"formatter": "{a}<br/>" + y + ": {b}"}
			}
		}
	}
	if in.CurrentYear > 0 && len(ss) > 0 {
		ss[0].(map[string]any)["markLine"] = map[string]any{"symbol": "none", "data": []any{map[string]any{"xAxis": yearDate(in.CurrentYear),
			"label": map[string]any{"formatter": st.t("chart.today", "today")}}}, "lineStyle": map[string]any{"type": "dotted", "color": "#000000"}}
	}
	st.layout(o)
	return o, nil
}

// milestoneStep is the vertical distance, at FontScale 1, between
// milestones of the same year and scope: a symbol and its label.
const milestoneStep = 26

func yearDate(y int) string { return fmt.Sprintf("%04d-01-01", y) }

// staggerMilestones gives each dated milestone its place within its row, in
// steps from the row's middle: milestones of one year and scope (G01 and
// G02 in 2010) otherwise sit on one point and print their ids over each
// other. Alone in its year a milestone stays at 0.
func staggerMilestones(ms []indicators.Milestone) map[string]float64 {
	groups := map[string][]string{}
	for _, m := range ms {
		if m.Year == nil {
			continue
		}
		k := fmt.Sprintf("%s/%d", m.Scope, *m.Year)
		groups[k] = append(groups[k], m.ID)
	}
	out := map[string]float64{}
	for _, ids := range groups {
		sort.Strings(ids)
		for i, id := range ids {
			out[id] = float64(i) - float64(len(ids)-1)/2
		}
	}
	return out
}

func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

// Point is one country in the relationship chart.
type Point struct {
	ISO3         string
	X, Y         float64
	XYear, YYear int
}

// ScatterInput is what the relationship chart shows.
type ScatterInput struct {
	X, Y   indicators.Indicator
	Points []Point
	Names  map[string]string
}

// Relationship draws one indicator against another, one point per country
// that has both.
func Relationship(in ScatterInput, st Style) (Option, error) {
	pts := append([]Point(nil), in.Points...)
	sort.Slice(pts, func(i, j int) bool { return pts[i].ISO3 < pts[j].ISO3 })
	var data []opts.ScatterData
	for _, p := range pts {
		data = append(data, opts.ScatterData{Name: fmt.Sprintf("%s (%d, %d)", name(in.Names, p.ISO3), p.XYear, p.YYear),
			Value: []any{p.X, p.Y, p.ISO3}, SymbolSize: st.px(10)})
	}
	sc := charts.NewScatter()
	sc.SetGlobalOptions(
		charts.WithTitleOpts(title(in.Y.ShortName+" "+st.t("chart.against", "against")+" "+in.X.ShortName,
			fmt.Sprintf("%d Member States with both values (latest year of each); sources: %s; %s", len(pts), in.X.Source, in.Y.Source))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: in.X.ShortName + " (" + in.X.Unit + ")", NameLocation: "middle", NameGap: 30}),
		charts.WithYAxisOpts(opts.YAxis{Type: "value", Name: in.Y.ShortName + " (" + in.Y.Unit + ")"}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Top: "90", Left: "10", Right: "30", Bottom: "40"}),
	)
	sc.AddSeries("Member States", data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{@[2]}"}))
	o, err := finish(sc, st, st.f("chart.desc_scatter", "Scatter of %s against %s for %d Member States.", in.Y.Name, in.X.Name, len(pts)))
	if err != nil {
		return nil, err
	}
	st.layout(o)
	return o, nil
}

// near reports whether two target values are within 15 % of the larger,
// close enough for their labels to collide on a chart scaled to them.
func near(a, b float64) bool {
	m := math.Max(math.Abs(a), math.Abs(b))
	return m > 0 && math.Abs(a-b) < 0.15*m
}
