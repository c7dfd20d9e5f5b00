package store

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"testing"
	"time"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

func TestAsOf(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testAsOf(t, openTest(t, "", t.TempDir()))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testAsOf(t, openTest(t, pgSchema(t, pgBase(t)), ""))
	})
}

// asOfWrite is one write of the history testAsOf builds: observations
// (seeded when author is "seed"), or an experience shared or hidden.
type asOfWrite struct {
	author string
	obs    []indicators.Observation
	exp    string // "share" or "hide"
}

// testAsOf writes several revisions of one figure, interleaved with other
// writes, and checks that every version answers what was true then, against
// a replay of the writes.
func testAsOf(t *testing.T, db *DB) {
	ctx := context.Background()
	writes := []asOfWrite{
		{author: seeddata.SeedAuthor, obs: []indicators.Observation{
			obs("HWF_0001", "AUT", 2019, 50, "file"), obs("HWF_0001", "AUT", 2020, 51, "file"), obs("HWF_0006", "AUT", 2020, 100, "file")}},
		{author: "ministry AUT", obs: []indicators.Observation{obs("HWF_0001", "AUT", 2020, 52, "ministry"), obs("HWF_0001", "DEU", 2020, 40, "ministry")}},
		{exp: "share"},
		{author: "ministry AUT", obs: []indicators.Observation{obs("HWF_0001", "AUT", 2020, 53, "ministry"), obs("HWF_0001", "AUT", 2021, 54, "ministry")}},
		{exp: "hide"},
		{author: "importer", obs: []indicators.Observation{obs("HWF_0006", "AUT", 2020, 101, "import"), obs("HWF_0001", "AUT", 2020, 52.5, "import")}},
	}
	var expID int64
	for i, w := range writes {
		want := int64(i + 1)
		var v int64
		var err error
		switch {
		case w.author == seeddata.SeedAuthor:
			var rep SeedReport
			rep, err = db.Seed(ctx, &seeddata.Dataset{Hash: "h", Observations: w.obs})
			v = rep.Version
		case w.exp == "share":
			var e indicators.Experience
			e, err = db.AddExperience(ctx, indicators.Experience{ISO3: "AUT", Title: "t", Text: "b", Date: "2020-01-01", Topic: "other", Author: "ministry AUT"})
			v, expID = e.Version, e.ID
		case w.exp == "hide":
			var e indicators.Experience
			e, err = db.SetExperienceHidden(ctx, expID, true, "admin", "test")
			v = e.Version
		default:
			v, err = db.Append(ctx, w.obs, w.author)
		}
		if err != nil || v != want {
			t.Fatalf("write %d: version %d, %v", i, v, err)
		}
	}
	all, err := db.ChangesSince(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}

	for v := int64(1); v <= int64(len(writes)); v++ {
		t.Run(fmt.Sprintf("version %d", v), func(t *testing.T) {
			// The replay: the last revision of each key by version v.
			latest := map[indicators.Key]indicators.Observation{}
			var history []float64
			lastUpdated := map[string]time.Time{}
			for _, o := range all {
				if o.Version > v {
					continue
				}
				latest[o.Key()] = o
				lastUpdated[o.Indicator] = o.RecordedAt
				if o.Key() == (indicators.Key{Indicator: "HWF_0001", ISO3: "AUT", Year: 2020}) {
					history = append(history, o.Value)
				}
			}
			got, err := db.Latest(ctx, Query{AsOf: v})
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(latest) {
				t.Errorf("latest: %d rows, want %d", len(got), len(latest))
			}
			for _, o := range got {
				if w := latest[o.Key()]; o != w {
					t.Errorf("latest %v = %+v, want %+v", o.Key(), o, w)
				}
			}
			one, err := db.Latest(ctx, Query{AsOf: v, Indicators: []string{"HWF_0001"}, Countries: []string{"AUT"}, FromYear: 2020, ToYear: 2020})
			if wantV := latest[indicators.Key{Indicator: "HWF_0001", ISO3: "AUT", Year: 2020}].Value; err != nil || len(one) != 1 || one[0].Value != wantV {
				t.Errorf("AUT 2020 = %+v, %v; want %v", one, err, wantV)
			}

			counts, err := db.YearCountsAsOf(ctx, "HWF_0001", v)
			wantCounts := map[int]int{}
			for k := range latest {
				if k.Indicator == "HWF_0001" {
					wantCounts[k.Year]++
				}
			}
			if err != nil || !maps.Equal(counts, wantCounts) {
				t.Errorf("year counts = %v, %v; want %v", counts, err, wantCounts)
			}

			hist, err := db.HistoryAsOf(ctx, "HWF_0001", "AUT", 2020, v)
			var gotHist []float64
			for _, o := range hist {
				gotHist = append(gotHist, o.Value)
			}
			if err != nil || fmt.Sprint(gotHist) != fmt.Sprint(history) {
				t.Errorf("history = %v, %v; want %v", gotHist, err, history)
			}

			lu, err := db.LastUpdated(ctx, v)
			if err != nil || !maps.EqualFunc(lu, lastUpdated, time.Time.Equal) {
				t.Errorf("last updated = %v, %v; want %v", lu, err, lastUpdated)
			}

			// The experience: shared at 3, hidden at 5.
			for _, include := range []bool{false, true} {
				list, err := db.ListExperiences(ctx, indicators.ExperienceQuery{AsOf: v, IncludeHidden: include})
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				switch {
				case v >= 5 && include:
					want = []string{"hidden@5"}
				case v >= 3 && v < 5:
					want = []string{"visible@3"}
				}
				var gotList []string
				for _, e := range list {
					gotList = append(gotList, fmt.Sprintf("%s@%d", map[bool]string{true: "hidden", false: "visible"}[e.Hidden], e.Version))
				}
				if fmt.Sprint(gotList) != fmt.Sprint(want) {
					t.Errorf("experiences (include hidden %v) = %v, want %v", include, gotList, want)
				}
			}
			e, events, err := db.ExperienceAsOf(ctx, expID, v)
			switch {
			case v < 3:
				if !errors.Is(err, ErrNotFound) {
					t.Errorf("experience before it was shared: %+v, %v", e, err)
				}
			case err != nil:
				t.Error(err)
			default:
				wantEvents, wantHidden := 1, false
				if v >= 5 {
					wantEvents, wantHidden = 2, true
				}
				if len(events) != wantEvents || e.Hidden != wantHidden || events[len(events)-1].Version != e.Version {
					t.Errorf("experience = %+v with %d events %+v; want %d events, hidden %v", e, len(events), events, wantEvents, wantHidden)
				}
			}
		})
	}

	t.Run("live", func(t *testing.T) {
		live, err := db.Latest(ctx, Query{})
		pinned, err2 := db.Latest(ctx, Query{AsOf: int64(len(writes))})
		if err != nil || err2 != nil || fmt.Sprint(live) != fmt.Sprint(pinned) {
			t.Errorf("live %v (%v) differs from the current version %v (%v)", live, err, pinned, err2)
		}
	})

	t.Run("bad versions", func(t *testing.T) {
		for _, asOf := range []int64{int64(len(writes)) + 1, 1 << 40, -1} {
			calls := map[string]error{}
			_, calls["latest"] = db.Latest(ctx, Query{AsOf: asOf})
			_, calls["year counts"] = db.YearCountsAsOf(ctx, "HWF_0001", asOf)
			_, calls["history"] = db.HistoryAsOf(ctx, "HWF_0001", "AUT", 2020, asOf)
			_, calls["last updated"] = db.LastUpdated(ctx, asOf)
			_, calls["experiences"] = db.ListExperiences(ctx, indicators.ExperienceQuery{AsOf: asOf})
			_, _, calls["experience"] = db.ExperienceAsOf(ctx, 1, asOf)
			for name, err := range calls {
				var fe indicators.FieldError
				if !errors.As(err, &fe) || fe.Field != "as_of" {
					t.Errorf("%s as of %d: err = %v, want a field error on as_of", name, asOf, err)
				}
			}
		}
	})
}
