package engine

import (
	"reflect"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// TestSortByYear: ordered by year, each year's rows in their given order
// (regionalSeriesOf keeps the store's order within a year), the input left
// alone, whether years span a short range (counting) or not.
func TestSortByYear(t *testing.T) {
	row := func(iso string, y int) indicators.Observation { return indicators.Observation{ISO3: iso, Year: y} }
	for _, tc := range []struct {
		name     string
		in, want []indicators.Observation
	}{
		{"empty", nil, nil},
		{"one", []indicators.Observation{row("AUT", 2020)}, []indicators.Observation{row("AUT", 2020)}},
		{"stable", []indicators.Observation{row("AUT", 2020), row("AUT", 2019), row("BEL", 2020), row("BEL", 2018), row("DEU", 2019)},
			[]indicators.Observation{row("BEL", 2018), row("AUT", 2019), row("DEU", 2019), row("AUT", 2020), row("BEL", 2020)}},
		{"wide span", []indicators.Observation{row("AUT", 5000), row("AUT", 1), row("BEL", 5000), row("BEL", 1)},
			[]indicators.Observation{row("AUT", 1), row("BEL", 1), row("AUT", 5000), row("BEL", 5000)}},
	} {
		for _, buf := range []struct {
			name string
			rows []indicators.Observation
		}{{"no buffer", nil}, {"a used buffer", append(make([]indicators.Observation, 0, 20), row("XXX", 1900), row("YYY", 3000))}} {
			t.Run(tc.name+", "+buf.name, func(t *testing.T) {
				in := append([]indicators.Observation(nil), tc.in...)
				got := sortByYear(in, buf.rows)
				if len(got) != len(tc.want) || (len(got) > 0 && !reflect.DeepEqual(got, tc.want)) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				if !reflect.DeepEqual(in, tc.in) {
					t.Fatalf("input changed: %v", in)
				}
			})
		}
	}
}
