package server

import (
	"sort"

	"github.com/hwfdash/hwfdash/indicators"
)

// defaultPerEnd is how many Member States the explorer shows from each end
// of the ranking when a link names no countries.
const defaultPerEnd = 3

// defaultCountries is the explorer's view when the link names no
// countries: the Member States with the highest and the lowest latest
// value, so the chart opens on the Region's spread rather than empty.
func defaultCountries(obs []indicators.Observation) []string {
	latest := map[string]indicators.Observation{}
	for _, o := range obs {
		if l, ok := latest[o.ISO3]; !ok || o.Year > l.Year {
			latest[o.ISO3] = o
		}
	}
	list := make([]indicators.Observation, 0, len(latest))
	for _, o := range latest {
		list = append(list, o)
	}
	sort.Slice(list, func(i, j int) bool {
		if list[i].Value != list[j].Value {
			return list[i].Value > list[j].Value
		}
		return list[i].ISO3 < list[j].ISO3
	})
	if len(list) > 2*defaultPerEnd {
		list = append(list[:defaultPerEnd:defaultPerEnd], list[len(list)-defaultPerEnd:]...)
	}
	out := make([]string, len(list))
	for i, o := range list {
		out[i] = o.ISO3
	}
	return out
}

// yearSpan is the first and last year obs has a value for (0, 0 if none).
func yearSpan(obs []indicators.Observation) (first, last int) {
	for _, o := range obs {
		if first == 0 || o.Year < first {
			first = o.Year
		}
		if o.Year > last {
			last = o.Year
		}
	}
	return first, last
}
