package indicators

import (
	"fmt"
	"reflect"
	"sort"
	"testing"
)

// stableFixture: five Member States with values 2018-2022 rising by one a
// year, and Monaco-like "F" whose latest value is from 2014.
func stableFixture() (map[string][]Observation, []Country, map[string]float64) {
	by := map[string][]Observation{}
	base := map[string]float64{"A": 100, "B": 90, "C": 80, "D": 70, "E": 40}
	for iso3, v := range base {
		for y := 2018; y <= 2022; y++ {
			by[iso3] = append(by[iso3], obs("hwf_dnm", iso3, y, v+float64(y-2018)))
		}
	}
	by["F"] = []Observation{obs("hwf_dnm", "F", 2014, 200)}
	pop := map[string]float64{"A": 10, "B": 10, "C": 10, "D": 10, "E": 10, "F": 1, "G": 1}
	return by, members("A", "B", "C", "D", "E", "F", "G"), pop
}

func TestStableCountryStatus(t *testing.T) {
	dnm, _ := Lookup("hwf_dnm")
	threshold := Measure{Indicator: "hwf_dnm", Comparison: AtLeast, Target: 49, DueYear: 2023}
	future := Measure{Indicator: "hwf_dnm", Comparison: AtLeast, Target: 49, DueYear: 2030}
	rising := []Observation{obs("hwf_dnm", "X", 2020, 40), obs("hwf_dnm", "X", 2021, 43), obs("hwf_dnm", "X", 2022, 46)}
	cases := []struct {
		name     string
		m        Measure
		series   []Observation
		status   Status
		distance *float64
	}{
		{"met with headroom", threshold, []Observation{obs("hwf_dnm", "X", 2022, 60)}, StatusMet, f(11)},
		{"not met after due year", threshold, []Observation{obs("hwf_dnm", "X", 2022, 45)}, StatusNotMet, f(-4)},
		{"stale: 2014 in 2024", threshold, []Observation{obs("hwf_dnm", "X", 2014, 200)}, StatusStale, nil},
		{"window edge is fresh", threshold, []Observation{obs("hwf_dnm", "X", 2019, 60)}, StatusMet, f(11)},
		{"later values ignored", threshold, []Observation{obs("hwf_dnm", "X", 2022, 60), obs("hwf_dnm", "X", 2025, 10)}, StatusMet, f(11)},
		{"no data", threshold, nil, StatusNoData, nil},
		{"on track by own trend", future, rising, StatusOnTrack, f(-3)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := StableCountryStatus(c.m, dnm, c.series, 2024)
			if r.Status != c.status || !eqp(r.Distance, c.distance) {
				t.Errorf("got %s distance %v (%s), want %s %v", r.Status, r.Distance, r.Reason, c.status, c.distance)
			}
		})
	}
}

func median(vals []float64) float64 {
	s := append([]float64(nil), vals...)
	sort.Float64s(s)
	return tidy(quantile(s, 0.5))
}

func TestStableRegionOneCountryMovesOnlyItsOwnContribution(t *testing.T) {
	dnm, _ := Lookup("hwf_dnm")
	m := Measure{Indicator: "hwf_dnm", Comparison: AtLeast, Target: 49, DueYear: 2023}
	by, ms, pop := stableFixture()
	before := StableRegionStatus(m, dnm, by, ms, pop, 2024)
	// Latest fresh values: A 104, B 94, C 84, D 74, E 44; F is stale, G has none.
	if got, want := *before.Median, median([]float64{104, 94, 84, 74, 44}); got != want {
		t.Fatalf("median %v, want %v", got, want)
	}
	if before.Status != StatusMet || before.Counts[StatusMet] != 4 || before.Counts[StatusNotMet] != 1 ||
		before.Counts[StatusStale] != 1 || before.Counts[StatusNoData] != 1 {
		t.Fatalf("before: %s %v", before.Status, before.Counts)
	}
	cases := []struct {
		name  string
		iso3  string
		value float64
	}{
		{"a low 2024 figure", "A", 30},
		{"a high 2024 figure", "E", 500},
		{"the stale country reports", "F", 10},
		{"the silent country reports", "G", 55},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			after := map[string][]Observation{}
			for k, v := range by {
				after[k] = v
			}
			after[c.iso3] = append(append([]Observation(nil), by[c.iso3]...), obs("hwf_dnm", c.iso3, 2024, c.value))
			got := StableRegionStatus(m, dnm, after, ms, pop, 2024)
			// The median is that of the same set with only this country's
			// value replaced (or added) — never the single 2024 value.
			vals := map[string]float64{"A": 104, "B": 94, "C": 84, "D": 74, "E": 44}
			vals[c.iso3] = c.value
			var want []float64
			for _, v := range vals {
				want = append(want, v)
			}
			if *got.Median != median(want) || *got.Median == c.value {
				t.Errorf("median %v, want %v", *got.Median, median(want))
			}
			// Every other country's result is unchanged.
			for iso3, cr := range before.Countries {
				if iso3 != c.iso3 && !reflect.DeepEqual(cr, got.Countries[iso3]) {
					t.Errorf("%s changed: %+v → %+v", iso3, cr, got.Countries[iso3])
				}
			}
			// The counts move by exactly this country: one status out, one in.
			diff := 0
			for s, n := range got.Counts {
				d := n - before.Counts[s]
				if d < 0 {
					d = -d
				}
				diff += d
			}
			if diff > 2 {
				t.Errorf("counts %v → %v", before.Counts, got.Counts)
			}
			if got.Status != StatusMet {
				t.Errorf("status %s (%s)", got.Status, got.Reason)
			}
			// Removing the figure again restores the Region exactly.
			if back := StableRegionStatus(m, dnm, by, ms, pop, 2024); !reflect.DeepEqual(back, before) {
				t.Error("removing the figure did not restore the Region")
			}
		})
	}
}

func TestStableRegionLowCoverageAndProjection(t *testing.T) {
	dnm, _ := Lookup("hwf_dnm")
	ms := members("A", "B", "C", "D")
	pop := map[string]float64{"A": 1, "B": 1, "C": 1, "D": 1}
	by := map[string][]Observation{"A": {obs("hwf_dnm", "A", 2023, 30)}}
	r := StableRegionStatus(Measure{Comparison: AtLeast, Target: 49, DueYear: 2030}, dnm, by, ms, pop, 2024)
	if r.Status != StatusNoData || !r.Coverage.Low {
		t.Errorf("one of four: %s %+v", r.Status, r.Coverage)
	}
	// Three countries rising by 3 a year from 37 (46 in 2023): own trends give 67 in 2030.
	by = map[string][]Observation{}
	for _, c := range []string{"A", "B", "C"} {
		for y := 2020; y <= 2023; y++ {
			by[c] = append(by[c], obs("hwf_dnm", c, y, 37+3*float64(y-2020)))
		}
	}
	r = StableRegionStatus(Measure{Comparison: AtLeast, Target: 49, DueYear: 2030}, dnm, by, ms, pop, 2024)
	if r.Status != StatusOnTrack || r.ProjectedCountries != 3 || !eqp(r.ProjectedMedian, f(67)) {
		t.Errorf("%s projected %v over %d: %s", r.Status, fmt.Sprint(r.ProjectedMedian), r.ProjectedCountries, r.Reason)
	}
}
