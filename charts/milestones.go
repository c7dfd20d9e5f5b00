package charts

import (
	"fmt"
	"maps"
	"math"
	"sort"
	"strings"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/hwfdash/hwfdash/indicators"
)

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
		sub += st.semicolon() + st.t("chart.not_stated", "year not stated in the source") + st.colon() + " " + strings.Join(undated, ", ")
	}
	sc.SetGlobalOptions(
		charts.WithTitleOpts(st.title(st.t("chart.milestones_title", "Aligned global and European milestones"), sub)),
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
	for s, l := range statusLabel {
		if _, ok := colors[l]; !ok {
			colors[l] = StatusColors[s]
		}
	}
	statusOf := map[string]string{} // series name (translated) → status
	// Issue 14's statuses follow the original five, so a chart without
	// them is drawn as before.
	for _, label := range []string{"not measured", "met", "on track", "off track", "no data", "not met", "stale", "on the list",
		"not on the list", "membership unknown", "received by hwfdash: yes", "received by hwfdash: no", "not received by hwfdash"} {
		if d, ok := byStatus[label]; ok {
			statusOf[st.t("status."+statusKey[label], label)] = label
			sc.AddSeries(st.t("status."+statusKey[label], label), d, charts.WithItemStyleOpts(opts.ItemStyle{Color: colors[label]}),
				charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "top", FontSize: float32(st.px(10))}))
		}
	}
	o, err := finish(sc, st, aria(st.f("chart.desc_milestones", "%d milestones on a time axis from %d to %d; %d without a stated year.", len(in.Milestones)-len(undated), lo, hi, len(undated))))
	if err != nil {
		return nil, err
	}
	// Per-point label, offset and tooltip, and the mark line, are map
	// entries: go-echarts' ScatterData has none of them, and gives a mark
	// line's symbol as a list.
	ss, _ := o["series"].([]any)
	for _, s := range ss {
		sm := s.(map[string]any)
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
	narrowLanes(o, in.Milestones, max(hi, in.CurrentYear)-lo+2, st)
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

// idRoom is the least distance, in px at FontScale 1, between two
// milestones of a row whose ids stand side by side: a 10 px id of three
// characters is about 19 px wide, and a little air keeps "G16G06" apart.
// axisRoom is what a plot is narrower than its chart: the rows' names on
// the left and the grid's margins.
const (
	idRoom   = 24
	axisRoom = 90
)

// narrowLanes adds ECharts media queries for charts too narrow for the
// ids of milestones a year or two apart (on a phone a year is 10 px, an id
// twice that): below the width where milestones gap-1 years apart would
// print their ids over each other, each row's milestones are spread over
// lanes in which they are gap years apart at least (milestoneLanes). The
// media's default puts back the wide layout when the chart widens. span is
// the time axis's length in years. Each media replaces every series's data
// whole (ECharts merges an array by replacing it).
func narrowLanes(o Option, ms []indicators.Milestone, span int, st Style) {
	ss, _ := o["series"].([]any)
	if len(ss) == 0 {
		return
	}
	dataFor := func(off map[string]float64) []any {
		var out []any
		for _, s := range ss {
			var data []any
			for _, d := range s.(map[string]any)["data"].([]any) {
				dm := copyMap(d.(map[string]any))
				id, _, _ := strings.Cut(dm["name"].(string), ":")
				delete(dm, "symbolOffset")
				if dy := int(math.Round(off[id] * float64(st.px(milestoneStep)))); dy != 0 {
					dm["symbolOffset"] = []int{0, dy}
				}
				data = append(data, dm)
			}
			out = append(out, map[string]any{"data": data})
		}
		return out
	}
	wide := staggerMilestones(ms)
	var media []any
	for gap := 2; gap <= 4; gap++ {
		lanes := milestoneLanes(ms, gap)
		if maps.Equal(lanes, wide) {
			continue
		}
		// The widest chart where a gap-1 years' distance is less than an
		// id's room.
		maxWidth := int(math.Ceil(float64(span*st.px(idRoom))/float64(gap-1))) + st.px(axisRoom)
		media = append(media, map[string]any{"query": map[string]any{"maxWidth": maxWidth}, "option": map[string]any{"series": dataFor(lanes)}})
		wide = lanes
	}
	if len(media) == 0 {
		return
	}
	// Media that match all apply, the last (the narrowest) winning.
	o["media"] = append([]any{map[string]any{"option": map[string]any{"series": dataFor(staggerMilestones(ms))}}}, media...)
}

// milestoneLanes gives each dated milestone its lane within its row, in
// steps from the row's middle (0, 1, -1, 2, -2 …; down first, away from
// the plot's top for the upper row): a milestone takes the first lane
// whose last milestone is gap years earlier at least, so that ids in one
// lane stand apart and ids in two lanes one above the other.
func milestoneLanes(ms []indicators.Milestone, gap int) map[string]float64 {
	var dated []indicators.Milestone
	for _, m := range ms {
		if m.Year != nil {
			dated = append(dated, m)
		}
	}
	sort.SliceStable(dated, func(i, j int) bool {
		if *dated[i].Year != *dated[j].Year {
			return *dated[i].Year < *dated[j].Year
		}
		return dated[i].ID < dated[j].ID
	})
	last := map[string][]int{} // by scope: the last year in each lane
	out := map[string]float64{}
	for _, m := range dated {
		lanes := last[m.Scope]
		l := 0
		for l < len(lanes) && *m.Year-lanes[l] < gap {
			l++
		}
		if l == len(lanes) {
			lanes = append(lanes, 0)
		}
		lanes[l] = *m.Year
		last[m.Scope] = lanes
		out[m.ID] = float64((l + 1) / 2)
		if l%2 == 0 {
			out[m.ID] = -out[m.ID]
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
