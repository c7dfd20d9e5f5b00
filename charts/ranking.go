package charts

import (
	"fmt"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/hwfdash/hwfdash/indicators"
)

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
	// Top > 0 keeps only the Top highest and Top lowest Member States with
	// a value (a compact ranking for a narrow frame); Highlight is a
	// Member State marked and always kept (an embed's country).
	Top       int
	Highlight string
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
	total := len(rows)
	if in.Top > 0 {
		rows = compactRows(rows, in.Top, in.Highlight, func(r row) bool { return r.v != nil }, func(r row) string { return r.iso3 })
	}
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
		if r.iso3 == in.Highlight {
			cats[j] = "▶ " + cats[j]
			data[j].ItemStyle.BorderColor, data[j].ItemStyle.BorderWidth = "#000000", 2
		}
	}
	if in.Highlight != "" && in.Values[in.Highlight] == nil {
		for j := range cats {
			if data[j].Name == in.Highlight {
				cats[j] = "▶ " + cats[j]
			}
		}
	}
	allWithData := 0
	for _, c := range in.Countries {
		if in.Values[c] != nil {
			allWithData++
		}
	}
	interval := "0"
	if st.FontScale > 1 {
		// A projector's slide is too short for the whole Region's names at
		// a readable size: ECharts then skips names rather than print them
		// over each other (the page's canvas is tall enough for all).
		interval = "auto"
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(
		charts.WithTitleOpts(st.title(yearTitle(in.Indicator.Name, in.Year),
			st.sourceLine(in.Indicator, yearLabel(in.Year))+st.semicolon()+fmt.Sprintf("%s%s %d %s %d", st.t("chart.with_data", "Member States with data"), st.colon(), allWithData, st.t("chart.of", "of"), total))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithXAxisOpts(opts.XAxis{Type: "category", AxisLabel: &opts.AxisLabel{Interval: interval, FontSize: countryFont(st)}}),
		charts.WithYAxisOpts(opts.YAxis{Name: in.Indicator.Unit, Type: "value"}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Top: "80", Left: "10", Right: "40", Bottom: "10"}),
	)
	bar.SetXAxis(cats)
	// The status key only where bars carry a milestone status: an indicator
	// no milestone measures has bars of one colour, and a key of statuses
	// beside them would read as if they all had one.
	keyed := len(in.Status) > 0
	if !keyed {
		bar.AddSeries(in.Indicator.ShortName, data)
	} else {
		// A legend entry needs a series of its name: one empty series per
		// status, stacked with the bars so that it takes no bar slot
		// (without them ECharts drew no legend at all).
		rank := charts.WithBarChartOpts(opts.BarChart{Stack: "rank"})
		bar.AddSeries(in.Indicator.ShortName, data, rank)
		for _, s := range keyFor(in.Status) {
			bar.AddSeries(st.t("status."+string(s), statusLabel[s]), []opts.BarData{}, rank,
				charts.WithItemStyleOpts(opts.ItemStyle{Color: StatusColors[s]}))
		}
	}
	desc := st.f("chart.desc_ranking", "%s in %d: %d Member States ranked, %d without data.", in.Indicator.Name, in.Year, allWithData, total-allWithData)
	if in.Year <= 0 {
		desc = st.noValues(in.Indicator.Name)
	}
	o, err := finish(bar, st, aria(desc))
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
	// A map entry: go-echarts gives a mark line's symbol as a list.
	if in.Target != nil {
		// The label stands over the line's top end: centred there it ran
		// off the right edge where the target is near the axis's end (a
		// projector's column in German). It ends at the line in the right
		// half of the value axis and starts there in the left.
		top := *in.Target
		for _, r := range rows {
			if r.v != nil {
				top = max(top, *r.v)
			}
		}
		align := "left"
		if 2*(*in.Target) >= top {
			align = "right"
		}
		series["markLine"] = map[string]any{"symbol": "none", "data": []any{map[string]any{"xAxis": *in.Target,
			"label": map[string]any{"formatter": in.TargetLabel, "position": "end", "align": align}}},
			"lineStyle": map[string]any{"color": "#000000", "type": "dashed", "width": 2}}
	}
	if k := projectorColumns(st, n); k > 1 {
		ranked := make([]string, n)
		top := 0.0
		for i, r := range rows {
			ranked[i] = cats[n-1-i]
			if r.v != nil {
				top = max(top, *r.v)
			}
		}
		if in.Target != nil {
			top = max(top, *in.Target)
		}
		rankingColumns(o, ranked, k, niceCeil(top), st)
	}
	if !keyed {
		st.layout(o)
		return o, nil
	}
	// go-echarts has no series silent and no item decal.
	// The key series are the last ones (projector columns come before).
	all := o["series"].([]any)
	keys := keyFor(in.Status)
	for i, s := range keys {
		key := all[len(all)-len(keys)+i].(map[string]any)
		key["silent"] = true
		key["itemStyle"].(map[string]any)["decal"] = statusDecal[s]
	}
	legend := statusLegend(st, keys)
	legend["selectedMode"] = false
	o["legend"] = legend
	st.layout(o, legend)
	return o, nil
}

