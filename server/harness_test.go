package server_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/hwfdash/hwfdash/cache"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
	"github.com/hwfdash/hwfdash/server"
	"github.com/hwfdash/hwfdash/server/engine"
	"github.com/hwfdash/hwfdash/store"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

const (
	pgDSN      = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	redisURL   = "redis://127.0.0.1:6379/0"
	adminToken = "test-admin-token-0123456789"
	// testYear pins "the current year" so tests do not change with the calendar.
	testYear = 2026
)

var (
	datasetOnce sync.Once
	dataset     *seeddata.Dataset
	datasetErr  error

	assetsOnce sync.Once
	assets     *public.Assets
	assetsErr  error

	templateOnce sync.Once
	templateDir  string
	templateErr  error
)

// loadAssets loads the built front-end assets once per test binary.
func loadAssets(t testing.TB) *public.Assets {
	t.Helper()
	assetsOnce.Do(func() { assets, assetsErr = public.Load() })
	if assetsErr != nil {
		t.Fatal(assetsErr)
	}
	return assets
}

func loadDataset(t testing.TB) *seeddata.Dataset {
	t.Helper()
	datasetOnce.Do(func() { dataset, datasetErr = seeddata.Load() })
	if datasetErr != nil {
		t.Fatal(datasetErr)
	}
	return dataset
}

// loadRoadmap parses the shipped Roadmap document against the milestones.
func loadRoadmap(t testing.TB) *indicators.Roadmap {
	t.Helper()
	r, err := seeddata.Roadmap(loadDataset(t).Milestones)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// seededSQLite returns a data directory holding a freshly seeded SQLite
// store. The seed runs once per test binary; each test gets a copy.
func seededSQLite(t testing.TB) string {
	t.Helper()
	ds := loadDataset(t)
	templateOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hwfdash-template-")
		if err != nil {
			templateErr = err
			return
		}
		db, err := store.Open(context.Background(), "", dir, slog.New(slog.DiscardHandler))
		if err != nil {
			templateErr = err
			return
		}
		if _, err := db.Seed(context.Background(), ds); err != nil {
			templateErr = err
		}
		templateErr = errorsJoin(templateErr, db.Close())
		templateDir = dir
	})
	if templateErr != nil {
		t.Fatal(templateErr)
	}
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join(templateDir, "hwfdash.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "hwfdash.db"), src, 0o600); err != nil {
		t.Fatal(err)
	}
	return dir
}

func errorsJoin(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

// pgSchemaDSN creates a PostgreSQL schema owned by the test and returns a
// DSN that uses it.
func pgSchemaDSN(t testing.TB) string {
	t.Helper()
	db, err := sql.Open("pgx", pgDSN)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		if os.Getenv("CI") != "true" {
			t.Skipf("PostgreSQL not reachable: %v", err)
		}
		t.Fatalf("PostgreSQL not reachable: %v", err)
	}
	schema := "hwf_srv_" + randHex(6)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = db.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
	})
	return pgDSN + "&search_path=" + schema
}

