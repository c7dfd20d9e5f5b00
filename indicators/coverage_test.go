package indicators

import (
	"reflect"
	"strings"
	"testing"
)

func members(iso3 ...string) []Country {
	out := make([]Country, len(iso3))
	for i, c := range iso3 {
		out[i] = Country{ISO3: c}
	}
	return out
}

func TestMeasureCoverage(t *testing.T) {
	four := members("A", "B", "C", "D")
	pop := map[string]float64{"A": 70, "B": 10, "C": 10, "D": 10}
	cases := []struct {
		name    string
		covered []string
		pop     map[string]float64
		count   int
		share   *float64
		low     bool
	}{
		{"half the states, most people", []string{"A", "B"}, pop, 2, f(0.8), false},
		{"half the states, few people", []string{"B", "C"}, pop, 2, f(0.2), true},
		{"one big state", []string{"A"}, pop, 1, f(0.7), true},
		{"all", []string{"A", "B", "C", "D"}, pop, 4, f(1), false},
		{"outsiders ignored", []string{"A", "X", "Y"}, pop, 1, f(0.7), true},
		{"population unknown: states alone", []string{"B", "C"}, map[string]float64{"A": 70}, 2, nil, false},
		{"none", nil, pop, 0, f(0), true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cv := MeasureCoverage(c.covered, four, c.pop)
			if cv.Countries != c.count || cv.MemberStates != 4 || !eqp(cv.PopulationShare, c.share) || cv.Low != c.low || cv.Rule != CoverageRule {
				t.Errorf("got %+v (share %v)", cv, cv.PopulationShare)
			}
		})
	}
}

func TestDefaultYear(t *testing.T) {
	reg := func(year, n int) Regional {
		cv := MeasureCoverage(make([]string, 0), members(), nil)
		cv.Countries, cv.MemberStates = n, 53
		cv.Low = n*2 < 53
		return Regional{Year: year, Count: n, Coverage: &cv}
	}
	cases := []struct {
		name   string
		series []Regional
		year   int
		rule   string
	}{
		// The case: 2022 has 42 countries, 2023 only 16, 2024 one.
		{"skips low-coverage later years", []Regional{reg(2021, 45), reg(2022, 42), reg(2023, 16), reg(2024, 1)}, 2022, DefaultYearRule},
		{"latest when adequate", []Regional{reg(2022, 42), reg(2023, 40)}, 2023, DefaultYearRule},
		{"none adequate", []Regional{reg(2023, 16)}, 0, DefaultYearRuleNoYear},
		{"coverage not measured", []Regional{{Year: 2023, Count: 50}}, 0, DefaultYearRuleNoYear},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DefaultYear(c.series)
			if got.Year != c.year || got.Rule != c.rule {
				t.Errorf("got %+v, want %d %q", got, c.year, c.rule)
			}
		})
	}
}

