package charts

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/hwfdash/hwfdash/indicators"
)

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
			pct = percent(float64(len(r.Reported)), float64(r.Members))
		}
		share = append(share, opts.BarData{Name: fmt.Sprintf("%d %s %d", len(r.Reported), st.t("chart.of", "of"), r.Members), Value: pct})
		if r.CitedEurope != nil && r.Members > 0 {
			cited = append(cited, opts.BarData{Name: r.CitedLabel, Value: percent(*r.CitedEurope, float64(r.Members))})
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
		charts.WithTitleOpts(st.title(st.t("chart.code_title", "Global Code national reporting: who reported in which round"),
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
	hm.ExtendYAxis(opts.YAxis{Type: "value", Name: st.t("chart.share", "% of Member States"), Min: 0, Max: 100, GridIndex: 1})
	hm.AddSeries(st.t("chart.reporting", "Reporting"), cells)
	received, citedName := st.t("chart.received", "Reports received by hwfdash"), st.t("chart.cited", "Cited regional count")
	// The share of the Region reporting, on the second grid's axes.
	bars := charts.NewBar()
	onShare := charts.WithBarChartOpts(opts.BarChart{XAxisIndex: 1, YAxisIndex: 1})
	bars.AddSeries(received, share, onShare,
		// "0 of 53" stands upright above its bar: side by side the five
		// labels ran into each other on a phone.
		// (rotate and distance below: go-echarts' Label has neither).
		charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top", Formatter: "{b}", Align: "left", VerticalAlign: "middle",
			FontSize: float32(st.px(10))}),
		charts.WithItemStyleOpts(opts.ItemStyle{Color: palette[0]}))
	bars.AddSeries(citedName, cited, onShare, charts.WithItemStyleOpts(opts.ItemStyle{Color: palette[1]}))
	hm.Overlap(bars)
	o, err := finish(hm, st, aria(st.f("chart.desc_code", "National reporting on the Global Code by %d Member States over %d rounds.", len(countries), len(in.Rounds))))
	if err != nil {
		return nil, err
	}
	// The share chart's round labels stand upright: at 45° they ran into
	// the legend and the labels of the bars. A map entry, not
	// hm.ExtendXAxis: go-echarts would drop the empty name and give the
	// interval as a string ("0").
	o["xAxis"] = []any{o["xAxis"].([]any)[0], map[string]any{"type": "category", "data": shareRounds, "gridIndex": 1,
		"name": shareRoundsName, "nameLocation": "middle", "nameGap": 28,
		"axisLabel": map[string]any{"rotate": roundRotate, "interval": 0, "fontSize": st.px(shareRoundSize)}}}
	if vm, ok := o["visualMap"].([]any); ok && len(vm) > 0 {
		v := vm[0].(map[string]any)
		v["seriesIndex"] = 0
		v["dimension"] = 2
		// go-echarts' Piece has no value/label fields: exact-value pieces
		// are set here.
		v["pieces"] = []any{
			// The grid holds answers received by hwfdash, named as such
			// (issue 14): never "reported" to WHO.
			map[string]any{"value": 2, "label": st.t("chart.reported", "received by hwfdash: yes"), "color": StatusColors[indicators.StatusMet]},
			map[string]any{"value": 1, "label": st.t("chart.not_reported", "received by hwfdash: no"), "color": StatusColors[indicators.StatusOffTrack]},
			map[string]any{"value": 0, "label": st.t("chart.no_answer", "no answer yet"), "color": StatusColors[indicators.StatusNoData]},
		}
	}
	// The legend is a row under the visualMap's, at the top: at the bottom
	// right it covered the rotated round labels.
	legend := map[string]any{"show": true, "left": st.px(10), "data": []string{received, citedName}}
	o["legend"] = legend
	shareSeries := o["series"].([]any)[1].(map[string]any)
	shareLabel := shareSeries["label"].(map[string]any)
	shareLabel["rotate"], shareLabel["distance"] = 90, st.px(4)
	if in.Target != nil {
		// A map entry: go-echarts gives a mark line's symbol as a list.
		shareSeries["markLine"] = map[string]any{"symbol": "none", "data": []any{map[string]any{"yAxis": *in.Target}}}
	}
	if k := projectorColumns(st, len(countries)); k > 1 {
		codeColumns(o, countries, k, st)
	}
	rows := []map[string]any{legend}
	vms := components(o, "visualMap")
	// On a projector the legend gets a row of its own over the share chart
	// it belongs to, and only that chart starts below it: the heatmap's
	// columns keep every pixel of height. (It used to share the visualMap's
	// row, and at 1280 px the two keys printed over each other.)
	shareRow := st.FontScale >= 1.5 && len(vms) > 0
	switch {
	case shareRow:
		rows = vms[:1]
	case len(vms) > 0:
		rows = []map[string]any{vms[0], legend}
	}
	st.layout(o, rows...)
	if !shareRow && len(vms) > 0 {
		narrowCodeKey(o, vms[0], legend, st)
		// The share chart's axis name ends at its axis, over the
		// heatmap's empty top: from the axis it ran off a phone's right
		// edge. (A projector has the width, and a legend row there.)
		for _, ax := range components(o, "yAxis") {
			if number(ax["gridIndex"]) == 1 {
				ax["nameTextStyle"].(map[string]any)["align"] = "right"
			}
		}
	}
	if shareRow {
		gs := components(o, "grid")
		share := gs[len(gs)-1]
		legend["top"] = share["top"].(int) - st.px(nameRoom) + st.px(rowGap)
		share["top"] = share["top"].(int) + st.px(rowGap) + st.px(rowHeight)
		legend["right"] = st.px(10)
		legend["textStyle"] = map[string]any{"fontSize": st.px(9)}
		delete(legend, "left")
	}
	return o, nil
}

