package indicators

import (
	"math"
	"regexp"
	"testing"
)

func obs(ind, iso3 string, year int, v float64) Observation {
	return Observation{Indicator: ind, ISO3: iso3, Year: year, Value: v, Source: "src " + iso3}
}

func f(v float64) *float64 { return &v }

func eqp(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return math.Abs(*a-*b) < 1e-9
}

func TestAggregate(t *testing.T) {
	cases := []struct {
		name                string
		obs                 []Observation
		pop                 map[string]float64
		weighted            bool
		count               int
		median, p25, p75, w *float64
		min, max            string
	}{
		{
			// sorted 1 2 3 4 5: median x[2]=3; p25 h=1 → 2; p75 h=3 → 4.
			name: "odd count", obs: []Observation{obs("X", "E", 2020, 5), obs("X", "A", 2020, 1), obs("X", "C", 2020, 3),
				obs("X", "B", 2020, 2), obs("X", "D", 2020, 4), obs("X", "F", 2019, 100)},
			count: 5, median: f(3), p25: f(2), p75: f(4), min: "A", max: "E",
		},
		{
			// sorted 10 20 30 40: median h=1.5 → 25; p25 h=0.75 → 17.5; p75 h=2.25 → 32.5.
			name: "even count", obs: []Observation{obs("X", "A", 2020, 40), obs("X", "B", 2020, 10), obs("X", "C", 2020, 30), obs("X", "D", 2020, 20)},
			count: 4, median: f(25), p25: f(17.5), p75: f(32.5), min: "B", max: "A",
		},
		{
			// ties: min 1 at B and C → B; max 9 at A and D → A.
			name: "ties go to the first ISO3", obs: []Observation{obs("X", "D", 2020, 9), obs("X", "C", 2020, 1), obs("X", "B", 2020, 1), obs("X", "A", 2020, 9)},
			count: 4, median: f(5), p25: f(1), p75: f(9), min: "B", max: "A",
		},
		{
			// (10×1 + 20×3) / 4 = 17.5
			name: "weighted mean", obs: []Observation{obs("X", "A", 2020, 10), obs("X", "B", 2020, 20)},
			pop: map[string]float64{"A": 1, "B": 3}, weighted: true,
			count: 2, median: f(15), p25: f(12.5), p75: f(17.5), w: f(17.5), min: "A", max: "B",
		},
		{
			name: "weighted mean needs every population", obs: []Observation{obs("X", "A", 2020, 10), obs("X", "B", 2020, 20)},
			pop: map[string]float64{"A": 1}, weighted: true,
			count: 2, median: f(15), p25: f(12.5), p75: f(17.5), min: "A", max: "B",
		},
		{
			name: "single value", obs: []Observation{obs("X", "A", 2020, 7)},
			count: 1, median: f(7), p25: f(7), p75: f(7), min: "A", max: "A",
		},
		{name: "no data", obs: []Observation{obs("X", "A", 2019, 7)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := Aggregate(tc.obs, 2020, tc.pop, tc.weighted)
			if r.Count != tc.count || !eqp(r.Median, tc.median) || !eqp(r.P25, tc.p25) || !eqp(r.P75, tc.p75) || !eqp(r.WeightedMean, tc.w) {
				t.Fatalf("got count %d median %v p25 %v p75 %v w %v", r.Count, deref(r.Median), deref(r.P25), deref(r.P75), deref(r.WeightedMean))
			}
			if tc.count == 0 {
				if r.Min != nil || r.Max != nil {
					t.Fatal("extremes without data")
				}
				return
			}
			if r.Min.ISO3 != tc.min || r.Max.ISO3 != tc.max {
				t.Fatalf("min %+v max %+v, want %s %s", r.Min, r.Max, tc.min, tc.max)
			}
		})
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestDerive(t *testing.T) {
	dnm, _ := Lookup("hwf_dnm")
	in := map[string][]Observation{
		"HWF_0001": {obs("HWF_0001", "AUT", 2020, 50), obs("HWF_0001", "AUT", 2021, 51), obs("HWF_0001", "DEU", 2020, 45)},
		"HWF_0006": {obs("HWF_0006", "AUT", 2020, 100), obs("HWF_0006", "DEU", 2021, 120)},
	}
	in["HWF_0006"][0].Break = true
	got := Derive(dnm, in)
	// Only AUT 2020 has both inputs: 50 + 100 = 150.
	if len(got) != 1 || got[0].ISO3 != "AUT" || got[0].Year != 2020 || got[0].Value != 150 || !got[0].Break {
		t.Fatalf("got %+v", got)
	}
	// A sum is the inputs' sum, not binary floating point's: 26.83 + 35.18
	// is 62.01 in a download, not 62.010000000000005.
	got = Derive(dnm, map[string][]Observation{
		"HWF_0001": {obs("HWF_0001", "NLD", 2020, 26.83)},
		"HWF_0006": {obs("HWF_0006", "NLD", 2020, 35.18)},
	})
	if len(got) != 1 || got[0].Value != 62.01 {
		t.Fatalf("sum got %+v, want 62.01", got)
	}
	nurses, _ := Lookup("hwf_nurses_density")
	got = Derive(nurses, map[string][]Observation{
		"HWF_0008":    {obs("HWF_0008", "MLT", 2020, 3000)},
		"SP.POP.TOTL": {obs("SP.POP.TOTL", "MLT", 2020, 500000), obs("SP.POP.TOTL", "MLT", 2021, 510000)},
	})
	// 3000 / 500000 × 10000 = 60
	if len(got) != 1 || got[0].Value != 60 {
		t.Fatalf("per10k got %+v", got)
	}
}

func TestCountryStatus(t *testing.T) {
	dens := Indicator{ID: "X", Kind: KindDensity}
	yes := Indicator{ID: "Y", Kind: KindYesNo}
	gte := Measure{Indicator: "X", Comparison: AtLeast, Target: 44.5, DueYear: 2030}
	series := func(vals map[int]float64) []Observation {
		var out []Observation
		for y, v := range vals {
			out = append(out, obs("X", "A", y, v))
		}
		return out
	}
	cases := []struct {
		name    string
		m       Measure
		ind     Indicator
		s       []Observation
		want    Status
		project *float64
	}{
		{"no data", gte, dens, nil, StatusNoData, nil},
		{"met", gte, dens, series(map[int]float64{2019: 40, 2020: 45}), StatusMet, nil},
		// 30, 32, 34 in 2018-2020: slope 2 → 34 + 2×10 = 54 in 2030.
		{"on track", gte, dens, series(map[int]float64{2018: 30, 2019: 32, 2020: 34}), StatusOnTrack, f(54)},
		// 30, 30.5, 31: slope 0.5 → 36 in 2030.
		{"off track", gte, dens, series(map[int]float64{2018: 30, 2019: 30.5, 2020: 31}), StatusOffTrack, f(36)},
		{"too few points", gte, dens, series(map[int]float64{2019: 30, 2020: 40}), StatusOffTrack, nil},
		// points older than ten years before the latest are not in the trend
		{"old points ignored", gte, dens, series(map[int]float64{1990: 10, 1991: 20, 1992: 30, 2020: 40}), StatusOffTrack, nil},
		{"due year passed", Measure{Comparison: AtLeast, Target: 25, DueYear: 2006}, dens,
			series(map[int]float64{2018: 10, 2019: 20, 2020: 24}), StatusOffTrack, nil},
		{"yes/no reported", Measure{Comparison: AtLeast, Target: 1, DueYear: 2024}, yes,
			[]Observation{obs("Y", "A", 2024, 1)}, StatusMet, nil},
		{"yes/no other round only", Measure{Comparison: AtLeast, Target: 1, DueYear: 2024}, yes,
			[]Observation{obs("Y", "A", 2021, 1)}, StatusNoData, nil},
		{"yes/no answered no", Measure{Comparison: AtLeast, Target: 1, DueYear: 2024}, yes,
			[]Observation{obs("Y", "A", 2024, 0)}, StatusOffTrack, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := CountryStatus(tc.m, tc.ind, tc.s, 2026)
			if r.Status != tc.want || !eqp(r.Projected, tc.project) {
				t.Fatalf("status %s projected %v (%s), want %s %v", r.Status, deref(r.Projected), r.Reason, tc.want, deref(tc.project))
			}
		})
	}
	t.Run("reason rounds a computed value", func(t *testing.T) {
		r := CountryStatus(gte, dens, series(map[int]float64{2020: 102.88499999999999}), 2026)
		if r.Reason != "102.89 in 2020 meets the target" {
			t.Fatalf("reason %q", r.Reason)
		}
	})
	t.Run("halve with progress", func(t *testing.T) {
		// baseline 40, halve → target 20; latest 30: 10 of the 20 required → 0.5.
		m := Measure{Comparison: Reduce, Target: 0.5, DueYear: 2030}
		r := CountryStatus(m, dens, series(map[int]float64{2015: 40, 2020: 30}), 2026)
		if r.Progress == nil || *r.Progress != 0.5 || r.Baseline == nil || r.Baseline.Value != 40 || r.Status == StatusMet {
			t.Fatalf("got %+v", r)
		}
		r = CountryStatus(m, dens, series(map[int]float64{2015: 40, 2020: 20}), 2026)
		if r.Status != StatusMet || *r.Progress != 1 {
			t.Fatalf("halved: got %+v", r)
		}
	})
}

func TestRegionStatus(t *testing.T) {
	countries := []Country{{ISO3: "A"}, {ISO3: "B"}, {ISO3: "C"}}
	t.Run("yes/no counts", func(t *testing.T) {
		m := Measure{Comparison: AtLeast, Target: 1, DueYear: 2024}
		by := map[string][]Observation{"A": {obs("Y", "A", 2024, 1)}, "B": {obs("Y", "B", 2024, 0)}}
		r := RegionStatus(m, Indicator{Kind: KindYesNo}, by, countries, 2026)
		if r.Counts[StatusMet] != 1 || r.Counts[StatusOffTrack] != 1 || r.Counts[StatusNoData] != 1 || r.Status != StatusOffTrack {
			t.Fatalf("got %+v", r)
		}
		r = RegionStatus(m, Indicator{Kind: KindYesNo}, nil, countries, 2026)
		if r.Status != StatusNoData || r.Counts[StatusNoData] != 3 {
			t.Fatalf("nobody answered: %+v", r)
		}
	})
	t.Run("median series", func(t *testing.T) {
		m := Measure{Comparison: AtLeast, Target: 44.5, DueYear: 2030}
		// medians: 2020 → 50 (of 40, 50, 60); A met, B met, C off track (one point).
		by := map[string][]Observation{"A": {obs("X", "A", 2020, 60)}, "B": {obs("X", "B", 2020, 50)}, "C": {obs("X", "C", 2020, 40)}}
		r := RegionStatus(m, Indicator{Kind: KindDensity}, by, countries, 2026)
		if r.Status != StatusMet || r.Median == nil || r.Median.Latest.Value != 50 || r.Counts[StatusMet] != 2 || r.Counts[StatusOffTrack] != 1 {
			t.Fatalf("got %+v", r)
		}
	})
}

func TestValidateObservation(t *testing.T) {
	known := func(s string) bool { return s == "AUT" }
	good := Observation{Indicator: "HWF_0001", ISO3: "AUT", Year: 2020, Value: 50, Source: "s"}
	cases := []struct {
		name  string
		edit  func(*Observation)
		field string
	}{
		{"valid", func(*Observation) {}, ""},
		{"unknown indicator", func(o *Observation) { o.Indicator = "NOPE" }, "indicator"},
		{"derived", func(o *Observation) { o.Indicator = "hwf_dnm" }, "indicator"},
		{"population is reference data", func(o *Observation) { o.Indicator = "SP.POP.TOTL" }, "indicator"},
		{"unknown country", func(o *Observation) { o.ISO3 = "XXX" }, "iso3"},
		{"year before 1950", func(o *Observation) { o.Year = 1949 }, "year"},
		{"future year", func(o *Observation) { o.Year = 2027 }, "year"},
		{"NaN", func(o *Observation) { o.Value = math.NaN() }, "value"},
		{"Inf", func(o *Observation) { o.Value = math.Inf(1) }, "value"},
		{"negative density", func(o *Observation) { o.Value = -0.1 }, "value"},
		{"percent over 100", func(o *Observation) { o.Indicator, o.Value = "mig_nurses_foreign_trained_pct", 100.5 }, "value"},
		{"yes/no 0.5", func(o *Observation) { o.Indicator, o.Value = "code_dna", 0.5 }, "value"},
		{"blank source", func(o *Observation) { o.Source = " \t" }, "source"},
		{"long note", func(o *Observation) { o.Note = string(make([]byte, 2001)) }, "note"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			o := good
			tc.edit(&o)
			errs := ValidateObservation(o, known, 2026)
			if tc.field == "" {
				if len(errs) != 0 {
					t.Fatalf("unexpected %v", errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Field != tc.field {
				t.Fatalf("got %v, want one error on %s", errs, tc.field)
			}
		})
	}
}

func TestCatalogue(t *testing.T) {
	cat := Catalogue()
	ids := map[string]bool{}
	msID := regexp.MustCompile(`^[GE]\d\d$`)
	for _, ind := range cat {
		if ind.ID == "" || ind.Name == "" || ind.Unit == "" || ind.Category == "" || ind.Kind == "" || ind.Description == "" || ind.Source == "" {
			t.Errorf("%q lacks a required field: %+v", ind.ID, ind)
		}
		if ids[ind.ID] {
			t.Errorf("duplicate id %s", ind.ID)
		}
		ids[ind.ID] = true
		for _, m := range ind.Milestones {
			if !msID.MatchString(m) {
				t.Errorf("%s: milestone id %q", ind.ID, m)
			}
		}
	}
	for _, ind := range cat {
		if ind.Derived == nil {
			continue
		}
		if ind.Submittable {
			t.Errorf("derived %s is submittable", ind.ID)
		}
		for _, in := range ind.Derived.Inputs {
			if !ids[in] {
				t.Errorf("%s derives from unknown %s", ind.ID, in)
			}
		}
	}
	categories := map[Category]bool{}
	for _, ind := range cat {
		categories[ind.Category] = true
	}
	for _, c := range []Category{CategoryStock, CategoryEducation, CategoryMigration, CategoryCode, CategoryFinancing} {
		if !categories[c] {
			t.Errorf("no indicator in category %q", c)
		}
	}
}