func TestAggregateRegionWeights(t *testing.T) {
	ms := members("A", "B")
	pop := map[string]float64{"A": 1000, "B": 3000}
	find := func(id string) Indicator {
		ind, ok := Lookup(id)
		if !ok {
			t.Fatalf("no indicator %s", id)
		}
		return ind
	}
	cases := []struct {
		name  string
		ind   Indicator
		obs   []Observation
		in    map[string]map[string]float64
		basis WeightBasis
		mean  *float64
		note  string
	}{
		{"density by population", find("HWF_0001"),
			[]Observation{obs("HWF_0001", "A", 2020, 10), obs("HWF_0001", "B", 2020, 30)}, nil,
			WeightPopulation, f(25), ""},
		// CHE % GDP: A spends 10 US$ pc at 10 % → GDP 100000; B 10 US$ pc at 5 % → GDP 600000.
		// Regional ratio Σ CHE / Σ GDP = (10000 + 30000) / 700000 = 5.714… %.
		{"share of GDP by GDP", find("GHED_CHEGDP_SHA2011"),
			[]Observation{obs("GHED_CHEGDP_SHA2011", "A", 2020, 10), obs("GHED_CHEGDP_SHA2011", "B", 2020, 5)},
			map[string]map[string]float64{ghedCHEpc: {"A": 10, "B": 10}},
			WeightDenominator, f(tidy(40000.0 / 700000 * 100)), ""},
		// OOP % CHE: CHE A = 10×1000, B = 20×3000: (50×10000 + 10×60000)/70000.
		{"share of CHE by CHE", find("GHED_OOPSCHE_SHA2011"),
			[]Observation{obs("GHED_OOPSCHE_SHA2011", "A", 2020, 50), obs("GHED_OOPSCHE_SHA2011", "B", 2020, 10)},
			map[string]map[string]float64{ghedCHEpc: {"A": 10, "B": 20}},
			WeightDenominator, f(tidy(1100000.0 / 70000)), ""},
		{"denominator missing", find("GHED_OOPSCHE_SHA2011"),
			[]Observation{obs("GHED_OOPSCHE_SHA2011", "A", 2020, 50), obs("GHED_OOPSCHE_SHA2011", "B", 2020, 10)},
			map[string]map[string]float64{ghedCHEpc: {"A": 10}},
			WeightDenominator, nil, "no regional mean: current health expenditure not derivable for B"},
		{"count: no mean", find("HWF_0002"),
			[]Observation{obs("HWF_0002", "A", 2020, 50)}, nil, WeightNone, nil, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := AggregateRegion(c.ind, c.obs, 2020, RegionContext{Members: ms, Population: pop, Inputs: c.in})
			if r.WeightBasis != c.basis || !eqp(r.WeightedMean, c.mean) || r.WeightNote != c.note {
				t.Errorf("got basis %q mean %v note %q", r.WeightBasis, r.WeightedMean, r.WeightNote)
			}
			if r.Coverage == nil || r.Coverage.Countries != len(c.obs) {
				t.Errorf("coverage %+v", r.Coverage)
			}
		})
	}
}

func TestFlagJumps(t *testing.T) {
	breaks := IndexBreaks([]SeriesBreak{{Indicator: "X", ISO3: "RUS", FromYear: 1992, ToYear: 2000}})
	series := []Observation{
		obs("X", "RUS", 2000, 8.24), obs("X", "RUS", 2001, 70), // the break's last edge: explained
		obs("X", "RUS", 2011, 70), obs("X", "RUS", 2012, 41), obs("X", "RUS", 2013, 43), obs("X", "RUS", 2014, 45), obs("X", "RUS", 2015, 94),
		obs("X", "SWE", 2010, 10), obs("X", "SWE", 2015, 30), // a gap: not year-on-year
		obs("X", "CYP", 2014, 1), obs("X", "CYP", 2015, 3.94),
		obs("X", "ROU", 1999, 3), obs("X", "ROU", 1998, 1), // unsorted input
		obs("X", "AUT", 2018, 10), obs("X", "AUT", 2019, 15), // exactly +50 %: not flagged
		obs("X", "RUS", 1995, 2.71), obs("X", "RUS", 1992, 8.24),
	}
	got := map[Key]bool{}
	for _, o := range FlagJumps(series, breaks) {
		if o.Flag == FlagUnverifiedJump {
			got[o.Key()] = true
			if !strings.Contains(o.FlagNote, "not a listed series break") {
				t.Errorf("note %q", o.FlagNote)
			}
		}
	}
	want := map[Key]bool{{"X", "RUS", 2012}: true, {"X", "RUS", 2015}: true,
		{"X", "CYP", 2015}: true, {"X", "ROU", 1999}: true}
	if len(got) != len(want) {
		t.Errorf("flagged %v, want %v", got, want)
	}
	for k := range want {
		if !got[k] {
			t.Errorf("%v not flagged", k)
		}
	}
	if series[1].Flag != "" {
		t.Error("FlagJumps changed its input")
	}

	// MarkJumps flags a sorted series in place as FlagJumps flags its copy,
	// and leaves an unsorted one alone.
	if MarkJumps(series, breaks) {
		t.Error("MarkJumps took an unsorted series")
	}
	sorted := FlagJumps(series, breaks)
	for i := range sorted {
		sorted[i].Flag, sorted[i].FlagNote = "", ""
	}
	if !MarkJumps(sorted, breaks) {
		t.Fatal("MarkJumps refused a sorted series")
	}
	if !reflect.DeepEqual(sorted, FlagJumps(series, breaks)) {
		t.Errorf("MarkJumps in place:\n%v\nFlagJumps:\n%v", sorted, FlagJumps(series, breaks))
	}
}

