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
		// Issue 14's statuses: not met after the due year, a value older
		// than the recency window, list membership, what hwfdash received.
		indicators.StatusNotMet:            "#D55E00",
		indicators.StatusStale:             "#E69F00",
		indicators.StatusListed:            "#CC79A7",
		indicators.StatusNotListed:         "#009E73",
		indicators.StatusMembershipUnknown: "#BBBBBB",
		indicators.StatusReceivedYes:       "#009E73",
		indicators.StatusReceivedNo:        "#D55E00",
		indicators.StatusNotReceived:       "#BBBBBB",
		indicators.StatusNotMeasurable:     "#0072B2",
	}
	statusKey = map[string]string{"met": "met", "on track": "on_track", "off track": "off_track", "no data": "no_data", "not measured": "not_measured",
		"not met": "not_met", "stale": "stale", "on the list": "listed", "not on the list": "not_listed", "membership unknown": "membership_unknown",
		"received by hwfdash: yes": "received_yes", "received by hwfdash: no": "received_no", "not received by hwfdash": "not_received",
		"no measurable indicator": "not_measurable"}
	statusLabel = map[indicators.Status]string{
		indicators.StatusMet: "met", indicators.StatusOnTrack: "on track",
		indicators.StatusOffTrack: "off track", indicators.StatusNoData: "no data",
		indicators.StatusNotMet: "not met", indicators.StatusStale: "stale",
		indicators.StatusListed: "on the list", indicators.StatusNotListed: "not on the list", indicators.StatusMembershipUnknown: "membership unknown",
		indicators.StatusReceivedYes: "received by hwfdash: yes", indicators.StatusReceivedNo: "received by hwfdash: no",
		indicators.StatusNotReceived: "not received by hwfdash", indicators.StatusNotMeasurable: "no measurable indicator",
	}
	// decals differ per status so that status reads without colour.
	statusDecal = map[indicators.Status]map[string]any{
		indicators.StatusMet:      {"symbol": "none"},
		indicators.StatusOnTrack:  {"symbol": "circle", "symbolSize": 0.5, "dashArrayX": 6, "dashArrayY": 6},
		indicators.StatusOffTrack: {"symbol": "rect", "rotation": 0.785, "symbolSize": 0.6, "dashArrayX": [2]int{1, 0}, "dashArrayY": [2]int{2, 4}},
		indicators.StatusNoData:   {"symbol": "rect", "rotation": -0.785, "symbolSize": 1, "dashArrayX": [2]int{1, 0}, "dashArrayY": [2]int{1, 3}},
		indicators.StatusNotMet:   {"symbol": "rect", "rotation": 0.785, "symbolSize": 0.6, "dashArrayX": [2]int{1, 0}, "dashArrayY": [2]int{2, 4}},
		indicators.StatusStale:    {"symbol": "circle", "symbolSize": 0.8, "dashArrayX": [2]int{1, 0}, "dashArrayY": [2]int{1, 2}},
	}
)

// keyStatuses are the statuses a key lists, in its order; extraKeyStatuses
// are listed after them only where a chart has them, so that a chart
// without them keeps its key.
var (
	keyStatuses      = []indicators.Status{indicators.StatusMet, indicators.StatusOnTrack, indicators.StatusOffTrack, indicators.StatusNoData}
	extraKeyStatuses = []indicators.Status{indicators.StatusNotMet, indicators.StatusStale}
)

// keyFor is keyStatuses with the extra statuses present in status.
func keyFor(status map[string]indicators.Status) []indicators.Status {
	out := append([]indicators.Status(nil), keyStatuses...)
	for _, x := range extraKeyStatuses {
		for _, s := range status {
			if s == x {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// statusLegend is a graphic legend of status colours (a bar series has no
// legend entry per colour).
func statusLegend(st Style, keys []indicators.Status) map[string]any {
	var items []any
	for _, s := range keys {
		items = append(items, map[string]any{"name": st.t("status."+string(s), statusLabel[s]), "itemStyle": map[string]any{"color": StatusColors[s]}})
	}
	return map[string]any{"show": true, "right": st.px(10), "data": items}
}
