package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/importer"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/store"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

func runImport(t *testing.T, dir string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(append([]string{"import", "-data-dir", dir}, args...), func(string) string { return "" }, &out, &errb)
	return code, out.String(), errb.String()
}

func openImportStore(t *testing.T, dir string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "", dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestImportCommandUsage(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no format", []string{"importer/testdata/gho_hwf_0001.json"}, 2, "usage: hwfdash import"},
		{"unknown format", []string{"-format", "xml", "importer/testdata/gho_hwf_0001.json"}, 2, `format: "xml" is not one of`},
		{"no file", []string{"-format", "gho"}, 2, "usage: hwfdash import"},
		{"unknown mapping", []string{"-format", "gho", "-mapping", "nope.json", "importer/testdata/gho_hwf_0001.json"}, 2, "nope.json"},
		{"missing file", []string{"-format", "gho", "-apply", "nope.json"}, 1, "nope.json"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runImport(t, dir, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tc.code, tc.want)
			}
		})
	}
}

// TestImportCommandDryRun prints the diff and writes nothing.
func TestImportCommandDryRun(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runImport(t, dir, "-format", "sdmx-csv", "importer/testdata/oecd_health_wfmi.csv")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"new 5, changed 0, unchanged 0, ignored 2, rejected 8",
		"new     mig_doctors_foreign_trained_pct DEU 2020: 12.3 [break] (line 4)",
		`line 9: UNIT_MEASURE "PT_NURS": unit mismatch`, "dry run: nothing written"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	if v, err := openImportStore(t, dir).Version(context.Background()); err != nil || v != 0 {
		t.Errorf("a dry run wrote: version %d, %v", v, err)
	}
}

// TestImportCommandRoundTrip applies fixtures into a fresh embedded store,
// reads the figures back through the store, and applies them again to
// find nothing to do.
func TestImportCommandRoundTrip(t *testing.T) {
	ctx := context.Background()
	ds, err := seeddata.Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		format importer.Format
		file   string
	}{
		{importer.FormatJSONStat, "importer/testdata/eurostat_hlth_rs_physreg.json"},
		{importer.FormatGHO, "importer/testdata/gho_hwf_0001.json"},
		{importer.FormatWorldBank, "importer/testdata/worldbank_sp_pop_totl.json"},
	}
	for _, tc := range cases {
		t.Run(string(tc.format), func(t *testing.T) {
			dir := t.TempDir()
			// Rejected rows refuse the apply, and nothing is written.
			if code, _, stderr := runImport(t, dir, "-format", string(tc.format), "-apply", tc.file); code != 1 || !strings.Contains(stderr, "nothing written") {
				t.Fatalf("apply with rejected rows: exit %d, %s", code, stderr)
			}
			if v, _ := openImportStore(t, dir).Version(ctx); v != 0 {
				t.Fatalf("a refused apply wrote: version %d", v)
			}
			code, stdout, stderr := runImport(t, dir, "-format", string(tc.format), "-apply", "-skip-rejected", tc.file)
			if code != 0 {
				t.Fatalf("exit %d: %s\n%s", code, stderr, stdout)
			}
			db := openImportStore(t, dir)
			version, err := db.Version(ctx)
			if err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(tc.file)
			if err != nil {
				t.Fatal(err)
			}
			want, err := importer.Parse(ctx, bytes.NewReader(b), importer.Options{Format: tc.format, Countries: ds.Countries})
			if err != nil {
				t.Fatal(err)
			}
			for _, o := range want.Observations {
				got, err := db.Latest(ctx, indicators.Query{Indicators: []string{o.Indicator}, Countries: []string{o.ISO3}, FromYear: o.Year, ToYear: o.Year})
				if err != nil || len(got) != 1 {
					t.Fatalf("%s %s %d: %v, %v", o.Indicator, o.ISO3, o.Year, got, err)
				}
				if g := got[0]; g.Value != o.Value || g.Break != o.Break || g.Estimate != o.Estimate {
					t.Errorf("%s %s %d stored as %g (break %v, estimate %v), imported %g (%v, %v)",
						o.Indicator, o.ISO3, o.Year, g.Value, g.Break, g.Estimate, o.Value, o.Break, o.Estimate)
				}
			}
			sum := sha256.Sum256(b)
			if strings.Contains(stdout, "applied") {
				rev, err := db.RevisionAt(ctx, version)
				if err != nil || rev.SHA256 != hex.EncodeToString(sum[:]) || rev.File != filepath.Base(tc.file) || rev.Format != string(tc.format) {
					t.Errorf("revision at %d = %+v, %v", version, rev, err)
				}
			}

			code, stdout, stderr = runImport(t, dir, "-format", string(tc.format), "-apply", "-skip-rejected", tc.file)
			if code != 0 || !strings.Contains(stdout, "nothing to apply") {
				t.Errorf("second apply: exit %d, %s\n%s", code, stderr, stdout)
			}
			if v, _ := db.Version(ctx); v != version {
				t.Errorf("second apply moved the version from %d to %d", version, v)
			}
		})
	}
}

// TestImportCommandBadFile: a file that cannot be read writes nothing, not
// even the files given before it.
func TestImportCommandBadFile(t *testing.T) {
	dir := t.TempDir()
	b, err := os.ReadFile("importer/testdata/worldbank_sp_pop_totl.json")
	if err != nil {
		t.Fatal(err)
	}
	cut := filepath.Join(t.TempDir(), "cut.json")
	if err := os.WriteFile(cut, b[:len(b)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runImport(t, dir, "-format", "worldbank", "-apply", "-skip-rejected", "importer/testdata/worldbank_sp_pop_totl.json", cut)
	if code != 1 || !strings.Contains(stderr, "cut short") {
		t.Fatalf("exit %d, %s", code, stderr)
	}
	if v, _ := openImportStore(t, dir).Version(context.Background()); v != 0 {
		t.Errorf("a bad file wrote: version %d", v)
	}
}
