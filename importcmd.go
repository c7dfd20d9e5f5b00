package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/hwfdash/hwfdash/importer"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/store"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

// importUsage is the import command's synopsis.
const importUsage = "usage: hwfdash import -format gho|worldbank|sdmx-csv|jsonstat [-mapping NAME|FILE] [-apply [-skip-rejected]] [-vintage DATE] FILE…"

// importDetailRows is how many new and changed rows a diff lists by default.
const importDetailRows = 50

// importCmd reads publishers' files, prints each one's diff against the
// store that DATA_DIR / DATABASE_URL name, and with -apply writes each file
// as one revision. Every file is read and checked before anything is
// written, so a bad file changes nothing.
func importCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "", "the files' format: gho, worldbank, sdmx-csv or jsonstat")
	mapping := fs.String("mapping", "", "an embedded mapping's name or a mapping file; default: the one for the format and dataset")
	apply := fs.Bool("apply", false, "write each file as one revision (default: a dry run that prints the diff)")
	skipRejected := fs.Bool("skip-rejected", false, "with -apply, write a file's accepted rows even though some rows are rejected")
	vintage := fs.String("vintage", "", "the publisher's release date, where the file gives none (default: the file's date, else today as the access date)")
	author := fs.String("author", "import", "who the revisions are recorded as")
	detail := fs.Int("detail", importDetailRows, "new and changed rows listed per file; -1 lists all")
	cfg, err := parseConfig(fs, args, getenv)
	if err != nil {
		return 2
	}
	f, err := importer.ParseFormat(*format)
	if err != nil || fs.NArg() == 0 {
		if err != nil {
			fmt.Fprintln(stderr, "hwfdash import: -"+err.Error())
		}
		fmt.Fprintln(stderr, importUsage)
		return 2
	}
	var m *importer.Mapping
	if *mapping != "" {
		if m, err = importer.LoadMapping(*mapping, os.ReadFile); err != nil {
			fmt.Fprintln(stderr, "hwfdash import:", err)
			return 2
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ds, err := seeddata.Load()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	// Read and check every file before opening the store.
	results := make([]*importer.Result, 0, fs.NArg())
	for _, path := range fs.Args() {
		res, err := parseImportFile(ctx, path, importer.Options{Format: f, Mapping: m, Countries: ds.Countries,
			File: filepath.Base(path), Vintage: *vintage})
		if err != nil {
			fmt.Fprintf(stderr, "hwfdash import: %s: %v\n", path, err)
			return 1
		}
		results = append(results, res)
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, newLogger("warn", stderr))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer db.Close()
	if *apply {
		if bad := rejectedFiles(results); bad != "" && !*skipRejected {
			for _, res := range results {
				writePlanOrResult(ctx, db, res, stdout, *detail)
			}
			fmt.Fprintf(stderr, "hwfdash import: rows rejected in %s: nothing written (fix the file or mapping, or add -skip-rejected)\n", bad)
			return 1
		}
		// The server seeds the shipped data at start; an import into a
		// fresh store comes after it, as it would on a running one.
		if _, err := db.Seed(ctx, ds); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
	} else if v, err := db.Version(ctx); err == nil && v == 0 {
		fmt.Fprintln(stdout, "note: the store is empty; the server seeds the shipped data when it starts, so rows it ships show as new here")
	}
	// This process has no bus: running servers find each revision by
	// polling the store's version (catchUp), and push one update per
	// affected topic, every subscribed topic after a write of more than
	// catchUpLimit rows.
	_, code := importResults(ctx, db, results, *apply, importer.ApplyOptions{Author: *author, SkipRejected: *skipRejected}, *detail, stdout, stderr)
	return code
}

func parseImportFile(ctx context.Context, path string, opt importer.Options) (*importer.Result, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	return importer.Parse(ctx, file, opt)
}

func rejectedFiles(results []*importer.Result) string {
	var names []string
	for _, r := range results {
		if len(r.Rejected) > 0 {
			names = append(names, r.File)
		}
	}
	return strings.Join(names, ", ")
}

// importStore is what the import command needs of the store.
type importStore interface {
	importer.Reader
	importer.Writer
}

func writePlanOrResult(ctx context.Context, db importStore, res *importer.Result, w io.Writer, detail int) {
	if plan, err := importer.Diff(ctx, db, res); err == nil {
		plan.WriteText(w, detail)
		fmt.Fprintln(w)
	}
}

// importResults diffs each file against the store, and with apply writes
// it; the diff is taken again just before each write, so files that touch
// the same figures apply one after the other. It returns the revisions
// written and the exit code.
func importResults(ctx context.Context, db importStore, results []*importer.Result, apply bool, opt importer.ApplyOptions, detail int, stdout, stderr io.Writer) ([]indicators.Revision, int) {
	var revs []indicators.Revision
	writes := 0
	for _, res := range results {
		plan, err := importer.Diff(ctx, db, res)
		if err != nil {
			fmt.Fprintln(stderr, "hwfdash import:", err)
			return revs, 1
		}
		if err := plan.WriteText(stdout, detail); err != nil {
			return revs, 1
		}
		writes += len(plan.Writes())
		if !apply {
			fmt.Fprintln(stdout)
			continue
		}
		rev, err := importer.Apply(ctx, db, plan, opt)
		switch {
		case errors.Is(err, importer.ErrNothingToApply):
			fmt.Fprintf(stdout, "nothing to apply: every row of %s is already stored\n\n", res.File)
			continue
		case err != nil:
			fmt.Fprintf(stderr, "hwfdash import: %s: %v\n", res.File, err)
			return revs, 1
		}
		revs = append(revs, rev)
		fmt.Fprintf(stdout, "applied %s: version %d, %d rows; indicators %s; countries %s\n\n",
			res.File, rev.Version, rev.Rows, strings.Join(rev.Indicators, ","), strings.Join(rev.Countries, ","))
	}
	if !apply {
		fmt.Fprintf(stdout, "dry run: nothing written; -apply writes %d new or changed rows, one revision per file\n", writes)
	}
	return revs, 0
}
