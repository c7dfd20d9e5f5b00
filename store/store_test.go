package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"log/slog"
	"maps"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

func TestSQLite(t *testing.T) {
	t.Parallel()
	testStore(t, func(t *testing.T) *DB {
		return openTest(t, "", t.TempDir())
	})
}

func TestPostgres(t *testing.T) {
	t.Parallel()
	base := pgBase(t)
	testStore(t, func(t *testing.T) *DB {
		return openTest(t, pgSchema(t, base), "")
	})
}

func TestConcurrentOpen(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testConcurrentOpen(t, "", t.TempDir())
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testConcurrentOpen(t, pgSchema(t, pgBase(t)), "")
	})
}

func TestUnavailable(t *testing.T) {
	t.Parallel()
	// Nothing listens on port 1: the error must say "unavailable" (503).
	_, err := Open(context.Background(), "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2", "", nil)
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err = %v, want ErrUnavailable", err)
	}
	if _, err := Open(context.Background(), "mysql://x", "", nil); err == nil || errors.Is(err, ErrUnavailable) {
		t.Fatalf("unsupported DSN: err = %v", err)
	}
}

func openTest(t *testing.T, dsn, dir string) *DB {
	t.Helper()
	db, err := Open(context.Background(), dsn, dir, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// pgBase returns the DSN of the test PostgreSQL server, skipping the test
// when it is unreachable outside CI.
func pgBase(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv("HWFDASH_TEST_PG")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("postgres unreachable in CI: %v", err)
		}
		t.Skipf("postgres unreachable: %v", err)
	}
	return dsn
}

// pgSchema creates a schema of the test's own, dropped when it ends, and
// returns a DSN whose search_path is that schema.
func pgSchema(t *testing.T, base string) string {
	t.Helper()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "hwf_test_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema: %v", err)
		}
		admin.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

