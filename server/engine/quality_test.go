package engine

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// memStore answers the engine's Store interface from a fixed set of
// observations: the fixtures below add or remove single figures and compare
// the engine's answers before and after.
type memStore struct{ obs []indicators.Observation }

func (m *memStore) Latest(_ context.Context, q indicators.Query) ([]indicators.Observation, error) {
	var out []indicators.Observation
	for _, o := range m.obs {
		if (len(q.Indicators) == 0 || slices.Contains(q.Indicators, o.Indicator)) &&
			(len(q.Countries) == 0 || slices.Contains(q.Countries, o.ISO3)) &&
			(q.FromYear == 0 || o.Year >= q.FromYear) && (q.ToYear == 0 || o.Year <= q.ToYear) {
			out = append(out, o)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].ISO3 != out[j].ISO3 {
			return out[i].ISO3 < out[j].ISO3
		}
		return out[i].Year < out[j].Year
	})
	return out, nil
}

func (m *memStore) YearCounts(_ context.Context, indicator string) (map[int]int, error) {
	out := map[int]int{}
	for _, o := range m.obs {
		if o.Indicator == indicator {
			out[o.Year]++
		}
	}
	return out, nil
}

// YearCountsAsOf is YearCounts: a memStore holds one version of its data.
func (m *memStore) YearCountsAsOf(ctx context.Context, indicator string, _ int64) (map[int]int, error) {
	return m.YearCounts(ctx, indicator)
}

const fixtureIndicator = "HWF_0001"

// fixture is a Region of ten Member States of equal population with
// medical doctor densities 2018–2023 (C01 lowest, C10 highest), all above
// the threshold 20 of milestone T01 but C01, and a milestone T01 due 2030.
func fixture() (Reference, []indicators.Observation) {
	var ref Reference
	var obs []indicators.Observation
	for i := 1; i <= 10; i++ {
		iso3 := fmt.Sprintf("C%02d", i)
		ref.Countries = append(ref.Countries, indicators.Country{ISO3: iso3, Name: "Country " + iso3})
		for y := 2018; y <= 2023; y++ {
			obs = append(obs,
				indicators.Observation{Indicator: fixtureIndicator, ISO3: iso3, Year: y, Value: float64(10*i + y - 2018), Source: "fixture"},
				indicators.Observation{Indicator: population, ISO3: iso3, Year: y, Value: 1e6, Source: "fixture"})
		}
		obs = append(obs, indicators.Observation{Indicator: population, ISO3: iso3, Year: 2024, Value: 1e6, Source: "fixture"})
	}
	due := 2030
	ref.Milestones = []indicators.Milestone{{ID: "T01", Scope: "europe", Year: &due, Title: "fixture threshold",
		Type: indicators.MilestoneThreshold, Measure: &indicators.Measure{Indicator: fixtureIndicator, Comparison: indicators.AtLeast, Target: 20, DueYear: due}}}
	return ref, obs
}

func fixtureEngine(ref Reference, obs []indicators.Observation) *Engine {
	return New(Config{Store: &memStore{obs: obs}, Reference: ref, CurrentYear: func() int { return 2025 }})
}

