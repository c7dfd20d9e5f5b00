package store

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

func TestImportRevisionSQLite(t *testing.T) {
	t.Parallel()
	testImportRevision(t, func(t *testing.T) *DB { return openTest(t, "", t.TempDir()) })
}

func TestImportRevisionPostgres(t *testing.T) {
	t.Parallel()
	base := pgBase(t)
	testImportRevision(t, func(t *testing.T) *DB { return openTest(t, pgSchema(t, base), "") })
}

func testImportRevision(t *testing.T, open func(t *testing.T) *DB) {
	ctx := context.Background()
	sha := strings.Repeat("ab", 32)
	meta := indicators.Revision{Author: "import", Source: "WHO GHO OData API", Vintage: "2025-01-10", Format: "gho",
		Mapping: "who_gho", File: "hwf.json", SHA256: sha}

	t.Run("one version with provenance and flags", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		if _, err := db.Append(ctx, []indicators.Observation{obs("HWF_0001", "AUT", 2019, 50, "ministry")}, "ministry AUT"); err != nil {
			t.Fatal(err)
		}
		b := obs("HWF_0001", "DEU", 2020, 45.2, "gho")
		b.Break = true
		e := obs("HWF_0006", "AUT", 2020, 100.5, "gho")
		e.Estimate, e.Note = true, "publisher flag p"
		rev, err := db.AppendRevision(ctx, []indicators.Observation{b, e, obs("HWF_0001", "AUT", 2019, 51, "gho")}, meta, 1)
		if err != nil {
			t.Fatal(err)
		}
		if rev.Version != 2 || rev.Rows != 3 || !slices.Equal(rev.Indicators, []string{"HWF_0001", "HWF_0006"}) ||
			!slices.Equal(rev.Countries, []string{"AUT", "DEU"}) || rev.RecordedAt.IsZero() {
			t.Errorf("revision = %+v", rev)
		}
		got, err := db.RevisionAt(ctx, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got.SHA256 != sha || got.Source != meta.Source || got.Vintage != meta.Vintage || got.File != "hwf.json" ||
			got.Mapping != "who_gho" || got.Format != "gho" || !slices.Equal(got.Countries, rev.Countries) ||
			!got.RecordedAt.Equal(rev.RecordedAt) {
			t.Errorf("stored revision = %+v, want %+v", got, rev)
		}
		if _, err := db.RevisionAt(ctx, 1); !errors.Is(err, ErrNotFound) {
			t.Errorf("revision at a submission's version: err = %v, want ErrNotFound", err)
		}
		hist, err := db.History(ctx, "HWF_0001", "AUT", 2019)
		if err != nil || len(hist) != 2 || hist[1].Version != 2 || hist[1].Author != "import" || hist[1].Value != 51 {
			t.Errorf("history = %+v, %v", hist, err)
		}
		latest, err := db.Latest(ctx, Query{Indicators: []string{"HWF_0001", "HWF_0006"}, FromYear: 2020})
		if err != nil || len(latest) != 2 {
			t.Fatalf("latest = %+v, %v", latest, err)
		}
		if !latest[0].Break || latest[0].Estimate || latest[1].Break || !latest[1].Estimate || latest[1].Note != "publisher flag p" {
			t.Errorf("flags not kept: %+v", latest)
		}
		changes, err := db.ChangesSince(ctx, 1, 0)
		if err != nil || len(changes) != 3 {
			t.Errorf("changes since 1 = %d, %v", len(changes), err)
		}
		list, err := db.Revisions(ctx, 0)
		if err != nil || len(list) != 1 || list[0].Version != 2 {
			t.Errorf("revisions = %+v, %v", list, err)
		}
	})

	t.Run("stale base version writes nothing", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		if _, err := db.Append(ctx, []indicators.Observation{obs("HWF_0001", "AUT", 2019, 50, "ministry")}, "ministry AUT"); err != nil {
			t.Fatal(err)
		}
		_, err := db.AppendRevision(ctx, []indicators.Observation{obs("HWF_0001", "AUT", 2019, 51, "gho")}, meta, 0)
		if !errors.Is(err, ErrConflict) {
			t.Fatalf("err = %v, want ErrConflict", err)
		}
		if v, _ := db.Version(ctx); v != 1 {
			t.Errorf("version = %d after a refused import, want 1", v)
		}
		if revs, _ := db.Revisions(ctx, 0); len(revs) != 0 {
			t.Errorf("revisions after a refused import: %+v", revs)
		}
	})

	t.Run("bad rows write nothing", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		cases := []struct {
			name string
			obs  []indicators.Observation
			rev  indicators.Revision
		}{
			{"no rows", nil, meta},
			{"bad sha", []indicators.Observation{obs("HWF_0001", "AUT", 2019, 1, "x")}, indicators.Revision{Author: "import", Source: "s", SHA256: "abc"}},
			{"no source", []indicators.Observation{obs("HWF_0001", "AUT", 2019, 1, "x")}, indicators.Revision{Author: "import", SHA256: sha}},
			{"NaN", []indicators.Observation{obs("HWF_0001", "AUT", 2019, 1, "x"), obs("HWF_0001", "AUT", 2020, math.NaN(), "x")}, meta},
			// The second row breaks a CHECK constraint inside the transaction.
			{"bad iso3", []indicators.Observation{obs("HWF_0001", "AUT", 2019, 1, "x"), obs("HWF_0001", "AUTT", 2020, 2, "x")}, meta},
		}
		for _, tc := range cases {
			if _, err := db.AppendRevision(ctx, tc.obs, tc.rev, -1); err == nil {
				t.Errorf("%s: no error", tc.name)
			}
		}
		if v, _ := db.Version(ctx); v != 0 {
			t.Errorf("version = %d, want 0", v)
		}
		if all, _ := db.Latest(ctx, Query{}); len(all) != 0 {
			t.Errorf("rows written: %+v", all)
		}
	})
}
