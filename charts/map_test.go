package charts

import (
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

func TestMapSemantics(t *testing.T) {
	t.Run("map: keyed by ISO3 on hwf-europe", func(t *testing.T) {
		opt, _ := Map(MapInput{Indicator: doctors, Year: 2020, Countries: []string{"MLT", "AUT"},
			Values: map[string]*indicators.Observation{"AUT": ptr(o("AUT", 2020, 52.5))}}, Style{})
		s := series(t, opt, 0)
		d := s["data"].([]any)
		if s["map"] != MapName || d[0].(map[string]any)["name"] != "AUT" || d[1].(map[string]any)["value"] != "-" {
			t.Fatalf("map series %v", s)
		}
	})
}

func TestMapStaysUnderTitle(t *testing.T) {
	for _, scale := range []float64{1, 2} {
		opt := allCharts(t, scale)["map"]
		geo := opt["geo"].(map[string]any)
		if geo["center"] != nil || geo["zoom"] != nil || geo["boundingCoords"] == nil {
			t.Errorf("scale %v: geo %v: fit the Region, not a fixed centre and zoom", scale, geo)
		}
		vm := opt["visualMap"].([]any)[0].(map[string]any)
		if vm["orient"] != "horizontal" || num(t, geo["top"]) <= num(t, vm["top"]) {
			t.Errorf("scale %v: visualMap %v must sit above the map (geo top %v)", scale, vm["top"], geo["top"])
		}
	}
}
