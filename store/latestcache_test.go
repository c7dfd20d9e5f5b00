package store

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// TestLatestCache: Latest answered from the cache is what the database
// answers, after this handle's writes (which move the cache forward),
// another handle's (another instance, which the version check catches),
// experiences and imports, and under concurrent writers and readers.
func TestLatestCache(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		dir := t.TempDir()
		testLatestCache(t, func(t *testing.T) *DB { return openTest(t, "", dir) })
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		dsn := pgSchema(t, pgBase(t))
		testLatestCache(t, func(t *testing.T) *DB { return openTest(t, dsn, "") })
	})
}

// testLatestCache runs on two handles of one database (open gives a new
// handle each call).
func testLatestCache(t *testing.T, open func(t *testing.T) *DB) {
	ctx := context.Background()
	a, b := open(t), open(t)
	queries := []Query{
		{Indicators: []string{"HWF_0001"}},
		{Indicators: []string{"HWF_0001"}, Countries: []string{"DEU", "BEL"}},
		{Indicators: []string{"HWF_0001"}, FromYear: 2020},
		{Indicators: []string{"HWF_0001"}, ToYear: 2019},
		{Indicators: []string{"HWF_0001"}, Countries: []string{"AUT"}, FromYear: 2019, ToYear: 2020},
		{Indicators: []string{"HWF_0006"}},
		{Indicators: []string{"HWF_9999"}},
	}
	// check compares every query through the cache with the database's
	// own answer, and returns how many of them the cache answered.
	check := func(t *testing.T, db *DB, step string) int64 {
		t.Helper()
		hits := db.latest.hits.Load()
		for _, q := range queries {
			got, err := db.Latest(ctx, q)
			if err != nil {
				t.Fatalf("%s: %+v: %v", step, q, err)
			}
			want, err := db.latestQuery(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("%s: %+v:\n got %+v\nwant %+v", step, q, got, want)
			}
			if len(got) > 0 {
				got[0].Value = -1 // the caller's own copy: the cache must not see it
			}
		}
		return db.latest.hits.Load() - hits
	}
	appendRows := func(t *testing.T, db *DB, rows ...indicators.Observation) {
		t.Helper()
		if _, err := db.Append(ctx, rows, "ministry"); err != nil {
			t.Fatal(err)
		}
	}

	appendRows(t, a, obs("HWF_0001", "AUT", 2019, 50, "s"), obs("HWF_0001", "AUT", 2020, 51, "s"),
		obs("HWF_0001", "DEU", 2020, 45, "s"), obs("HWF_0006", "AUT", 2019, 100, "s"))
	check(t, a, "first read")
	if hits := check(t, a, "second read"); hits == 0 {
		t.Fatal("second read: no query answered from the cache")
	}

	// A revision of a key, a new key sorted first, and one key twice in
	// one write (its later row wins).
	appendRows(t, a, obs("HWF_0001", "AUT", 2020, 52, "revised"), obs("HWF_0001", "BEL", 2018, 30, "s"),
		obs("HWF_0001", "DEU", 2020, 46, "first"), obs("HWF_0001", "DEU", 2020, 47, "second"))
	if hits := check(t, a, "after this handle's write"); hits == 0 {
		t.Fatal("after this handle's write: the cache did not move forward with it")
	}

	appendRows(t, b, obs("HWF_0001", "AUT", 2019, 49, "other instance"), obs("HWF_0001", "FRA", 2021, 33, "s"))
	check(t, a, "after another handle's write")
	check(t, b, "the other handle")

	if _, err := a.AddExperience(ctx, indicators.Experience{ISO3: "AUT", Title: "t", Text: "b", Date: "2020-01-01", Topic: "other", Author: "ministry AUT"}); err != nil {
		t.Fatal(err)
	}
	if hits := check(t, a, "after an experience"); hits == 0 {
		t.Fatal("after an experience: the cache was emptied, though no observation changed")
	}

	v, err := a.Version(ctx)
	if err != nil {
		t.Fatal(err)
	}
	rev := indicators.Revision{Author: "import", Source: "WHO GHO OData API", Vintage: "2025-01-10", Format: "gho",
		Mapping: "who_gho", File: "hwf.json", SHA256: strings.Repeat("ab", 32)}
	if _, err := a.AppendRevision(ctx, []indicators.Observation{obs("HWF_0001", "DEU", 2020, 44, "gho"), obs("HWF_0006", "DEU", 2020, 90, "gho")}, rev, v); err != nil {
		t.Fatal(err)
	}
	if hits := check(t, a, "after an import"); hits == 0 {
		t.Fatal("after an import: the cache did not move forward with it")
	}

	// Writers on both handles and readers at once; then both agree with
	// the database.
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			db := []*DB{a, b}[w%2]
			for i := range 10 {
				iso := []string{"AUT", "BEL", "DEU", "FRA", "ITA"}[(w+i)%5]
				if _, err := db.Append(ctx, []indicators.Observation{obs("HWF_0001", iso, 2015+i%4, float64(w*100+i), fmt.Sprint("writer ", w))}, "ministry"); err != nil {
					t.Error(err)
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := a.Latest(ctx, Query{Indicators: []string{"HWF_0001"}, Countries: []string{"DEU"}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	check(t, a, "after concurrent writes")
	check(t, b, "after concurrent writes, the other handle")
}

// TestLatestCacheBounded: asking for ever new indicator ids does not grow
// the cache past its bound.
func TestLatestCacheBounded(t *testing.T) {
	var c latestCache
	for i := range 3 * maxCachedIndicators {
		c.put(fmt.Sprint("X", i), 1, nil)
		if n := len(c.series); n > maxCachedIndicators {
			t.Fatalf("after %d ids the cache holds %d", i+1, n)
		}
	}
	if _, ok := c.get(fmt.Sprint("X", 3*maxCachedIndicators-1), 1); !ok {
		t.Fatal("the latest id is not cached")
	}
}
