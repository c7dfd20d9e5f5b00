package charts

import (
	"fmt"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/hwfdash/hwfdash/indicators"
)

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
	// LogY draws the Y axis on a log scale (every Y above 0).
	LogY bool
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
		charts.WithTitleOpts(st.title(in.Y.ShortName+" "+st.t("chart.against", "against")+" "+in.X.ShortName,
			fmt.Sprintf("%d Member States with both values (latest year of each); sources: %s; %s", len(pts), in.X.Source, in.Y.Source))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithXAxisOpts(opts.XAxis{Type: "value", Name: in.X.ShortName + " (" + in.X.Unit + ")", NameLocation: "middle", NameGap: 30}),
		charts.WithYAxisOpts(opts.YAxis{Type: yType(in.LogY), Name: in.Y.ShortName + " (" + in.Y.Unit + ")"}),
		charts.WithGridOpts(opts.Grid{ContainLabel: opts.Bool(true), Top: "90", Left: "10", Right: "30", Bottom: "40"}),
	)
	sc.AddSeries("Member States", data, charts.WithLabelOpts(opts.Label{Show: opts.Bool(true), Position: "right", Formatter: "{@[2]}"}))
	o, err := finish(sc, st, aria(st.f("chart.desc_scatter", "Scatter of %s against %s for %d Member States.", in.Y.Name, in.X.Name, len(pts))))
	if err != nil {
		return nil, err
	}
	st.layout(o)
	return o, nil
}

func yType(log bool) string {
	if log {
		return "log"
	}
	return "value"
}
