package charts

import (
	"fmt"
	"math"
	"sort"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"

	"github.com/hwfdash/hwfdash/indicators"
)

// MapName is the name under which pages register the ISO3-keyed GeoJSON of
// the Member States.
const MapName = "hwf-europe"

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
	// Highlight is a Member State outlined on the map (an embed's country).
	Highlight string
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
		charts.WithTitleOpts(st.title(yearTitle(in.Indicator.Name, in.Year),
			st.sourceLine(in.Indicator, yearLabel(in.Year))+st.semicolon()+fmt.Sprintf("%s%s %d %s %d", st.t("chart.with_data", "Member States with data"), st.colon(), withData, st.t("chart.of", "of"), len(countries)))),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "item"}),
		charts.WithVisualMapOpts(opts.VisualMap{Calculable: opts.Bool(true), Min: float32(math.Floor(lo)), Max: float32(math.Ceil(hi)),
			Orient: "horizontal", Left: "left", Text: []string{in.Indicator.Unit, ""}, InRange: &opts.VisualMapInRange{Color: []string{"#F0F9E8", "#7BCCC4", "#2B8CBE", "#084081"}}}),
	)
	m.AddSeries(in.Indicator.ShortName, data)
	m.SetGlobalOptions(charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}))
	desc := st.f("chart.desc_map", "Map of %s in %d across the %d Member States; %d without data.",
		in.Indicator.Name, in.Year, len(countries), len(countries)-withData)
	if in.Year <= 0 {
		desc = st.noValues(in.Indicator.Name)
	}
	a := aria(desc)
	// A continuous colour scale has no categories for decals to tell apart;
	// the tooltip and the table alternative carry the values.
	a.Decal.Show = opts.Bool(false)
	o, err := finish(m, st, a)
	if err != nil {
		return nil, err
	}
	// go-echarts' map series has no nameProperty or geoIndex.
	series := o["series"].([]any)[0].(map[string]any)
	series["nameProperty"] = "name"
	series["geoIndex"] = 0
	// A map entry: go-echarts' GeoComponent has no roam, nameProperty,
	// boundingCoords or box.
	geo := map[string]any{"map": MapName, "roam": true, "nameProperty": "name",
		// The Region from the Azores to Kazakhstan's eastern border (87° E)
		// and from Franz Josef Land to the Canary Islands fits the box
		// under the title, so all 53 Member States show whole at every
		// size; Russia's far east runs off to the right. A fixed centre and
		// zoom instead spilled over the title and cut off Türkiye and the
		// south, and a box ending at 62° E cut off Central Asia.
		"boundingCoords": [][2]float64{{-32, 82}, {88, 27}},
		"left":           st.px(8), "right": st.px(8), "bottom": st.px(8),
		"itemStyle": map[string]any{"areaColor": "#DDDDDD", "borderColor": "#FFFFFF", "borderWidth": 0.5},
		"emphasis":  map[string]any{"label": map[string]any{"show": false}, "itemStyle": map[string]any{"areaColor": "#E69F00"}}}
	o["geo"] = geo
	if in.Highlight != "" {
		geo["regions"] = []any{map[string]any{"name": in.Highlight, "itemStyle": map[string]any{"borderColor": "#000000", "borderWidth": 2.5}}}
	}
	var rows []map[string]any
	if vm, ok := o["visualMap"].([]any); ok && len(vm) > 0 {
		v := vm[0].(map[string]any)
		v["seriesIndex"] = []int{0, 1}
		v["outOfRange"] = map[string]any{"color": "#DDDDDD"}
		// Horizontal in a row under the title: at the bottom left it sat
		// on Portugal and the Atlantic islands on a phone. go-echarts'
		// visualMap has no seriesIndex, outOfRange or item size.
		v["itemWidth"], v["itemHeight"] = st.px(12), st.px(120)
		rows = append(rows, v)
	}
	var keys []any
	if len(rows) > 0 {
		// Grey is "no data", outside the colour scale: a legend entry (for
		// an empty series of that colour) gives it a key, so every colour
		// on the map has one. It has the row under the scale's: at the
		// right of the scale's own row the two met on a phone ("pour
		// 10 000 habitants" over "pas de données").
		noData := st.t("chart.no_data", "no data")
		legend := map[string]any{"show": true, "data": []string{noData}, "left": "left",
			"selectedMode": false, "itemWidth": st.px(14), "itemHeight": st.px(12), "textStyle": map[string]any{"fontSize": st.px(12)}}
		o["legend"] = []any{legend}
		rows = append(rows, legend)
		keys = append(keys, map[string]any{"type": "scatter", "coordinateSystem": "geo", "name": noData,
			"data": []any{}, "silent": true, "itemStyle": map[string]any{"color": "#DDDDDD", "borderColor": "#767676", "borderWidth": 1}})
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
	o["series"] = append(o["series"].([]any), keys...)
	return o, nil
}
