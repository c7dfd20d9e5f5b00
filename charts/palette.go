package charts

import "github.com/hwfdash/hwfdash/indicators"

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

// keyStatuses are the statuses a key lists, in its order.
var keyStatuses = []indicators.Status{indicators.StatusMet, indicators.StatusOnTrack, indicators.StatusOffTrack, indicators.StatusNoData}

// statusLegend is a graphic legend of status colours (a bar series has no
// legend entry per colour).
func statusLegend(st Style) map[string]any {
	var items []any
	for _, s := range keyStatuses {
		items = append(items, map[string]any{"name": st.t("status."+string(s), statusLabel[s]), "itemStyle": map[string]any{"color": StatusColors[s]}})
	}
	return map[string]any{"show": true, "right": st.px(10), "data": items}
}