func TestWithholdContradictions(t *testing.T) {
	nurses, _ := Lookup("hwf_nurses_density")
	derived := []Observation{obs("hwf_nurses_density", "DEU", 2019, 139.6), obs("hwf_nurses_density", "DEU", 2020, 100),
		obs("hwf_nurses_density", "FRA", 2019, 90)}
	parents := map[string][]Observation{"HWF_0006": {obs("HWF_0006", "DEU", 2019, 120.27), obs("HWF_0006", "DEU", 2020, 122)}}
	kept, withheld := WithholdContradictions(nurses, derived, parents, nil)
	if len(kept) != 2 || len(withheld) != 1 || withheld[0].Year != 2019 || !strings.HasPrefix(withheld[0].Reason, WithheldAboveParent) {
		t.Errorf("kept %v withheld %v", kept, withheld)
	}
	dnm, _ := Lookup("hwf_dnm")
	kept, withheld = WithholdContradictions(dnm, []Observation{obs("hwf_dnm", "DEU", 2019, 1)}, nil,
		map[string]string{"HWF_0001": "2023", "HWF_0006": "2022"})
	if len(kept) != 0 || len(withheld) != 1 || !strings.HasPrefix(withheld[0].Reason, WithheldMixedVintage) {
		t.Errorf("mixed vintage: kept %v withheld %v", kept, withheld)
	}
	kept, _ = WithholdContradictions(nurses, derived[:1], nil, map[string]string{"HWF_0008": "2022/2023", "SP.POP.TOTL": "2026-03"})
	if len(kept) != 1 {
		t.Error("population's vintage should not count as mixing")
	}
}

// TestBreaksCovers: the index answers as the list does, edges included,
// for a country with two listed breaks of one indicator.
func TestBreaksCovers(t *testing.T) {
	b := IndexBreaks([]SeriesBreak{
		{Indicator: "X", ISO3: "AUT", FromYear: 1995, ToYear: 1999},
		{Indicator: "X", ISO3: "AUT", FromYear: 2010, ToYear: 2010},
		{Indicator: "Y", ISO3: "ITA", FromYear: 2002, ToYear: 2002},
	})
	for _, tc := range []struct {
		ind, iso3 string
		year      int
		want      bool
	}{
		{"X", "AUT", 1994, false},
		{"X", "AUT", 1995, true},
		{"X", "AUT", 1999, true},
		{"X", "AUT", 2000, false},
		{"X", "AUT", 2010, true},
		{"X", "ITA", 2002, false}, // another indicator's break
		{"Y", "ITA", 2002, true},
		{"Y", "AUT", 1996, false}, // another country's
	} {
		if got := b.Covers(Observation{Indicator: tc.ind, ISO3: tc.iso3, Year: tc.year}); got != tc.want {
			t.Errorf("%s %s %d: covered %v, want %v", tc.ind, tc.iso3, tc.year, got, tc.want)
		}
	}
	if (Breaks(nil)).Covers(Observation{Indicator: "X", ISO3: "AUT", Year: 1996}) {
		t.Error("an empty index covers a year")
	}
}
