package indicators

import (
	"encoding/json"
	"math"
	"testing"
)

// TestAggregationStaysFinite reproduces issue 15 item 4: one huge finite
// value made the regional weighted mean +Inf, which encoding/json refuses,
// so every region-wide view answered 500. Validation now keeps such values
// out (TestPlausibleBounds); the aggregates must stay finite even for values
// stored before it, and certainly for the largest plausible ones.
func TestAggregationStaysFinite(t *testing.T) {
	obs := func(vs ...float64) []Observation {
		iso := []string{"AUT", "DEU", "FRA", "ITA"}
		var out []Observation
		for i, v := range vs {
			out = append(out, Observation{Indicator: "HWF_0001", ISO3: iso[i], Year: 2020, Value: v})
		}
		return out
	}
	pop := map[string]float64{"AUT": 9e6, "DEU": 8.4e7, "FRA": 6.8e7, "ITA": 5.9e7}
	cases := []struct {
		name string
		obs  []Observation
		pop  map[string]float64
	}{
		{"huge values", obs(1.7e308, 1.7e308, 1e308, 1), pop},
		{"opposite huge values", obs(-1.7e308, 1.7e308, 1.7e308, -1.7e308), pop},
		{"largest plausible counts and populations", obs(MaxHeadcount, MaxHeadcount, MaxHeadcount, MaxHeadcount),
			map[string]float64{"AUT": MaxHeadcount, "DEU": MaxHeadcount, "FRA": MaxHeadcount, "ITA": MaxHeadcount}},
		{"huge weights", obs(10000, 10000, 5000, 1), map[string]float64{"AUT": 1.7e308, "DEU": 1.7e308, "FRA": 1e308, "ITA": 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Aggregate(tc.obs, 2020, tc.pop, true)
			if r.WeightedMean == nil {
				t.Fatal("no weighted mean")
			}
			if _, err := json.Marshal(r); err != nil {
				t.Fatalf("aggregate does not encode: %v", err)
			}
			values, weights := map[string]float64{}, map[string]float64{}
			for _, o := range tc.obs {
				values[o.ISO3], weights[o.ISO3] = o.Value, tc.pop[o.ISO3]
			}
			m, ok := WeightedMean(values, weights)
			if !ok || math.IsInf(m, 0) || math.IsNaN(m) {
				t.Fatalf("WeightedMean %v %v", m, ok)
			}
			lo, hi := *r.Min, *r.Max
			if *r.WeightedMean < lo.Value || *r.WeightedMean > hi.Value || m < lo.Value || m > hi.Value {
				t.Fatalf("weighted means %v, %v outside min %v and max %v", *r.WeightedMean, m, lo.Value, hi.Value)
			}
		})
	}
	// Exact for ordinary figures, as before.
	if r := Aggregate(obs(10, 20), 2020, map[string]float64{"AUT": 1, "DEU": 3}, true); *r.WeightedMean != 17.5 {
		t.Fatalf("weighted mean %v, want 17.5", *r.WeightedMean)
	}
	// A derived sum that would overflow is no figure, not +Inf.
	dnm, _ := Lookup("hwf_dnm")
	got := Derive(dnm, map[string][]Observation{
		"HWF_0001": {{Indicator: "HWF_0001", ISO3: "AUT", Year: 2020, Value: 1.7e308, Source: "s"}},
		"HWF_0006": {{Indicator: "HWF_0006", ISO3: "AUT", Year: 2020, Value: 1.7e308, Source: "s"}},
	})
	if len(got) != 0 {
		t.Fatalf("derived %+v, want nothing", got)
	}
}

// TestPlausibleBounds checks that every submittable indicator has a finite
// upper bound, and the bounds the README documents.
func TestPlausibleBounds(t *testing.T) {
	for _, ind := range Catalogue() {
		lo, hi := ind.ValidRange()
		if lo == nil || hi == nil || math.IsInf(*hi, 0) || *hi > 1e9 {
			t.Errorf("%s: range %v..%v, want finite bounds no larger than 1e9", ind.ID, bound(lo), bound(hi))
		}
	}
	for _, tc := range []struct {
		id string
		hi float64
	}{
		{"HWF_0001", 10000}, {"hwf_dnm", 10000}, {"MEDICALGRAD", 100000}, {"HWF_0002", 1e9}, {"SP.POP.TOTL", 1e9},
		{"GHED_CHEGDP_SHA2011", 100}, {"GHED_CHE_pc_US_SHA2011", 1e6}, {"dist_doctors_nuts2_ratio", 1e6}, {"code_dna", 1},
	} {
		ind, _ := Lookup(tc.id)
		if _, hi := ind.ValidRange(); hi == nil || *hi != tc.hi {
			t.Errorf("%s: upper bound %v, want %v", tc.id, bound(hi), tc.hi)
		}
		o := Observation{Indicator: tc.id, ISO3: "AUT", Year: 2020, Value: 1.7e308, Source: "s"}
		if errs := ValidateObservation(o, func(string) bool { return true }, 2026); ind.Submittable && (len(errs) != 1 || errs[0].Field != "value") {
			t.Errorf("%s: 1.7e308 gives %+v, want one error naming value", tc.id, errs)
		}
	}
}