func requireRedis(t testing.TB) {
	t.Helper()
	c, err := net.DialTimeout("tcp", "127.0.0.1:6379", time.Second)
	if err != nil {
		if os.Getenv("CI") != "true" {
			t.Skipf("Redis not reachable: %v", err)
		}
		t.Fatalf("Redis not reachable: %v", err)
	}
	c.Close()
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// appOptions choose the parts of a test instance.
type appOptions struct {
	dataDir  string // SQLite directory; empty → a fresh seeded copy
	dsn      string // PostgreSQL DSN; overrides dataDir
	redisURL string
	prefix   string // Redis key prefix and channel, shared by instances of one test
	poll     time.Duration
	rate     int
	cacheMax int64 // the in-process cache's byte bound; 0 → the default
	cfg      func(*server.Config)
	// wrapCache, when set, wraps the cache the server uses (to observe or
	// hold its computations).
	wrapCache func(server.Cache) server.Cache
}

// app is one running hwfdash instance in the test process.
type app struct {
	URL   string
	Srv   *server.Server
	Store *store.DB
	Bus   *cache.Bus
	Cache *cache.Cache
}

// skipShort skips t under -short (make test-short): the quick loop leaves
// browser, fault-injection and soak tests to make test. Each such test
// calls it first, before it starts anything.
func skipShort(t testing.TB, kind string) {
	t.Helper()
	if testing.Short() {
		t.Skipf("%s test: skipped under -short (make test runs it)", kind)
	}
}

func startApp(t testing.TB, o appOptions) *app {
	t.Helper()
	ctx := context.Background()
	ds := loadDataset(t)
	log := slog.New(slog.NewTextHandler(testLogWriter(t), &slog.HandlerOptions{Level: slog.LevelWarn}))
	if o.dsn == "" && o.dataDir == "" {
		o.dataDir = seededSQLite(t)
	}
	db, err := store.Open(ctx, o.dsn, o.dataDir, log)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Seed(ctx, ds); err != nil {
		t.Fatal(err)
	}
	if o.prefix == "" {
		o.prefix = "hwfdash-test-" + randHex(4) + ":"
	}
	c := cache.New(ctx, cache.Options{RedisURL: o.redisURL, Prefix: o.prefix, LocalMaxBytes: o.cacheMax, Logger: log})
	bus := cache.NewBus(ctx, cache.BusOptions{RedisURL: o.redisURL, Channel: o.prefix + "updates", Logger: log})
	cfg := server.Config{
		AdminToken:  adminToken,
		CurrentYear: func() int { return testYear },
		VersionPoll: o.poll,
		WriteRate:   o.rate,
		Logger:      log,
	}
	if o.cfg != nil {
		o.cfg(&cfg)
	}
	var sc server.Cache = c
	if o.wrapCache != nil {
		sc = o.wrapCache(c)
	}
	srv, err := server.New(cfg, server.Deps{
		Store: db, Tokens: db, Experiences: db, Imports: db, Cache: sc, Bus: bus, Assets: loadAssets(t), Rates: c, Shared: c,
		Reference: engine.Reference{Countries: ds.Countries, Milestones: ds.Milestones, Rounds: ds.Rounds,
			Breaks: ds.Breaks, Lists: ds.Lists, Citations: ds.SeriesCitations, Provenance: ds.Provenance, Roadmap: loadRoadmap(t)},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- srv.Start(ctx, ln) }()
	a := &app{URL: "http://" + ln.Addr().String(), Srv: srv, Store: db, Bus: bus, Cache: c}
	t.Cleanup(func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := srv.Shutdown(sctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		<-done
		bus.Close()
		c.Close()
		db.Close()
	})
	waitReady(t, a.URL)
	return a
}

// testLogWriter sends an instance's warnings and errors to t's log, which
// go test prints only when t fails (or under -v): a failure then shows what
// the server saw. Lines after t ends (a goroutine logging during shutdown)
// are dropped, as testing forbids logging then.
func testLogWriter(t testing.TB) io.Writer {
	w := &tlogWriter{t: t}
	t.Cleanup(func() { w.mu.Lock(); w.done = true; w.mu.Unlock() })
	return w
}

type tlogWriter struct {
	t    testing.TB
	mu   sync.Mutex
	done bool
}

func (w *tlogWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.done {
		w.t.Log(strings.TrimRight(string(p), "\n"))
	}
	return len(p), nil
}

func waitReady(t testing.TB, base string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		time.Sleep(20 * time.Millisecond) // polling a socket that is not yet listening: there is no event to await
	}
	t.Fatalf("server at %s never became healthy", base)
}

// call makes a request and decodes a JSON answer into out (when not nil).
func call(t testing.TB, method, url, token, contentType string, body []byte, out any) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if out != nil && len(b) > 0 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: decode %q: %v", method, url, truncate(b), err)
		}
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

func getJSON(t testing.TB, url string, out any) *http.Response {
	t.Helper()
	return call(t, http.MethodGet, url, "", "", nil, out)
}

func truncate(b []byte) string {
	if len(b) > 300 {
		return string(b[:300]) + "…"
	}
	return string(b)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

func readBody(t testing.TB, resp *http.Response) string {
	t.Helper()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

var _ = fmt.Sprintf

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
