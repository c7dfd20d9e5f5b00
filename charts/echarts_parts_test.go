package charts

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// echartsNames maps option keys and series types to the names
// scripts/build-assets.mjs imports from echarts/charts and
// echarts/components; "" marks keys that need no part of their own.
var echartsNames = map[string]string{
	"series:line": "LineChart", "series:bar": "BarChart", "series:scatter": "ScatterChart",
	"series:heatmap": "HeatmapChart", "series:map": "MapChart", "series:pie": "PieChart",
	"title": "TitleComponent", "tooltip": "TooltipComponent", "legend": "LegendComponent",
	"grid": "GridComponent", "xAxis": "GridComponent", "yAxis": "GridComponent",
	"visualMap": "VisualMapComponent", "geo": "GeoComponent", "toolbox": "ToolboxComponent",
	"aria": "AriaComponent", "dataZoom": "DataZoomComponent", "dataset": "DatasetComponent",
	"graphic": "GraphicComponent", "polar": "PolarComponent", "radar": "RadarComponent",
	"markLine": "MarkLineComponent", "markArea": "MarkAreaComponent", "markPoint": "MarkPointComponent",
	"animation": "", "animationDurationUpdate": "", "color": "", "textStyle": "", "series": "",
	// Media queries are ECharts core's (its OptionManager).
	"media": "",
}

// TestEChartsBuildHasEveryPart checks that the custom ECharts build bundles
// every chart type and component the charts' options use (the golden files
// hold every chart): a part left out is not drawn, with no error outside
// ECharts' development build.
func TestEChartsBuildHasEveryPart(t *testing.T) {
	script, err := os.ReadFile(filepath.Join("..", "scripts", "build-assets.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	block := regexp.MustCompile(`(?s)const ECHARTS_PARTS = \{(.*?)\n\};`).FindSubmatch(script)
	if block == nil {
		t.Fatal("scripts/build-assets.mjs: no ECHARTS_PARTS")
	}
	bundled := map[string]bool{}
	for _, m := range regexp.MustCompile(`'(\w+)'`).FindAllSubmatch(block[1], -1) {
		bundled[string(m[1])] = true
	}
	goldens, err := filepath.Glob(filepath.Join("testdata", "*.golden"))
	if err != nil || len(goldens) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	for _, g := range goldens {
		b, err := os.ReadFile(g)
		if err != nil {
			t.Fatal(err)
		}
		var option map[string]json.RawMessage
		if err := json.Unmarshal(b, &option); err != nil {
			t.Fatalf("%s: %v", g, err)
		}
		var used []string
		for k := range option {
			used = append(used, k)
		}
		var series []map[string]json.RawMessage
		if err := json.Unmarshal(option["series"], &series); err != nil {
			t.Fatalf("%s: series: %v", g, err)
		}
		for _, s := range series {
			var typ string
			_ = json.Unmarshal(s["type"], &typ)
			used = append(used, "series:"+typ)
			for k := range s {
				if strings.HasPrefix(k, "mark") {
					used = append(used, k)
				}
			}
		}
		sort.Strings(used)
		for _, k := range used {
			name, known := echartsNames[k]
			switch {
			case !known:
				t.Errorf("%s: option %q: add it to echartsNames with the ECharts part it needs", g, k)
			case name != "" && !bundled[name]:
				t.Errorf("%s: option %q needs %s: add it to ECHARTS_PARTS in scripts/build-assets.mjs", g, k, name)
			}
		}
	}
}
