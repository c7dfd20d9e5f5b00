package importer

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/store"
)

// TestImportDiffApply diffs a GHO file against a real embedded store,
// applies it as one revision, and checks that a second apply of the same
// file changes nothing.
func TestImportDiffApply(t *testing.T) {
	ctx := context.Background()
	db, err := store.Open(ctx, "", t.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.Append(ctx, []indicators.Observation{
		{Indicator: "HWF_0001", ISO3: "AUT", Year: 2020, Value: 53.44, Source: "older vintage"},
		{Indicator: "HWF_0001", ISO3: "DEU", Year: 2021, Value: 44, Source: "ministry"},
	}, "ministry")
	if err != nil {
		t.Fatal(err)
	}
	res := parseFile(t, FormatGHO, "gho_hwf_0001.json", nil)
	plan, err := Diff(ctx, db, res)
	if err != nil {
		t.Fatal(err)
	}
	if plan.BaseVersion != 1 || plan.Tally(New) != 1 || plan.Tally(Changed) != 1 || plan.Tally(Unchanged) != 1 {
		t.Fatalf("plan: base %d new %d changed %d unchanged %d", plan.BaseVersion, plan.Tally(New), plan.Tally(Changed), plan.Tally(Unchanged))
	}
	var text strings.Builder
	if err := plan.WriteText(&text, -1); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"changed HWF_0001 DEU 2021: 44 → 45.03 (line 3) [was by ministry]", "new     HWF_0001 AUT 2021: 54.32 [break]",
		"1 × not a Member State of the WHO European Region USA", `line 6: NumericValue "n/a": not a number`, "new 1, changed 1, unchanged 1, ignored 3, rejected 5"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("diff text lacks %q:\n%s", want, text.String())
		}
	}

	if _, err := Apply(ctx, db, plan, ApplyOptions{}); !errors.Is(err, ErrRejectedRows) {
		t.Fatalf("apply with rejected rows: err = %v", err)
	}
	if v, _ := db.Version(ctx); v != 1 {
		t.Fatalf("a refused apply moved the version to %d", v)
	}
	rev, err := Apply(ctx, db, plan, ApplyOptions{Author: "admin", SkipRejected: true})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Version != 2 || rev.Rows != 2 || strings.Join(rev.Indicators, ",") != "HWF_0001" || strings.Join(rev.Countries, ",") != "AUT,DEU" {
		t.Errorf("revision = %+v", rev)
	}
	stored, err := db.RevisionAt(ctx, 2)
	if err != nil || stored.SHA256 != res.SHA256 || stored.Vintage != "2024-06-02" || stored.File != "gho_hwf_0001.json" || stored.Mapping != "who_gho" {
		t.Errorf("stored revision = %+v, %v", stored, err)
	}
	hist, err := db.History(ctx, "HWF_0001", "DEU", 2021)
	if err != nil || len(hist) != 2 || hist[1].Value != 45.03 || hist[1].Author != "admin" || hist[1].Version != 2 {
		t.Errorf("DEU 2021 history = %+v, %v", hist, err)
	}
	if hist, _ := db.History(ctx, "HWF_0001", "AUT", 2020); len(hist) != 1 {
		t.Errorf("an unchanged row was appended again: %+v", hist)
	}
	if got, _ := db.Latest(ctx, indicators.Query{Indicators: []string{"HWF_0001"}, Countries: []string{"AUT"}, FromYear: 2021}); len(got) != 1 || !got[0].Break {
		t.Errorf("AUT 2021 = %+v, want a break", got)
	}

	again, err := Diff(ctx, db, parseFile(t, FormatGHO, "gho_hwf_0001.json", nil))
	if err != nil {
		t.Fatal(err)
	}
	if again.Tally(Unchanged) != 3 || len(again.Writes()) != 0 {
		t.Errorf("second diff: unchanged %d, writes %d", again.Tally(Unchanged), len(again.Writes()))
	}
	if _, err := Apply(ctx, db, again, ApplyOptions{SkipRejected: true}); !errors.Is(err, ErrNothingToApply) {
		t.Errorf("second apply: err = %v, want ErrNothingToApply", err)
	}
	if v, _ := db.Version(ctx); v != 2 {
		t.Errorf("second apply moved the version to %d", v)
	}

	// A write between diff and apply: the reviewed diff is stale.
	stale, err := Diff(ctx, db, parseFile(t, FormatWorldBank, "worldbank_sp_pop_totl.json", nil))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Append(ctx, []indicators.Observation{{Indicator: "SP.POP.TOTL", ISO3: "AUT", Year: 2023, Value: 1, Source: "x"}}, "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := Apply(ctx, db, stale, ApplyOptions{SkipRejected: true}); !errors.Is(err, indicators.ErrConflict) {
		t.Errorf("stale apply: err = %v, want ErrConflict", err)
	}
}
