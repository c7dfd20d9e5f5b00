package charts

import (
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

func TestRankingSemantics(t *testing.T) {
	t.Run("ranking: order and no data last", func(t *testing.T) {
		opt, _ := Ranking(RankingInput{Indicator: doctors, Year: 2020, Names: names, Countries: []string{"ALB", "AUT", "MLT"},
			Values: map[string]*indicators.Observation{"AUT": ptr(o("AUT", 2020, 52.5)), "ALB": ptr(o("ALB", 2020, 18))}}, Style{})
		data := series(t, opt, 0)["data"].([]any)
		// Drawn bottom-up: Malta (no data) first, then Albania, Austria at the top.
		got := []any{data[0].(map[string]any)["value"], data[1].(map[string]any)["value"], data[2].(map[string]any)["value"]}
		if got[0] != "-" || got[1] != 18.0 || got[2] != 52.5 {
			t.Fatalf("bars %v", got)
		}
	})
	t.Run("ranking: a status key only where bars have a status", func(t *testing.T) {
		values := map[string]*indicators.Observation{"AUT": ptr(o("AUT", 2020, 52.5)), "ALB": ptr(o("ALB", 2020, 18))}
		for _, tt := range []struct {
			status map[string]indicators.Status
			want   bool
		}{
			{nil, false},
			{map[string]indicators.Status{"AUT": indicators.StatusMet, "ALB": indicators.StatusOffTrack}, true},
		} {
			opt, _ := Ranking(RankingInput{Indicator: doctors, Year: 2020, Names: names, Countries: []string{"ALB", "AUT"},
				Values: values, Status: tt.status}, Style{})
			l, _ := opt["legend"].(map[string]any)
			if has := l != nil && l["show"] == true; has != tt.want {
				t.Errorf("statuses %v: legend %v, want %v", tt.status, opt["legend"], tt.want)
			}
		}
	})
}

// TestRankingCompact checks the compact ranking of a narrow frame: the top
// and bottom with a value, and the highlighted country wherever it ranks.
func TestRankingCompact(t *testing.T) {
	values := map[string]*indicators.Observation{}
	countries := []string{"ALB", "AUT", "BEL", "DEU", "ESP", "FRA", "MLT"}
	for i, c := range countries[:6] {
		values[c] = ptr(o(c, 2020, float64(10*(i+1))))
	}
	for _, tc := range []struct {
		name      string
		top       int
		highlight string
		want      []string // bottom-up, as drawn
	}{
		{"whole ranking", 0, "", []string{"MLT", "ALB", "AUT", "BEL", "DEU", "ESP", "FRA"}},
		{"top and bottom 2", 2, "", []string{"ALB", "AUT", "ESP", "FRA"}},
		{"highlight in the middle kept", 2, "BEL", []string{"ALB", "AUT", "BEL", "ESP", "FRA"}},
		{"highlight without data kept", 1, "MLT", []string{"MLT", "ALB", "FRA"}},
		{"top beyond the Region", 5, "", []string{"ALB", "AUT", "BEL", "DEU", "ESP", "FRA"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt, err := Ranking(RankingInput{Indicator: doctors, Year: 2020, Names: names, Countries: countries, Values: values,
				Top: tc.top, Highlight: tc.highlight}, Style{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range series(t, opt, 0)["data"].([]any) {
				got = append(got, d.(map[string]any)["name"].(string))
			}
			if strings.Join(got, ",") != strings.Join(tc.want, ",") {
				t.Errorf("bars %v, want %v", got, tc.want)
			}
			if tc.highlight != "" {
				cats := opt["yAxis"].([]any)[0].(map[string]any)["data"].([]any)
				marked := 0
				for _, c := range cats {
					if strings.HasPrefix(c.(string), "▶ ") {
						marked++
					}
				}
				if marked != 1 {
					t.Errorf("%d categories marked, want 1: %v", marked, cats)
				}
			}
		})
	}
}
