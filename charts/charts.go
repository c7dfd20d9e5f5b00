// Package charts builds the dashboard's ECharts options with go-echarts:
// indicator results in, a JSON-ready option map out. It is pure: no I/O.
// Every chart has aria descriptions and decal patterns switched on, uses a
// colour-blind-safe palette, names its sources in the subtitle, and shows a
// missing value as missing ("-"), never as zero.
//
// One file per chart: trend.go (Trend), ranking.go (Ranking), map.go (Map),
// code.go (CodeReporting), milestones.go (Milestones), relationship.go
// (Relationship). What they share sits apart: finish (below) turns a
// go-echarts chart into an Option; style.go (Style: font scale, language),
// layout.go (the title block and the stack under it), palette.go (colours,
// status colours and decals), format.go (numbers and names as labels).
package charts

import (
	"encoding/json"
	"fmt"
)

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
