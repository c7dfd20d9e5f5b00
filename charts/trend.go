package charts

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/hwfdash/hwfdash/indicators"
)

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
	// Low marks a year of low coverage (indicators.CoverageRule): its
	// median is drawn apart, dotted with hollow points, and labelled.
	Low bool
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
	// RelativeTo is the base year when Series hold each country's change
	// since it in percent (ChangeSince); NoBase the countries without a
	// value that year. Milestones and the band are the caller's to adapt.
	RelativeTo int
	NoBase     []string
	// LogScale draws the value axis on a log scale (every value above 0).
	LogScale bool
	// Events are marked where their year is on the axis; MarkBreaks marks
	// series breaks and unverified jumps on the countries' lines.
	Events     []Event
	MarkBreaks bool
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
	// The band's helper series stay out of the legend (and the tooltip,
	// below).
	legend := []string{st.t("chart.median", "Regional median")}
	for _, iso3 := range sortedKeys(in.Series) {
		legend = append(legend, name(in.Names, iso3))
	}
	for _, b := range in.Band {
		if _, ok := index[b.Year]; ok && b.Low && b.Median != nil {
			legend = append(legend, st.t("chart.median", "Regional median")+" ("+st.t("coverage.low", "low coverage")+")")
			break
		}
	}
	line := charts.NewLine()
	line.SetGlobalOptions(
		charts.WithTitleOpts(st.title(in.Indicator.Name, in.subtitle(st, span))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(true), Bottom: "0", Type: "scroll", Data: legend}),
		charts.WithXAxisOpts(opts.XAxis{Name: st.t("chart.year", "Year"), Type: "category"}),
		charts.WithYAxisOpts(in.yAxis(st)),
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
	var lowMedian []opts.LineData // nil while no year has low coverage
	for _, b := range in.Band {
		i, ok := index[b.Year]
		if !ok {
			continue
		}
		if b.P25 != nil && b.P75 != nil {
			base[i] = opts.LineData{Value: *b.P25}
			width[i] = opts.LineData{Value: *b.P75 - *b.P25}
		}
		switch {
		case b.Median != nil && b.Low:
			if lowMedian == nil {
				lowMedian = make([]opts.LineData, len(ys))
				for j := range lowMedian {
					lowMedian[j] = opts.LineData{Value: "-"}
				}
			}
			lowMedian[i] = opts.LineData{Value: *b.Median, Name: fmt.Sprintf("%s: %d", st.t("coverage.low", "low coverage"), b.CountReported)}
		case b.Median != nil:
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
		// An unverified jump breaks the line: each stretch between jumps is
		// a series of the country's name (ECharts gives same-named series
		// one colour and one legend entry), and the jump's point is marked.
		for _, data := range countrySegments(in.Series[iso3], index, len(ys), st) {
			line.AddSeries(name(in.Names, iso3), data, charts.WithLineChartOpts(opts.LineChart{ConnectNulls: opts.Bool(false)}),
				charts.WithLineStyleOpts(opts.LineStyle{Width: 3}))
		}
	}
	if lowMedian != nil {
		low := st.t("chart.median", "Regional median") + " (" + st.t("coverage.low", "low coverage") + ")"
		line.AddSeries(low, lowMedian,
			charts.WithLineChartOpts(opts.LineChart{ShowSymbol: opts.Bool(true), Symbol: "emptyCircle", SymbolSize: 8, ConnectNulls: opts.Bool(false)}),
			charts.WithLineStyleOpts(opts.LineStyle{Type: "dotted", Width: 2, Color: "#999999"}),
			charts.WithItemStyleOpts(opts.ItemStyle{Color: "#999999"}))
	}
	o, err := finish(line, st, aria(st.f("chart.desc_trend", "%s over time, %s, for %d countries with the regional median and interquartile range.",
		in.Indicator.Name, span, len(in.Series))))
	if err != nil {
		return nil, err
	}
	// Milestones: a target line on the value axis and a mark at the due year,
	// on the median series so they show whatever countries are chosen.
	var marks []map[string]any
	var placed []float64              // targets whose label sits at the right end
	dueAt := map[int]map[string]any{} // the labelled due line of each year
	for _, m := range in.Milestones {
		if m.Measure == nil {
			continue
		}
		// Two targets close on the value axis (G11's 49 and G14's 44.5 per
		// 10,000) would print their labels on top of each other: the second
		// one goes to the left end of its line.
		// It stands on the side of its line away from the other's: over
		// it, the lower one's label was crossed out by the upper line.
		pos := "insideEndTop"
		for _, t := range placed {
			if near(t, m.Measure.Target) {
				pos = "insideStartTop"
				if m.Measure.Target < t {
					pos = "insideStartBottom"
				}
			}
		}
		if pos == "insideEndTop" {
			placed = append(placed, m.Measure.Target)
		}
		marks = append(marks, map[string]any{"yAxis": m.Measure.Target, "name": m.ID,
			"label": map[string]any{"formatter": fmt.Sprintf("%s: %s (%d)", m.ID, st.num(m.Measure.Target), m.Measure.DueYear), "position": pos}})
		if i, ok := index[m.Measure.DueYear]; ok {
			// The label stands over the line's top end, centred: at the
			// last year ("G11 due 2023") it ran off the chart's right edge
			// (and at the first, off the left). It ends at the line in the
			// right half of the plot and starts there in the left. It
			// gives no year: the line stands at it on the axis, and the
			// target's label says it; on a phone "G15 due 2006" and "G11
			// due 2023" met. Milestones due the same year share one label.
			due := m.ID + " " + st.t("chart.due", "due")
			if first := dueAt[m.Measure.DueYear]; first != nil {
				l := first["label"].(map[string]any)
				l["formatter"] = strings.TrimSuffix(l["formatter"].(string), " "+st.t("chart.due", "due")) + " " + due
				marks = append(marks, map[string]any{"xAxis": strconv.Itoa(m.Measure.DueYear), "name": due, "label": map[string]any{"show": false}})
				continue
			}
			align := "left"
			if 2*i >= len(ys) {
				align = "right"
			}
			mark := map[string]any{"xAxis": strconv.Itoa(m.Measure.DueYear), "name": due,
				"label": map[string]any{"formatter": due, "align": align}}
			dueAt[m.Measure.DueYear] = mark
			marks = append(marks, mark)
		}
	}
	// Mark lines are map entries: go-echarts gives their symbol as a list
	// and has no label per line.
	if len(marks) > 0 {
		series := o["series"].([]any)
		med := series[2].(map[string]any)
		med["markLine"] = map[string]any{"symbol": "none", "silent": false, "data": marks,
			"lineStyle": map[string]any{"color": StatusColors[indicators.StatusOffTrack], "type": "solid", "width": 2}}
	}
	// go-echarts' series tooltip has no show, and a series no silent.
	for _, s := range o["series"].([]any)[:2] {
		s.(map[string]any)["tooltip"] = map[string]any{"show": false}
		s.(map[string]any)["silent"] = true
	}
	if lowMedian != nil {
		labelLowRuns(o, st)
	}
	in.annotate(o, st, index)
	st.layout(o)
	return o, nil
}