func testConcurrentOpen(t *testing.T, dsn, dir string) {
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			db, err := Open(context.Background(), dsn, dir, nil)
			if err == nil {
				err = db.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	db := openTest(t, dsn, dir)
	if db.Kind() == KindSQLite {
		var mode string
		if err := db.sql.QueryRow(`PRAGMA journal_mode`).Scan(&mode); err != nil || mode != "wal" {
			t.Errorf("journal mode = %q, %v", mode, err)
		}
	}
	var n int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(migrations()) {
		t.Errorf("schema_migrations rows = %d (%v), want %d", n, err, len(migrations()))
	}
}

func obs(indicator, iso3 string, year int, value float64, source string) indicators.Observation {
	return indicators.Observation{Indicator: indicator, ISO3: iso3, Year: year, Value: value, Source: source}
}

// testStore is the suite every dialect passes; open returns a fresh, empty
// store for each subtest.
func testStore(t *testing.T, open func(t *testing.T) *DB) {
	ctx := context.Background()

	t.Run("append and latest", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		if v, err := db.Version(ctx); err != nil || v != 0 {
			t.Fatalf("initial version = %d, %v", v, err)
		}
		before := time.Now().Add(-time.Second)
		v1, err := db.Append(ctx, []indicators.Observation{
			obs("HWF_0001", "DEU", 2020, 45.2, "src A"),
			obs("HWF_0001", "AUT", 2020, 54.1, "src A"),
			obs("HWF_0006", "AUT", 2019, 100.5, "src B"),
			obs("HWF_0001", "AUT", 2019, 53.0, "src A"),
		}, "ministry AUT")
		if err != nil || v1 != 1 {
			t.Fatalf("append = %d, %v", v1, err)
		}
		v2, err := db.Append(ctx, []indicators.Observation{obs("HWF_0001", "DEU", 2021, 46, "src A")}, "ministry DEU")
		if err != nil || v2 != 2 {
			t.Fatalf("second append = %d, %v", v2, err)
		}
		if v, _ := db.Version(ctx); v != 2 {
			t.Errorf("version = %d, want 2", v)
		}
		all, err := db.Latest(ctx, Query{})
		if err != nil {
			t.Fatal(err)
		}
		var keys []string
		for _, o := range all {
			keys = append(keys, o.Indicator+"/"+o.ISO3+"/"+strconv.Itoa(o.Year))
		}
		if got, want := strings.Join(keys, " "), "HWF_0001/AUT/2019 HWF_0001/AUT/2020 HWF_0001/DEU/2020 HWF_0001/DEU/2021 HWF_0006/AUT/2019"; got != want {
			t.Errorf("latest order = %s, want %s", got, want)
		}
		o := all[1]
		if o.Value != 54.1 || o.Source != "src A" || o.Author != "ministry AUT" || o.Version != 1 || o.Revision == 0 {
			t.Errorf("AUT 2020 = %+v", o)
		}
		if o.RecordedAt.Location() != time.UTC || o.RecordedAt.Before(before) || o.RecordedAt.After(time.Now().Add(time.Second)) {
			t.Errorf("recorded_at = %v", o.RecordedAt)
		}

		tests := []struct {
			name string
			q    Query
			want int
		}{
			{"indicator", Query{Indicators: []string{"HWF_0006"}}, 1},
			{"countries", Query{Countries: []string{"DEU"}}, 2},
			{"two countries", Query{Countries: []string{"DEU", "AUT"}}, 5},
			{"from", Query{FromYear: 2020}, 3},
			{"to", Query{ToYear: 2019}, 2},
			{"all filters", Query{Indicators: []string{"HWF_0001"}, Countries: []string{"AUT"}, FromYear: 2020, ToYear: 2020}, 1},
			{"none", Query{Countries: []string{"FRA"}}, 0},
		}
		for _, tt := range tests {
			got, err := db.Latest(ctx, tt.q)
			if err != nil || len(got) != tt.want {
				t.Errorf("%s: %d rows, %v; want %d", tt.name, len(got), err, tt.want)
			}
		}
		if _, err := db.Append(ctx, nil, "x"); err == nil {
			t.Error("empty append succeeded")
		}
	})

	t.Run("correction keeps history", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		for i, v := range []float64{10, 11.5, 12.25} {
			if _, err := db.Append(ctx, []indicators.Observation{obs("HWF_0001", "FRA", 2018, v, "src")}, "author"+strconv.Itoa(i)); err != nil {
				t.Fatal(err)
			}
		}
		latest, err := db.Latest(ctx, Query{Countries: []string{"FRA"}})
		if err != nil || len(latest) != 1 || latest[0].Value != 12.25 || latest[0].Version != 3 {
			t.Fatalf("latest = %+v, %v", latest, err)
		}
		hist, err := db.History(ctx, "HWF_0001", "FRA", 2018)
		if err != nil || len(hist) != 3 {
			t.Fatalf("history = %+v, %v", hist, err)
		}
		for i, want := range []float64{10, 11.5, 12.25} {
			if hist[i].Value != want || hist[i].Version != int64(i+1) || hist[i].Author != "author"+strconv.Itoa(i) {
				t.Errorf("history[%d] = %+v", i, hist[i])
			}
			if i > 0 && hist[i].Revision <= hist[i-1].Revision {
				t.Errorf("revisions not ascending: %d after %d", hist[i].Revision, hist[i-1].Revision)
			}
		}
		if hist, err := db.History(ctx, "HWF_0001", "FRA", 2017); err != nil || len(hist) != 0 {
			t.Errorf("empty history = %v, %v", hist, err)
		}
	})

	t.Run("all or nothing", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		if _, err := db.Append(ctx, []indicators.Observation{obs("HWF_0001", "ITA", 2000, 1, "s")}, "a"); err != nil {
			t.Fatal(err)
		}
		// 1200 rows span three INSERT batches; the bad row (iso3 "" fails a
		// CHECK) is in the last, after two batches went in.
		var batch []indicators.Observation
		for y := 1; y <= 1200; y++ {
			batch = append(batch, obs("HWF_0002", "ITA", y, float64(y), "s"))
		}
		batch[1100].ISO3 = ""
		if _, err := db.Append(ctx, batch, "a"); err == nil {
			t.Fatal("append with a bad row succeeded")
		}
		if v, _ := db.Version(ctx); v != 1 {
			t.Errorf("version = %d after failed append, want 1", v)
		}
		if all, _ := db.Latest(ctx, Query{}); len(all) != 1 {
			t.Errorf("%d rows after failed append, want 1", len(all))
		}
	})

	t.Run("changes since", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		for i := range 5 {
			if _, err := db.Append(ctx, []indicators.Observation{
				obs("HWF_0001", "ESP", 2000+i, float64(i), "s"),
				obs("HWF_0006", "ESP", 2000+i, float64(i), "s"),
			}, "a"); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.ChangesSince(ctx, 2, 0)
		if err != nil || len(got) != 6 {
			t.Fatalf("changes since 2 = %d rows, %v", len(got), err)
		}
		for i, o := range got {
			if o.Version != int64(3+i/2) {
				t.Errorf("change %d version = %d", i, o.Version)
			}
		}
		if got, _ := db.ChangesSince(ctx, 0, 3); len(got) != 3 || got[0].Version != 1 || got[2].Version != 2 {
			t.Errorf("limited changes = %+v", got)
		}
		if got, _ := db.ChangesSince(ctx, 5, 10); len(got) != 0 {
			t.Errorf("changes since current = %d rows", len(got))
		}
	})

	t.Run("seed", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		ds := &seeddata.Dataset{Hash: "h1", Observations: []indicators.Observation{
			obs("HWF_0001", "NLD", 2010, 30, "file v1"),
			obs("HWF_0001", "NLD", 2011, 31, "file v1"),
			obs("HWF_0001", "NLD", 2012, 32, "file v1"),
		}}
		rep, err := db.Seed(ctx, ds)
		if err != nil || rep.Inserted != 3 || rep.Version != 1 {
			t.Fatalf("first seed = %+v, %v", rep, err)
		}
		rep, err = db.Seed(ctx, ds)
		if err != nil || !rep.Unchanged || rep.Inserted != 0 || rep.Version != 1 {
			t.Fatalf("second seed = %+v, %v", rep, err)
		}
		// A user corrects 2011; then the shipped file changes 2011 and 2012.
		if _, err := db.Append(ctx, []indicators.Observation{obs("HWF_0001", "NLD", 2011, 35, "ministry")}, "ministry NLD"); err != nil {
			t.Fatal(err)
		}
		ds2 := &seeddata.Dataset{Hash: "h2", Observations: []indicators.Observation{
			obs("HWF_0001", "NLD", 2010, 30, "file v1"),
			obs("HWF_0001", "NLD", 2011, 31.5, "file v2"),
			obs("HWF_0001", "NLD", 2012, 32.5, "file v2"),
			obs("HWF_0001", "NLD", 2013, 33, "file v2"),
		}}
		rep, err = db.Seed(ctx, ds2)
		want := SeedReport{Inserted: 2, Skipped: 2, Overridden: 1, Version: 3}
		if err != nil || rep != want {
			t.Fatalf("re-seed = %+v, %v; want %+v", rep, err, want)
		}
		latest, err := db.Latest(ctx, Query{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int]indicators.Observation{}
		for _, o := range latest {
			got[o.Year] = o
		}
		for year, w := range map[int]struct {
			value   float64
			author  string
			version int64
		}{2010: {30, "seed", 1}, 2011: {35, "ministry NLD", 2}, 2012: {32.5, "seed", 3}, 2013: {33, "seed", 3}} {
			if o := got[year]; o.Value != w.value || o.Author != w.author || o.Version != w.version {
				t.Errorf("%d = %+v, want %+v", year, o, w)
			}
		}
		if hist, _ := db.History(ctx, "HWF_0001", "NLD", 2012); len(hist) != 2 || hist[0].Value != 32 {
			t.Errorf("2012 history = %+v", hist)
		}
		// A changed hash with the same data compares, inserts nothing and
		// leaves the version alone.
		ds2.Hash = "h3"
		rep, err = db.Seed(ctx, ds2)
		if err != nil || rep.Inserted != 0 || rep.Unchanged || rep.Version != 3 {
			t.Errorf("same data, new hash = %+v, %v", rep, err)
		}
		if v, _ := db.Version(ctx); v != 3 {
			t.Errorf("version = %d, want 3", v)
		}
	})

	t.Run("full seed", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		ds, err := seeddata.Load()
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		rep, err := db.Seed(ctx, ds)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: first seed of %d rows took %v", db.Kind(), len(ds.Observations), time.Since(start))
		if rep.Inserted != len(ds.Observations) || rep.Version != 1 {
			t.Errorf("first seed = %+v, want %d inserted", rep, len(ds.Observations))
		}
		var n int
		if err := db.sql.QueryRow(`SELECT COUNT(*) FROM observations`).Scan(&n); err != nil || n != len(ds.Observations) {
			t.Errorf("stored rows = %d, %v", n, err)
		}
		latest, err := db.Latest(ctx, Query{})
		if err != nil || len(latest) != len(ds.Observations) {
			t.Fatalf("latest = %d rows, %v", len(latest), err)
		}
		aut, err := db.Latest(ctx, Query{Indicators: []string{"HWF_0001"}, Countries: []string{"AUT", "ALB"}, FromYear: 1990, ToYear: 1997})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range aut {
			if o.ISO3 == "ALB" && o.Year == 1990 && o.Value != 13.78 {
				t.Errorf("ALB 1990 = %v", o.Value)
			}
			if o.ISO3 == "AUT" && o.Break != (o.Year >= 1995) {
				t.Errorf("AUT %d break = %v", o.Year, o.Break)
			}
		}
		// YearCounts agrees with counting the latest rows, for every
		// indicator, also after a correction (a second revision of a
		// country-year counts once) and a new country-year.
		if _, err := db.Append(ctx, []indicators.Observation{
			{Indicator: "HWF_0001", ISO3: "AUT", Year: 2020, Value: 1, Source: "correction"},
			{Indicator: "HWF_0001", ISO3: "AUT", Year: 2031, Value: 1, Source: "new year"},
		}, "test"); err != nil {
			t.Fatal(err)
		}
		latest, err = db.Latest(ctx, Query{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]map[int]int{}
		for _, o := range latest {
			if want[o.Indicator] == nil {
				want[o.Indicator] = map[int]int{}
			}
			want[o.Indicator][o.Year]++
		}
		for ind, w := range want {
			got, err := db.YearCounts(ctx, ind)
			if err != nil || !maps.Equal(got, w) {
				t.Fatalf("YearCounts(%s) = %v, %v; want %v", ind, got, err, w)
			}
		}
		if got, err := db.YearCounts(ctx, "no-such-indicator"); err != nil || len(got) != 0 {
			t.Errorf("YearCounts of an unknown indicator = %v, %v", got, err)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		if list, err := db.ListTokens(ctx); err != nil || len(list) != 0 {
			t.Fatalf("empty list = %v, %v", list, err)
		}
		ministry, secret, err := db.CreateToken(ctx, "Ministry of Health, Austria", []string{"AUT"}, false)
		if err != nil {
			t.Fatal(err)
		}
		admin, adminSecret, err := db.CreateToken(ctx, "admin", nil, true)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "hwf_") || len(secret) != 4+43 || len(ministry.ID) != 16 || secret == adminSecret {
			t.Errorf("secret %q, id %q", secret, ministry.ID)
		}
		got, err := db.Authenticate(ctx, secret)
		if err != nil || got.ID != ministry.ID || got.Label != ministry.Label || got.Admin ||
			strings.Join(got.Countries, ",") != "AUT" || !got.CreatedAt.Equal(ministry.CreatedAt) || got.RevokedAt != nil {
			t.Errorf("authenticate = %+v, %v; created %+v", got, err, ministry)
		}
		if got, err := db.Authenticate(ctx, adminSecret); err != nil || !got.Admin || len(got.Countries) != 0 {
			t.Errorf("admin = %+v, %v", got, err)
		}
		if _, err := db.Authenticate(ctx, secret+"x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("wrong secret: %v", err)
		}

		// Only the hash is stored.
		rows, err := db.sql.Query(`SELECT id, label, countries, hash FROM tokens`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var id, label, countries, hash string
			if err := rows.Scan(&id, &label, &countries, &hash); err != nil {
				t.Fatal(err)
			}
			for _, col := range []string{id, label, countries, hash} {
				if strings.Contains(col, secret[4:]) || strings.Contains(col, adminSecret[4:]) {
					t.Errorf("a secret is stored in token %s", id)
				}
			}
			if id == ministry.ID && hash != hashSecret(secret) {
				t.Errorf("stored hash %q", hash)
			}
		}
		rows.Close()

		if err := db.RevokeToken(ctx, ministry.ID); err != nil {
			t.Fatal(err)
		}
		got, err = db.Authenticate(ctx, secret)
		if !errors.Is(err, ErrRevoked) || got.ID != ministry.ID || got.RevokedAt == nil {
			t.Errorf("revoked: %+v, %v", got, err)
		}
		if err := db.RevokeToken(ctx, "nosuchid"); !errors.Is(err, ErrNotFound) {
			t.Errorf("revoke unknown: %v", err)
		}
		list, err := db.ListTokens(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("list = %+v, %v", list, err)
		}
		for _, tok := range list {
			if (tok.ID == ministry.ID) != (tok.RevokedAt != nil) || (tok.ID == admin.ID) != tok.Admin {
				t.Errorf("listed %+v", tok)
			}
		}
		if v, _ := db.Version(ctx); v != 0 {
			t.Errorf("token writes changed the data version to %d", v)
		}
	})

	t.Run("experiences", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		hostile := "<script>window.__pwned=1</script><img src=x onerror=\"window.__pwned=2\">\n  ünïcödé — \"quoted\" 'single' & \\"
		add := func(iso3, topic string, inds, ms []string) indicators.Experience {
			t.Helper()
			e, err := db.AddExperience(ctx, indicators.Experience{ISO3: iso3, Title: "Title " + iso3 + " " + topic, Text: hostile,
				Date: "2024-03-01", Topic: topic, Indicators: inds, Milestones: ms, Link: "https://example.org/a?b=c",
				Author: "Ministry of Health, " + iso3, TokenID: "tok" + iso3})
			if err != nil {
				t.Fatal(err)
			}
			return e
		}
		a := add("AUT", "retention", []string{"HWF_0001", "HWF_0006"}, nil)
		b := add("DEU", "bilateral_agreements", nil, []string{"EU-1"})
		c := add("AUT", "information_systems", []string{"HWF_0006"}, []string{"EU-1"})
		if a.ID == 0 || b.ID <= a.ID || c.Version != 3 || a.RecordedAt.Location() != time.UTC {
			t.Fatalf("added %+v %+v %+v", a, b, c)
		}
		if v, _ := db.Version(ctx); v != 3 {
			t.Errorf("version = %d, want 3", v)
		}
		got, hist, err := db.Experience(ctx, a.ID)
		if err != nil || got.Text != hostile || got.Title != a.Title || strings.Join(got.Indicators, ",") != "HWF_0001,HWF_0006" ||
			len(got.Milestones) != 0 || got.Link != a.Link || got.Author != a.Author || got.TokenID != "tokAUT" || got.Date != "2024-03-01" ||
			!got.RecordedAt.Equal(a.RecordedAt) || got.Hidden || got.Version != 1 {
			t.Fatalf("stored = %+v, %v", got, err)
		}
		if len(hist) != 1 || hist[0].Action != "created" || hist[0].Actor != a.Author || hist[0].Version != 1 {
			t.Fatalf("history = %+v", hist)
		}
		ids := func(list []indicators.Experience, err error) string {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
			var out []string
			for _, e := range list {
				out = append(out, strconv.FormatInt(e.ID, 10))
			}
			return strings.Join(out, ",")
		}
		id := func(es ...indicators.Experience) string {
			var out []string
			for _, e := range es {
				out = append(out, strconv.FormatInt(e.ID, 10))
			}
			return strings.Join(out, ",")
		}
		for _, tc := range []struct {
			name string
			q    indicators.ExperienceQuery
			want string
		}{
			{"all, newest first", indicators.ExperienceQuery{}, id(c, b, a)},
			{"country", indicators.ExperienceQuery{Country: "AUT"}, id(c, a)},
			{"topic", indicators.ExperienceQuery{Topic: "bilateral_agreements"}, id(b)},
			{"indicator", indicators.ExperienceQuery{Indicator: "HWF_0006"}, id(c, a)},
			{"milestone", indicators.ExperienceQuery{Milestone: "EU-1"}, id(c, b)},
			{"page", indicators.ExperienceQuery{Limit: 2}, id(c, b)},
			{"next page", indicators.ExperienceQuery{Limit: 2, Before: b.ID}, id(a)},
			{"none", indicators.ExperienceQuery{Country: "FRA"}, ""},
		} {
			if got := ids(db.ListExperiences(ctx, tc.q)); got != tc.want {
				t.Errorf("%s: %s, want %s", tc.name, got, tc.want)
			}
		}

		h, err := db.SetExperienceHidden(ctx, b.ID, true, "admin", "duplicate of another entry")
		if err != nil || !h.Hidden || h.Version != 4 || h.Text != hostile {
			t.Fatalf("hide = %+v, %v", h, err)
		}
		if _, err := db.SetExperienceHidden(ctx, b.ID, true, "admin", "again"); !errors.Is(err, ErrUnchanged) {
			t.Errorf("hiding twice: %v", err)
		}
		if _, err := db.SetExperienceHidden(ctx, 99999, true, "admin", "x"); !errors.Is(err, ErrNotFound) {
			t.Errorf("hiding an unknown id: %v", err)
		}
		if v, _ := db.Version(ctx); v != 4 {
			t.Errorf("version = %d after refused hides, want 4", v)
		}
		if got := ids(db.ListExperiences(ctx, indicators.ExperienceQuery{})); got != id(c, a) {
			t.Errorf("visible after hide: %s", got)
		}
		if got := ids(db.ListExperiences(ctx, indicators.ExperienceQuery{IncludeHidden: true})); got != id(c, b, a) {
			t.Errorf("with hidden: %s", got)
		}
		if _, err := db.SetExperienceHidden(ctx, b.ID, false, "admin 2", "checked: not a duplicate"); err != nil {
			t.Fatal(err)
		}
		got, hist, err = db.Experience(ctx, b.ID)
		if err != nil || got.Hidden || got.Version != 5 || len(hist) != 3 {
			t.Fatalf("after unhide: %+v %+v %v", got, hist, err)
		}
		for i, w := range []struct{ action, actor, reason string }{{"created", b.Author, ""}, {"hidden", "admin", "duplicate of another entry"},
			{"unhidden", "admin 2", "checked: not a duplicate"}} {
			if hist[i].Action != w.action || hist[i].Actor != w.actor || hist[i].Reason != w.reason || hist[i].ExperienceID != b.ID {
				t.Errorf("history[%d] = %+v, want %+v", i, hist[i], w)
			}
		}
		changes, err := db.ExperienceChangesSince(ctx, 3, 0)
		if err != nil || len(changes) != 1 || changes[0].ID != b.ID || changes[0].Version != 5 {
			t.Errorf("changes since 3 = %+v, %v", changes, err)
		}
		if changes, _ := db.ExperienceChangesSince(ctx, 0, 2); len(changes) != 2 || changes[0].ID != a.ID {
			t.Errorf("limited changes = %+v", changes)
		}
		if _, _, err := db.Experience(ctx, 99999); !errors.Is(err, ErrNotFound) {
			t.Errorf("unknown id: %v", err)
		}
		// Observations' history is untouched by experiences.
		if obs, _ := db.ChangesSince(ctx, 0, 0); len(obs) != 0 {
			t.Errorf("experiences appear as observations: %+v", obs)
		}
	})

	t.Run("concurrent writers", func(t *testing.T) {
		t.Parallel()
		db := open(t)
		const writers, each = 2, 50
		versions := make([][]int64, writers)
		errs := make([]error, writers)
		var wg sync.WaitGroup
		for w := range writers {
			wg.Go(func() {
				for i := range each {
					v, err := db.Append(ctx, []indicators.Observation{obs("HWF_0001", "POL", 2020, float64(w*1000+i), "s")}, "writer"+strconv.Itoa(w))
					if err != nil {
						errs[w] = err
						return
					}
					versions[w] = append(versions[w], v)
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		seen := map[int64]bool{}
		for _, vs := range versions {
			for _, v := range vs {
				if seen[v] {
					t.Errorf("version %d returned twice", v)
				}
				seen[v] = true
			}
		}
		hist, err := db.History(ctx, "HWF_0001", "POL", 2020)
		if err != nil || len(hist) != writers*each {
			t.Fatalf("history = %d revisions, %v", len(hist), err)
		}
		for i := 1; i < len(hist); i++ {
			// Versions follow commit order, and so do revision ids.
			if hist[i].Version <= hist[i-1].Version {
				t.Errorf("revision %d version %d after %d", i, hist[i].Version, hist[i-1].Version)
			}
		}
		if v, _ := db.Version(ctx); v != writers*each {
			t.Errorf("version = %d, want %d", v, writers*each)
		}
	})
}