// codeColumns splits a projector's grid of Member States × rounds into k
// side-by-side grids (in alphabetical order down each), before the share
// chart. countries is in the heatmap's order: the first at the bottom.
func codeColumns(o Option, countries []string, k int, st Style) {
	n := len(countries)
	xAxes, yAxes, grids := o["xAxis"].([]any), o["yAxis"].([]any), o["grid"].([]any)
	series := o["series"].([]any)
	hm := series[0].(map[string]any)
	hmX, hmY := xAxes[0].(map[string]any), yAxes[0].(map[string]any)
	names := hmY["data"].([]any)
	// Place of each row: its column, and its index there.
	col, at := make([]int, n), make([]int, n)
	var cats [][]any
	for c := 0; c < k; c++ {
		from, to := columnSpan(c, k, n)
		var cs []any
		// Alphabetical from the top: the last rows of the heatmap's
		// order, the first category at the bottom.
		for i := from; i < to; i++ {
			y := n - 1 - (to - 1 - (i - from))
			col[y], at[y] = c, len(cs)
			cs = append(cs, names[y])
		}
		cats = append(cats, cs)
	}
	parts := make([][]any, k)
	for _, d := range hm["data"].([]any) {
		cell := copyMap(d.(map[string]any))
		v := cell["value"].([]any)
		y := int(v[1].(float64))
		cell["value"] = []any{v[0], at[y], v[2]}
		parts[col[y]] = append(parts[col[y]], cell)
	}
	// The rounds' numbers alone: a column is about 30 px wide per round.
	var nums []any
	for _, r := range hmX["data"].([]any) {
		s, _ := r.(string)
		num, _, _ := strings.Cut(s, " ")
		nums = append(nums, num)
	}
	var gs, xs, ys, hms, index []any
	for c := 0; c < k; c++ {
		gs = append(gs, columnGrid(c, k, 0, 64, 46))
		x := copyMap(hmX)
		x["gridIndex"], x["data"] = c, nums
		x["axisLabel"] = map[string]any{"interval": 0, "fontSize": st.px(projectorNameSize)}
		xs = append(xs, x)
		y := copyMap(hmY)
		y["gridIndex"], y["data"] = c, cats[c]
		y["axisLabel"] = map[string]any{"interval": 0, "fontSize": st.px(projectorNameSize)}
		ys = append(ys, y)
		h := copyMap(hm)
		h["xAxisIndex"], h["yAxisIndex"], h["data"] = c, c, parts[c]
		hms = append(hms, h)
		index = append(index, c)
	}
	// The share chart keeps its axes, now after the columns'.
	shareX, shareY := xAxes[1].(map[string]any), yAxes[1].(map[string]any)
	shareX["gridIndex"], shareY["gridIndex"] = k, k
	for _, s := range series[1:] {
		sm := s.(map[string]any)
		sm["xAxisIndex"], sm["yAxisIndex"] = k, k
	}
	o["grid"] = append(gs, grids[1])
	o["xAxis"], o["yAxis"] = append(xs, shareX), append(ys, shareY)
	o["series"] = append(hms, series[1:]...)
	for _, v := range components(o, "visualMap") {
		v["seriesIndex"] = index
	}
}

// narrowCodeKey stacks the status key (a piecewise visualMap in a row
// under the title) one piece a line where the row is narrower than the
// key, with an ECharts media query: a visualMap neither wraps nor pages,
// and on a phone "received by hwfdash: yes" ran off the right edge. The
// legend's row and the grids move down by the lines it gains; the media's
// default puts the row back when the chart widens.
func narrowCodeKey(o Option, vm, legend map[string]any, st Style) {
	pieces, _ := vm["pieces"].([]any)
	if len(pieces) < 2 {
		return
	}
	font := number(vm["textStyle"].(map[string]any)["fontSize"])
	// Each piece is its mark, a gap and its label (a generous 0.62 em a
	// character), the pieces 10 px apart (ECharts' itemGap), from the
	// key's left.
	width := float64(st.px(10))
	for _, p := range pieces {
		label, _ := p.(map[string]any)["label"].(string)
		width += number(vm["itemWidth"]) + 5 + 0.62*font*float64(len([]rune(label))) + 10
	}
	// Stacked, each piece takes a line of its mark's height and the gap;
	// so do the legend's two entries, which at that width went onto a
	// second page.
	stack := func(n int, m map[string]any) int {
		line := max(number(m["itemHeight"]), 1.25*number(m["textStyle"].(map[string]any)["fontSize"]))
		return n*(int(math.Ceil(line))+st.px(10)) - st.px(10) - st.px(rowHeight)
	}
	names, _ := legend["data"].([]string)
	dv, dl := stack(len(pieces), vm), stack(len(names), legend)
	grids := components(o, "grid")
	place := func(orient string, dv, dl int) map[string]any {
		var gs []any
		for _, g := range grids {
			gs = append(gs, map[string]any{"top": g["top"].(int) + dv + dl})
		}
		return map[string]any{"visualMap": []any{map[string]any{"orient": orient}},
			"legend": map[string]any{"top": legend["top"].(int) + dv, "orient": orient}, "grid": gs}
	}
	o["media"] = []any{
		map[string]any{"option": place("horizontal", 0, 0)},
		map[string]any{"query": map[string]any{"maxWidth": int(math.Ceil(width))}, "option": place("vertical", dv, dl)},
	}
}