// labelLowRuns labels the low-coverage median where each run of such years
// begins. A label at every point printed "low coverage" over itself once a
// year (the early 1990s are low-coverage years in a row); the label starts
// at its point in the left half of the plot and ends there in the right
// half, so that it runs neither into the value axis's labels nor off the
// chart, and it hangs below the point, away from the events' labels that
// hang from the plot's top (above it, "low coverage" ran into "E04 E05"
// on Malta's trend). ECharts hides one that would still meet another
// series' label.
func labelLowRuns(o Option, st Style) {
	low := st.t("chart.median", "Regional median") + " (" + st.t("coverage.low", "low coverage") + ")"
	for _, s := range o["series"].([]any) {
		sm, _ := s.(map[string]any)
		if sm == nil || sm["name"] != low {
			continue
		}
		data, _ := sm["data"].([]any)
		prev := false
		for i, d := range data {
			dm, _ := d.(map[string]any)
			here := dm != nil && dm["value"] != "-"
			if here && !prev {
				align := "left"
				if 2*i >= len(data) {
					align = "right"
				}
				dm["label"] = map[string]any{"show": true, "position": "bottom", "align": align, "formatter": st.t("coverage.low", "low coverage")}
			}
			prev = here
		}
		sm["label"] = map[string]any{"show": false}
		sm["labelLayout"] = map[string]any{"hideOverlap": true}
	}
}

// countrySegments is one country's points on the year axis, split before
// each unverified jump (indicators.FlagUnverifiedJump) so that no line joins
// a figure to the jump it may not really have made; a series break gets a
// triangle, a jump a diamond named as such.
func countrySegments(obs []indicators.Observation, index map[int]int, n int, st Style) [][]opts.LineData {
	blank := func() []opts.LineData {
		d := make([]opts.LineData, n)
		for i := range d {
			d[i] = opts.LineData{Value: "-"}
		}
		return d
	}
	sorted := append([]indicators.Observation(nil), obs...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Year < sorted[j].Year })
	segs := [][]opts.LineData{blank()}
	for _, o := range sorted {
		i, ok := index[o.Year]
		if !ok {
			continue
		}
		d := opts.LineData{Value: o.Value}
		if o.Break {
			d.Symbol = "triangle"
			d.Name = st.t("table.series_break", "series break")
		}
		if o.Flag == indicators.FlagUnverifiedJump {
			segs = append(segs, blank())
			d.Symbol, d.SymbolSize = "diamond", 12
			d.Name = st.t("flag.unverified_jump", "unverified jump")
		}
		segs[len(segs)-1][i] = d
	}
	return segs
}

// near reports whether two target values are within 15 % of the larger,
// close enough for their labels to collide on a chart scaled to them.
func near(a, b float64) bool {
	m := math.Max(math.Abs(a), math.Abs(b))
	return m > 0 && math.Abs(a-b) < 0.15*m
}
