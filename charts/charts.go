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

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
)

// Option is an ECharts option as plain JSON values.
type Option = map[string]any

// chart is what finish needs of a go-echarts chart (*charts.Line,
// *charts.HeatMap, ...): each chart type's SetGlobalOptions returns a
// type of its own (R).
type chart[R any] interface {
	SetGlobalOptions(options ...charts.GlobalOpts) R
	Validate()
	JSON() map[string]interface{}
}

// finish applies what every chart shares (palette, aria, animation, text
// size) and turns the go-echarts chart into a plain option map, which the
// builders then lay out (layout.go) and complete where go-echarts has no
// typed option.
func finish[R any](c chart[R], st Style, aria *opts.Aria) (Option, error) {
	c.SetGlobalOptions(charts.WithColorsOpts(palette), charts.WithAnimation(true), charts.WithAriaOpts(aria))
	c.Validate() // moves axis data into place; go-echarts requires it before JSON
	b, err := json.Marshal(c.JSON())
	if err != nil {
		return nil, fmt.Errorf("charts: encode option: %w", err)
	}
	var o Option
	if err := json.Unmarshal(b, &o); err != nil {
		return nil, fmt.Errorf("charts: decode option: %w", err)
	}
	// go-echarts has no option-wide textStyle, and its
	// animationDurationUpdate is a JavaScript string, not a number.
	o["animationDurationUpdate"] = 800
	o["textStyle"] = map[string]any{"fontSize": st.px(13)}
	// go-echarts always writes a toolbox, empty here: no chart shows one,
	// and leaving it out lets the pages' ECharts build do without the
	// toolbox component (43 KB of script every phone would evaluate).
	delete(o, "toolbox")
	return o, nil
}

// aria switches on the screen-reader description and the decal patterns
// that tell series apart without colour.
func aria(description string) *opts.Aria {
	return &opts.Aria{
		Enabled: opts.Bool(true),
		Label:   &opts.AriaLabel{Enabled: opts.Bool(true), Description: description},
		Decal:   &opts.AriaDecal{Show: opts.Bool(true)},
	}
}