func milestone(t *testing.T, e *Engine, id string) MilestoneResult {
	t.Helper()
	res, err := e.Milestones(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range res.Milestones {
		if m.ID == id {
			return m
		}
	}
	t.Fatalf("milestone %s missing", id)
	return MilestoneResult{}
}

// median7 is the R type 7 median, computed here apart from the code under
// test.
func median7(v []float64) float64 {
	s := slices.Clone(v)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// latestValues is each country's latest value in obs.
func latestValues(obs []indicators.Observation) map[string]float64 {
	year := map[string]int{}
	out := map[string]float64{}
	for _, o := range obs {
		if o.Indicator == fixtureIndicator && o.Year >= year[o.ISO3] {
			year[o.ISO3], out[o.ISO3] = o.Year, o.Value
		}
	}
	return out
}

// TestOneCountryMovesTheRegionByItsContribution adds and removes one
// country's latest figure: the Region's status, counts and median change
// only by that country's contribution, and a year only it reports is low
// coverage, never the default year.
func TestOneCountryMovesTheRegionByItsContribution(t *testing.T) {
	ref, base := fixture()
	added := append(slices.Clone(base), indicators.Observation{Indicator: fixtureIndicator, ISO3: "C05", Year: 2024, Value: 5, Source: "fixture"})
	removed := slices.DeleteFunc(slices.Clone(base), func(o indicators.Observation) bool {
		return o.Indicator == fixtureIndicator && o.ISO3 == "C05" && o.Year == 2023
	})
	before := milestone(t, fixtureEngine(ref, base), "T01").Region
	if before == nil || before.Status != indicators.StatusMet || before.Counts[indicators.StatusMet] != 9 || before.Coverage.Countries != 10 || before.Coverage.Low {
		t.Fatalf("base: %+v", before)
	}
	for name, obs := range map[string][]indicators.Observation{"added": added, "removed": removed} {
		after := milestone(t, fixtureEngine(ref, obs), "T01").Region
		if after == nil {
			t.Fatalf("%s: no Region status", name)
		}
		for iso3, was := range before.Countries {
			now := after.Countries[iso3]
			if iso3 != "C05" && (now.Status != was.Status || now.Latest.Value != was.Latest.Value) {
				t.Errorf("%s: %s moved from %s to %s though only C05 changed", name, iso3, was.Status, now.Status)
			}
		}
		want := latestValues(obs)
		vals := make([]float64, 0, len(want))
		for _, v := range want {
			vals = append(vals, v)
		}
		if after.Median == nil || math.Abs(*after.Median-median7(vals)) > 1e-9 {
			t.Errorf("%s: median %v, want %v (the base's latest values with C05's replaced)", name, after.Median, median7(vals))
		}
		moved := 0
		for _, st := range []indicators.Status{indicators.StatusMet, indicators.StatusOnTrack, indicators.StatusOffTrack, indicators.StatusStale, indicators.StatusNoData} {
			d := after.Counts[st] - before.Counts[st]
			moved += max(d, -d)
		}
		if moved > 2 {
			t.Errorf("%s: counts moved by %d (more than one country): %v -> %v", name, moved, before.Counts, after.Counts)
		}
		if after.Status != indicators.StatusMet {
			t.Errorf("%s: the Region's status flipped to %s although 8 or 9 of 10 meet the threshold", name, after.Status)
		}
	}
	// C05's 2024 figure of 5 does not meet 20: it counts, as one country.
	if after := milestone(t, fixtureEngine(ref, added), "T01").Region; after.Countries["C05"].Status == indicators.StatusMet ||
		after.Counts[indicators.StatusMet] != 8 {
		t.Errorf("added: C05 %s, met %d, want C05 not met and 8 met", after.Countries["C05"].Status, after.Counts[indicators.StatusMet])
	}

	// The regional view: 2024 has one country, low coverage; the default
	// year stays 2023, and the API says why.
	e := fixtureEngine(ref, added)
	ind := e.ref.ByID[fixtureIndicator]
	reg, err := e.Regional(context.Background(), ind, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if reg.Year != 2023 || reg.DefaultYear == nil || reg.DefaultYear.Rule != indicators.DefaultYearRule || reg.Coverage == nil || reg.Coverage.Low {
		t.Fatalf("default view: year %d choice %+v coverage %+v", reg.Year, reg.DefaultYear, reg.Coverage)
	}
	y2024, err := e.Regional(context.Background(), ind, 2024, 1)
	if err != nil {
		t.Fatal(err)
	}
	if y2024.Count != 1 || y2024.Coverage == nil || !y2024.Coverage.Low || y2024.Coverage.Countries != 1 ||
		y2024.Coverage.PopulationShare == nil || *y2024.Coverage.PopulationShare != 0.1 || y2024.DefaultYear != nil {
		t.Fatalf("2024: %+v coverage %+v", y2024.Regional, y2024.Coverage)
	}
	if n := len(reg.Years); n != 7 || !reg.Years[n-1].Low || reg.Years[n-2].Low {
		t.Errorf("years: %+v", reg.Years)
	}
}

// TestSeriesFlagsJumpsAndWithholds: an unverified jump is flagged on the
// figure (and in the CSV's data rows), the line of a series break is not,
// and a derived figure above its published parent is withheld with the
// reason.
func TestSeriesFlagsJumpsAndWithholds(t *testing.T) {
	ref, obs := fixture()
	// C02's 2021 value triples; C03's does too, inside a listed break.
	for i := range obs {
		if obs[i].Indicator == fixtureIndicator && (obs[i].ISO3 == "C02" || obs[i].ISO3 == "C03") && obs[i].Year == 2021 {
			obs[i].Value *= 3
		}
	}
	ref.Breaks = []indicators.SeriesBreak{{Indicator: fixtureIndicator, ISO3: "C03", FromYear: 2021, ToYear: 2021, Note: "new definition"}}
	// Nurses (HWF_0008) over population: C04's gives 60 per 10,000 above
	// its published nurses and midwives (HWF_0006) of 50.
	obs = append(obs,
		indicators.Observation{Indicator: "HWF_0008", ISO3: "C04", Year: 2022, Value: 6000, Source: "fixture"},
		indicators.Observation{Indicator: "HWF_0006", ISO3: "C04", Year: 2022, Value: 50, Source: "fixture"},
		indicators.Observation{Indicator: "HWF_0008", ISO3: "C06", Year: 2022, Value: 4000, Source: "fixture"},
		indicators.Observation{Indicator: "HWF_0006", ISO3: "C06", Year: 2022, Value: 50, Source: "fixture"})
	e := fixtureEngine(ref, obs)
	ctx := context.Background()
	res, err := e.Data(ctx, e.ref.ByID[fixtureIndicator], nil, TimeRange{From: 2021, To: 2023}, 1)
	if err != nil {
		t.Fatal(err)
	}
	flagged := map[string]int{}
	for _, r := range res.Rows {
		if r.Flag != "" {
			flagged[fmt.Sprintf("%s %d", r.ISO3, r.Year)]++
			if r.FlagNote == "" {
				t.Errorf("%s %d flagged without a note", r.ISO3, r.Year)
			}
		}
	}
	// The tripling, and the fall back the year after, both read from
	// 2021 on (the year before the range is read to judge 2021).
	if len(flagged) != 2 || flagged["C02 2021"] != 1 || flagged["C02 2022"] != 1 {
		t.Errorf("flagged %v, want C02 2021 and 2022 (C03's jump lies in a listed break)", flagged)
	}
	if res.Citation == "" || len(res.Rules) == 0 {
		t.Errorf("citation %q rules %v", res.Citation, res.Rules)
	}
	nurses, err := e.Data(ctx, e.ref.ByID["hwf_nurses_density"], nil, TimeRange{}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(nurses.Rows) != 1 || nurses.Rows[0].ISO3 != "C06" || nurses.Rows[0].Value != 40 {
		t.Errorf("nurse densities shown: %+v, want C06's 40 only", nurses.Rows)
	}
	if len(nurses.Withheld) != 1 || nurses.Withheld[0].ISO3 != "C04" || nurses.Withheld[0].Reason == "" {
		t.Errorf("withheld: %+v, want C04 with the reason", nurses.Withheld)
	}
}

// TestMilestoneTypes: a list gives membership from the cited regional
// count, never "met" on the density criterion; a reporting round with no
// answer received states the cited facts and no "0 of" count.
func TestMilestoneTypes(t *testing.T) {
	ref, obs := fixture()
	due := 2023
	ref.Milestones = append(ref.Milestones,
		indicators.Milestone{ID: "L01", Type: indicators.MilestoneList, List: "safeguards", ListYear: 2023, Year: &due,
			Measure: &indicators.Measure{Indicator: fixtureIndicator, Comparison: indicators.AtLeast, Target: 49, DueYear: 2023}},
		indicators.Milestone{ID: "R05", Type: indicators.MilestoneRound, Round: 5, Year: &due,
			Measure: &indicators.Measure{Indicator: codeIndicator, Comparison: indicators.AtLeast, Target: 1, DueYear: 2024}})
	ref.Lists = []indicators.ListFact{{List: "safeguards", Year: 2023, WHORegion: indicators.EuropeanRegion, CountriesListed: 0, Citation: "WHO 2023"}}
	n := 29.0
	ref.Rounds = []indicators.RoundFact{{Round: 5, ReportingYear: 2024, WHORegion: indicators.EuropeanRegionCode, Metric: "reports_submitted",
		Value: "29", Number: &n, AsOf: "interim", Citation: "WHO report"}}
	e := fixtureEngine(ref, obs)
	l := milestone(t, e, "L01")
	if l.List == nil || l.List.Status != indicators.StatusNotListed || l.Region == nil || l.Region.Status != indicators.StatusNotListed ||
		l.Region.Counts[indicators.StatusNotListed] != 10 || l.Criterion == nil {
		t.Fatalf("list: %+v region %+v", l.List, l.Region)
	}
	r := milestone(t, e, "R05")
	if r.Round == nil || r.Round.AnyReceived || !r.Round.Interim || len(r.Round.Cited) != 1 || r.Region == nil || r.Region.Status != indicators.StatusNoData {
		t.Fatalf("round: %+v region %+v", r.Round, r.Region)
	}
	if h := r.Round.Headline; !containsAll(h, "29", "interim") || containsAll(h, "0 of") {
		t.Errorf("round headline %q", h)
	}
	e2 := fixtureEngine(ref, append(slices.Clone(obs), indicators.Observation{Indicator: codeIndicator, ISO3: "C01", Year: 2024, Value: 1, Source: "fixture"}))
	r2 := milestone(t, e2, "R05")
	if !r2.Round.AnyReceived || r2.Region.Status != indicators.StatusReceivedYes || r2.Region.Counts[indicators.StatusReceivedYes] != 1 ||
		!containsAll(r2.Round.Headline, indicators.ReceivedLabel, "1 of 10") {
		t.Errorf("after one answer: %+v %q", r2.Region.Counts, r2.Round.Headline)
	}
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !strings.Contains(s, x) {
			return false
		}
	}
	return true
}
