package engine

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestParseChartFrame checks an embed's frame parameters: top=N (a compact
// ranking) and highlight=ISO3; each bad value is refused naming its field,
// and a good one survives the topic round trip.
func TestParseChartFrame(t *testing.T) {
	e := testEngine(t)
	for _, tc := range []struct {
		name, chart, query string
		field, msg         string // the error's field and part of its text; "" for none
		canon              string
	}{
		{"compact ranking", "ranking", "indicator=HWF_0001&top=5", "", "", "ranking?indicator=HWF_0001&top=5"},
		{"highlight upper-cased", "ranking", "indicator=HWF_0001&highlight=deu", "", "", "ranking?highlight=DEU&indicator=HWF_0001"},
		{"highlight on a map", "map", "indicator=HWF_0001&highlight=AUT", "", "", "map?highlight=AUT&indicator=HWF_0001"},
		{"top zero", "ranking", "indicator=HWF_0001&top=0", "top", "from 1 to 26", ""},
		{"top too large", "ranking", "indicator=HWF_0001&top=27", "top", "from 1 to 26", ""},
		{"top not a number", "ranking", "indicator=HWF_0001&top=five", "top", "whole number", ""},
		{"top on a map", "map", "indicator=HWF_0001&top=5", "top", "only the ranking", ""},
		{"highlight unknown", "ranking", "indicator=HWF_0001&highlight=USA", "highlight", "not a Member State", ""},
		{"highlight on a trend", "trend", "indicator=HWF_0001&highlight=DEU", "highlight", "only the ranking and the map", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := url.ParseQuery(tc.query)
			r, err := e.ParseChart(tc.chart, q)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if got := r.Canonical(); got != tc.canon {
					t.Errorf("canonical %q, want %q", got, tc.canon)
				}
				back, err := e.parseChartTopic(strings.TrimPrefix(r.Topic(), "chart:"))
				if err != nil || back.Canonical() != r.Canonical() {
					t.Errorf("topic round trip: %q, %v", back.Canonical(), err)
				}
				return
			}
			var ee *Error
			if !errors.As(err, &ee) || ee.Field != tc.field || !strings.Contains(ee.Message, tc.msg) {
				t.Fatalf("error %v, want field %s with %q", err, tc.field, tc.msg)
			}
		})
	}
}
