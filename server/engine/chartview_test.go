package engine

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// TestParseChartView checks relative_to and yscale: each bad value is
// refused naming its field, and a good one lands in the canonical form.
func TestParseChartView(t *testing.T) {
	e := testEngine(t)
	for _, tc := range []struct {
		name, chart, query string
		field, msg         string // the error's field and part of its text; "" for none
		canon              string
	}{
		{"relative", "trend", "indicator=HWF_0001&relative_to=2010", "", "", "trend?indicator=HWF_0001&relative_to=2010"},
		{"relative in range", "trend", "indicator=HWF_0001&time=2005..2020&relative_to=2005", "", "", "trend?indicator=HWF_0001&relative_to=2005&time=2005..2020"},
		{"log trend", "trend", "indicator=HWF_0001&yscale=log", "", "", "trend?indicator=HWF_0001&yscale=log"},
		{"linear is the default", "trend", "indicator=HWF_0001&yscale=linear", "", "", "trend?indicator=HWF_0001"},
		{"log relationship", "relationship", "x=HWF_0001&y=HWF_0006&yscale=log", "", "", "relationship?indicator=HWF_0001&y=HWF_0006&yscale=log"},
		{"relative not a year", "trend", "indicator=HWF_0001&relative_to=abc", "relative_to", "four-digit year", ""},
		{"relative in the future", "trend", "indicator=HWF_0001&relative_to=2031", "relative_to", "outside", ""},
		{"relative outside time", "trend", "indicator=HWF_0001&time=2015..2020&relative_to=2010", "relative_to", "outside time 2015..2020", ""},
		{"relative on a map", "map", "indicator=HWF_0001&relative_to=2010", "relative_to", "only the trend chart", ""},
		{"yscale unknown", "trend", "indicator=HWF_0001&yscale=sqrt", "yscale", "use linear or log", ""},
		{"log on a ranking", "ranking", "indicator=HWF_0001&yscale=log", "yscale", "only the trend and relationship", ""},
		{"log with relative", "trend", "indicator=HWF_0001&relative_to=2010&yscale=log", "yscale", "cannot show change", ""},
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
				// The topic parses back to the same request.
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

// TestChartViewKeys checks that equal views share one key and different
// views do not.
func TestChartViewKeys(t *testing.T) {
	e := testEngine(t)
	key := func(query string) string {
		q, _ := url.ParseQuery(query)
		r, err := e.ParseChart("trend", q)
		if err != nil {
			t.Fatal(err)
		}
		return e.ChartKey(r).String()
	}
	if a, b := key("indicator=HWF_0001&yscale=linear"), key("indicator=HWF_0001"); a != b {
		t.Errorf("linear and default differ: %s, %s", a, b)
	}
	if a, b := key("relative_to=2010&indicator=HWF_0001&countries=AUT"), key("countries=AUT&indicator=HWF_0001&relative_to=2010"); a != b {
		t.Errorf("parameter order changes the key: %s, %s", a, b)
	}
	seen := map[string]string{}
	for _, q := range []string{"indicator=HWF_0001", "indicator=HWF_0001&relative_to=2010", "indicator=HWF_0001&relative_to=2012", "indicator=HWF_0001&yscale=log"} {
		k := key(q)
		if prev, ok := seen[k]; ok {
			t.Errorf("%s and %s share key %s", prev, q, k)
		}
		seen[k] = q
	}
}
