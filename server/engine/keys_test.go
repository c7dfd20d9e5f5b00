package engine

import (
	"net/url"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

func testEngine(t testing.TB) *Engine {
	t.Helper()
	g := int64(9)
	due := 2030
	return New(Config{
		CurrentYear:   func() int { return 2026 },
		GlobalVersion: func() int64 { return g },
		Reference: Reference{
			Countries: []indicators.Country{{ISO3: "AUT", Name: "Austria", Groups: []string{"EU27"}}, {ISO3: "DEU", Name: "Germany", Groups: []string{"EU27"}}},
			Milestones: []indicators.Milestone{{ID: "G14", Year: &due,
				Measure: &indicators.Measure{Indicator: "hwf_dnm", Target: 44.5, DueYear: 2030}}},
		},
	})
}

// TestKeyStrings pins each payload's cache string: the same strings the
// handlers built before keys were typed, so caches shared by instances of
// both kinds agree.
func TestKeyStrings(t *testing.T) {
	e := testEngine(t)
	e.RaiseFloor(3)
	e.MarkChanged(5, []string{"HWF_0001"})
	e.MarkChanged(6, []string{"code_nri_report"})
	doctors, nurses := e.ref.ByID["HWF_0001"], e.ref.ByID["HWF_0006"]
	pinned := e.At(4)
	chart, err := e.ParseChart("trend", url.Values{"indicator": {"HWF_0001"}, "countries": {"AUT"}, "time": {"2000.."}})
	if err != nil {
		t.Fatal(err)
	}
	view, err := e.ParseChart("trend", url.Values{"yscale": {"linear"}, "relative_to": {"2010"}, "indicator": {"HWF_0001"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		key  Key
		want string
	}{
		{"countries", e.CountriesKey(), "v0:countries"},
		// The catalogue shows each indicator's freshness.
		{"indicators", e.IndicatorsKey(), "v9:indicators"},
		{"indicator", e.IndicatorKey(doctors), "v5:indicator:HWF_0001"},
		{"data json", e.DataKey(doctors, NewDataQuery([]string{"AUT", "DEU"}, TimeRange{2000, 0}), "json"), "v5:data:HWF_0001:AUT,DEU:2000-0"},
		{"data csv", e.DataKey(doctors, NewDataQuery(nil, TimeRange{}), "csv"), "v5:data:HWF_0001::0-0:csv"},
		{"data unchanged", e.DataKey(nurses, NewDataQuery(nil, TimeRange{}), "json"), "v3:data:HWF_0006::0-0"},
		{"history", e.HistoryKey(doctors, "AUT", 2020), "v5:history:HWF_0001:AUT:2020"},
		{"regional", e.RegionalKey(nurses, 0), "v3:regional:HWF_0006:0"},
		// hwf_dnm is derived from HWF_0001, on which G14 is measured.
		{"milestones", e.MilestonesKey(), "v5:milestones"},
		{"roadmap", e.RoadmapKey(), "v5:roadmap"},
		{"rounds", e.RoundsKey(), "v6:rounds"},
		{"summary", e.SummaryKey("AUT", "fr"), "v9:summary:AUT:fr"},
		{"chart", e.ChartKey(chart), "v5:chart:trend?countries=AUT&indicator=HWF_0001&time=2000.."},
		{"chart view", e.ChartKey(view), "v5:chart:trend?indicator=HWF_0001&relative_to=2010"},
		{"experiences", e.ExperiencesKey(indicators.ExperienceQuery{Country: "AUT", Limit: 20}), "v9:experiences:AUT::::0:20"},
		{"experience", e.ExperienceKey(12), "v9:experience:12"},
		{"push indicator", e.TopicKey("indicator:HWF_0006"), "v3:push:indicator:HWF_0006"},
		{"push derived", e.TopicKey("indicator:hwf_dnm"), "v5:push:indicator:hwf_dnm"},
		{"push country", e.TopicKey("country:AUT"), "v9:push:country:AUT"},
		{"push rounds", e.TopicKey("rounds"), "v6:push:rounds"},
		{"push chart", e.TopicKey(chart.Topic()), "v5:push:" + chart.Topic()},
		{"feed", e.FeedKey(indicators.ChangeFilter{Country: "AUT", ExcludeAuthor: "seed"}, "https://h.example", "en"), "v9:feed:AUT::seed:en:https://h.example"},
		{"feed of an indicator", e.FeedKey(indicators.ChangeFilter{Indicator: "HWF_0006"}, "https://h.example", "fr"), "v3:feed::HWF_0006::fr:https://h.example"},
		// A view pinned to version 4 has keys of that version, apart from
		// the live keys: a live payload of version 4 computed while a
		// write's notice was in flight may hold newer data.
		{"pinned data", pinned.DataKey(doctors, NewDataQuery(nil, TimeRange{}), "json"), "asofv4:data:HWF_0001::0-0"},
		{"pinned regional", pinned.RegionalKey(nurses, 0), "asofv4:regional:HWF_0006:0"},
		{"pinned summary", pinned.SummaryKey("AUT", "en"), "asofv4:summary:AUT:en"},
		{"pinned experiences", pinned.ExperiencesKey(indicators.ExperienceQuery{Limit: 20, AsOf: 4}), "asofv4:experiences:::::0:20"},
		{"pinned chart", pinned.ChartKey(chart), "asofv4:chart:trend?countries=AUT&indicator=HWF_0001&time=2000.."},
	} {
		if got := tc.key.String(); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
		if got := string(tc.key.AppendTo([]byte("x"))); got != "x"+tc.want {
			t.Errorf("%s: AppendTo gave %q", tc.name, got)
		}
	}
}

// TestDataKeyAppendDoesNotAllocate guards the hottest read, which writes
// its key into a pooled buffer.
func TestDataKeyAppendDoesNotAllocate(t *testing.T) {
	e := testEngine(t)
	ind := e.ref.ByID["HWF_0001"]
	q := NewDataQuery([]string{"AUT"}, TimeRange{2000, 2020})
	buf := make([]byte, 0, 256)
	if n := testing.AllocsPerRun(100, func() { buf = e.DataKey(ind, q, "json").AppendTo(buf[:0]) }); n != 0 {
		t.Fatalf("%v allocations per key", n)
	}
}

// TestAtPins checks that a pinned view reports itself and leaves the live
// engine live.
func TestAtPins(t *testing.T) {
	e := testEngine(t)
	e.MarkChanged(5, []string{"HWF_0001"})
	if e.At(0) != e || e.AsOf() != 0 {
		t.Fatal("At(0) is not the live engine")
	}
	p := e.At(4)
	if p.AsOf() != 4 || p.VersionOf("HWF_0001") != 4 || !p.SummaryKey("AUT", "en").Pinned() {
		t.Fatalf("pinned view: as of %d, version %d", p.AsOf(), p.VersionOf("HWF_0001"))
	}
	if e.VersionOf("HWF_0001") != 5 || e.SummaryKey("AUT", "en").Pinned() {
		t.Fatal("pinning changed the live engine")
	}
}