// rankingColumns splits a projector's ranking into k side-by-side charts
// on one scale, ranks 1–18 in the first; ranked holds the category names,
// best first.
func rankingColumns(o Option, ranked []string, k int, top float64, st Style) {
	n := len(ranked)
	valueAxis := o["xAxis"].([]any)[0].(map[string]any)
	catAxis := o["yAxis"].([]any)[0].(map[string]any)
	series := o["series"].([]any)
	main := series[0].(map[string]any)
	data := main["data"].([]any) // the last rank first
	var grids, xs, ys, cols []any
	for c := 0; c < k; c++ {
		from, to := columnSpan(c, k, n)
		var cats, part []any
		for i := to - 1; i >= from; i-- {
			cats = append(cats, ranked[i])
			part = append(part, data[n-1-i])
		}
		grids = append(grids, columnGrid(c, k, 0, 100, 10))
		x := copyMap(valueAxis)
		x["gridIndex"], x["max"], x["min"] = c, top, 0
		// The columns share one scale: its unit is named once, under the
		// first. Centred under the last, narrow column at 1280 px it ran
		// off the slide's right edge.
		if c > 0 {
			delete(x, "name")
		}
		xs = append(xs, x)
		y := copyMap(catAxis)
		y["gridIndex"], y["data"] = c, cats
		y["axisLabel"] = map[string]any{"interval": 0, "fontSize": st.px(projectorNameSize)}
		ys = append(ys, y)
		col := copyMap(main)
		col["xAxisIndex"], col["yAxisIndex"], col["data"] = c, c, part
		// The target's line is drawn in every column, its label over the
		// first only, as the unit: over the last, narrow column it ran off
		// the slide.
		if ml, ok := main["markLine"].(map[string]any); ok && c > 0 {
			ml = copyMap(ml)
			var data []any
			for _, d := range ml["data"].([]any) {
				dm := copyMap(d.(map[string]any))
				dm["label"] = map[string]any{"show": false}
				data = append(data, dm)
			}
			ml["data"] = data
			col["markLine"] = ml
		}
		cols = append(cols, col)
	}
	o["grid"], o["xAxis"], o["yAxis"] = grids, xs, ys
	o["series"] = append(cols, series[1:]...)
}

// compactRows keeps, of rows sorted best first, the top highest and the top
// lowest with a value, and the highlighted one wherever it ranks.
func compactRows[R any](rows []R, top int, highlight string, has func(R) bool, iso3 func(R) string) []R {
	withData := 0
	for _, r := range rows {
		if has(r) {
			withData++
		}
	}
	var out []R
	for i, r := range rows {
		if (has(r) && (i < top || i >= withData-top)) || iso3(r) == highlight {
			out = append(out, r)
		}
	}
	return out
}
