package charts

import (
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
