package cache

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hwfdash/hwfdash/internal/redistest"
)

// counter is a compute function that counts its calls.
type counter struct{ n atomic.Int32 }

func (c *counter) fn(v string) func(context.Context) ([]byte, error) {
	return func(context.Context) ([]byte, error) {
		c.n.Add(1)
		return []byte(v), nil
	}
}

func mustGet(t *testing.T, c *Cache, key string, compute func(context.Context) ([]byte, error)) string {
	t.Helper()
	v, err := c.GetOrCompute(context.Background(), key, compute)
	if err != nil {
		t.Fatalf("GetOrCompute(%q): %v", key, err)
	}
	return string(v)
}

func TestGetOrComputeOnceForConcurrentCallers(t *testing.T) {
	tests := []struct {
		name  string
		redis bool
	}{
		{"local", false},
		{"redis", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{}
			if tt.redis {
				opts.RedisURL, opts.Prefix = sharedRedis(t)
			}
			c := New(context.Background(), opts)
			defer c.Close()

			const callers = 50
			var calls atomic.Int32
			release := make(chan struct{})
			var started, done sync.WaitGroup
			for range callers {
				started.Add(1)
				done.Add(1)
				go func() {
					defer done.Done()
					started.Done()
					v, err := c.GetOrCompute(context.Background(), "k", func(context.Context) ([]byte, error) {
						calls.Add(1)
						<-release
						return []byte("v"), nil
					})
					if err != nil || string(v) != "v" {
						t.Errorf("got %q, %v", v, err)
					}
				}()
			}
			started.Wait()
			// Callers that reach GetOrCompute only after the computation
			// must find the stored value, so the count is exact either way.
			runtime.Gosched()
			close(release)
			done.Wait()
			if n := calls.Load(); n != 1 {
				t.Fatalf("computed %d times for %d callers, want 1", n, callers)
			}
		})
	}
}

func TestLocalLRUEvictsLeastRecentlyUsed(t *testing.T) {
	c := New(context.Background(), Options{LocalMaxEntries: 2})
	defer c.Close()
	if c.State() != StateLocal {
		t.Fatalf("state %q, want %q", c.State(), StateLocal)
	}
	var a, b, d counter
	steps := []struct {
		key     string
		counter *counter
		want    int32 // the key's compute count after the step
	}{
		{"a", &a, 1},
		{"b", &b, 1},
		{"a", &a, 1}, // hit; a is now more recent than b
		{"d", &d, 1}, // evicts b, the least recently used
		{"a", &a, 1}, // still there
		{"b", &b, 2}, // was evicted: computed again (evicting d)
		{"d", &d, 2},
	}
	for i, s := range steps {
		if got := mustGet(t, c, s.key, s.counter.fn(s.key)); got != s.key {
			t.Fatalf("step %d: got %q", i, got)
		}
		if n := s.counter.n.Load(); n != s.want {
			t.Fatalf("step %d: %q computed %d times, want %d", i, s.key, n, s.want)
		}
		if n, _ := c.local.size(); n > 2 {
			t.Fatalf("step %d: %d local entries, bound is 2", i, n)
		}
	}
}

func TestComputeFailures(t *testing.T) {
	errBoom := errors.New("boom")
	tests := []struct {
		name    string
		compute func(context.Context) ([]byte, error)
		check   func(error) bool
	}{
		{"error returned unchanged", func(context.Context) ([]byte, error) { return nil, errBoom },
			func(err error) bool { return errors.Is(err, errBoom) }},
		{"panic becomes an error", func(context.Context) ([]byte, error) { panic("bad chart") },
			func(err error) bool { return err != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := New(context.Background(), Options{})
			defer c.Close()
			if _, err := c.GetOrCompute(context.Background(), "k", tt.compute); !tt.check(err) {
				t.Fatalf("unexpected error %v", err)
			}
			// A failure is not cached: the next caller computes afresh.
			var n counter
			if got := mustGet(t, c, "k", n.fn("ok")); got != "ok" || n.n.Load() != 1 {
				t.Fatalf("after a failure got %q, computed %d times", got, n.n.Load())
			}
		})
	}
}

func TestSharedComputationOutlivesCaller(t *testing.T) {
	c := New(context.Background(), Options{})
	defer c.Close()
	entered, release := make(chan struct{}), make(chan struct{})
	ctxErr := make(chan error, 1)
	compute := func(ctx context.Context) ([]byte, error) {
		close(entered)
		<-release
		ctxErr <- ctx.Err()
		return []byte("v"), nil
	}
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() {
		_, err := c.GetOrCompute(ctx, "k", compute)
		first <- err
	}()
	<-entered
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled caller got %v, want context.Canceled", err)
	}
	second := make(chan string, 1)
	go func() { second <- mustGet(t, c, "k", compute) }()
	close(release)
	if v := <-second; v != "v" {
		t.Fatalf("second caller got %q", v)
	}
	if err := <-ctxErr; err != nil {
		t.Fatalf("shared computation saw its context end: %v", err)
	}
}

func TestRedisSharesBetweenInstances(t *testing.T) {
	url, prefix := sharedRedis(t)
	a := New(context.Background(), Options{RedisURL: url, Prefix: prefix, TTL: time.Minute})
	defer a.Close()
	b := New(context.Background(), Options{RedisURL: url, Prefix: prefix, TTL: time.Minute})
	defer b.Close()
	if a.State() != StateRedis {
		t.Fatalf("state %q, want %q", a.State(), StateRedis)
	}
	var na, nb counter
	if got := mustGet(t, a, "k", na.fn("from a")); got != "from a" {
		t.Fatalf("a got %q", got)
	}
	if got := mustGet(t, b, "k", nb.fn("from b")); got != "from a" || nb.n.Load() != 0 {
		t.Fatalf("b got %q after computing %d times; want a's value without computing", got, nb.n.Load())
	}
	// The entry expires in Redis rather than living forever.
	rdb := redis.NewClient(&redis.Options{Addr: sharedRedisAddr})
	defer rdb.Close()
	if ttl := rdb.TTL(context.Background(), prefix+"k").Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("redis TTL %v, want within (0, 1m]", ttl)
	}
}

// twoInstances are two caches on the shared Redis under one prefix, as
// two instances of one deployment; they are closed when t ends.
func twoInstances(t *testing.T) (a, b *Cache, prefix string) {
	t.Helper()
	url, prefix := sharedRedis(t)
	a = New(context.Background(), Options{RedisURL: url, Prefix: prefix})
	t.Cleanup(func() { a.Close() })
	b = New(context.Background(), Options{RedisURL: url, Prefix: prefix})
	t.Cleanup(func() { b.Close() })
	return a, b, prefix
}

// TestSharedValues: what one instance puts is read by another, expires,
// and reads as nothing once gone; without Redis both say ErrNotShared.
func TestSharedValues(t *testing.T) {
	ctx := context.Background()
	a, b, prefix := twoInstances(t)
	if err := a.PutShared(ctx, "p", []byte(`{"rows":3}`), time.Minute); err != nil {
		t.Fatal(err)
	}
	if v, err := b.GetShared(ctx, "p"); err != nil || string(v) != `{"rows":3}` {
		t.Fatalf("b reads %q, %v", v, err)
	}
	rdb := redis.NewClient(&redis.Options{Addr: sharedRedisAddr})
	defer rdb.Close()
	if ttl := rdb.TTL(ctx, prefix+"shared:p").Val(); ttl <= 0 || ttl > time.Minute {
		t.Fatalf("redis TTL %v, want within (0, 1m]", ttl)
	}
	if v, err := b.GetShared(ctx, "absent"); err != nil || v != nil {
		t.Fatalf("an absent key reads %q, %v; want nil, nil", v, err)
	}
	down := New(ctx, Options{RedisURL: "redis://127.0.0.1:1/0"})
	defer down.Close()
	if err := down.PutShared(ctx, "p", []byte("x"), time.Minute); !errors.Is(err, ErrNotShared) {
		t.Fatalf("put without Redis: %v, want ErrNotShared", err)
	}
	if _, err := down.GetShared(ctx, "p"); !errors.Is(err, ErrNotShared) {
		t.Fatalf("get without Redis: %v, want ErrNotShared", err)
	}
}

func TestRedisRefusalKeepsRedisHealthy(t *testing.T) {
	url, prefix := sharedRedis(t)
	rdb := redis.NewClient(&redis.Options{Addr: sharedRedisAddr})
	defer rdb.Close()
	// A list under the key makes GET answer WRONGTYPE: Redis is up and
	// talking, so the cache must not fall back for everything.
	if err := rdb.LPush(context.Background(), prefix+"k", "x").Err(); err != nil {
		t.Fatal(err)
	}
	c := New(context.Background(), Options{RedisURL: url, Prefix: prefix})
	defer c.Close()
	var n counter
	if got := mustGet(t, c, "k", n.fn("v")); got != "v" || n.n.Load() != 1 {
		t.Fatalf("got %q, computed %d times", got, n.n.Load())
	}
	if c.State() != StateRedis {
		t.Fatalf("state %q after a refused command, want %q", c.State(), StateRedis)
	}
}

func TestRedisUnreachableFallsBack(t *testing.T) {
	// Nothing listens on port 1.
	c := New(context.Background(), Options{RedisURL: "redis://127.0.0.1:1/0"})
	defer c.Close()
	if c.State() != StateDegraded {
		t.Fatalf("state %q, want %q", c.State(), StateDegraded)
	}
	for _, key := range []string{"k1", "k2", "k1"} {
		start := time.Now()
		if got := mustGet(t, c, key, (&counter{}).fn(key)); got != key {
			t.Fatalf("got %q", got)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("GetOrCompute took %v with Redis down", d)
		}
	}
}

func TestCacheWhileRedisStopped(t *testing.T) {
	if testing.Short() {
		t.Skip("fault-injection test: skipped under -short (make test runs it)")
	}
	r := redistest.Start(t, 0)
	c := New(context.Background(), Options{RedisURL: r.URL(), Prefix: "p:"})
	defer c.Close()
	if c.State() != StateRedis {
		t.Fatalf("state %q, want %q", c.State(), StateRedis)
	}

	sigStop, sigCont := pauseSignals(t)
	signal(t, r, sigStop)
	defer func() { _ = r.Signal(sigCont) }()
	for _, key := range []string{"k1", "k2"} {
		start := time.Now()
		if got := mustGet(t, c, key, (&counter{}).fn(key)); got != key {
			t.Fatalf("got %q", got)
		}
		// Bounded by the 250 ms Redis timeout (once: then Redis is skipped),
		// not by how long Redis stays stopped.
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("GetOrCompute of %s took %v while Redis was stopped", key, d)
		}
	}
	if c.State() != StateDegraded {
		t.Fatalf("state %q while Redis is stopped, want %q", c.State(), StateDegraded)
	}

	signal(t, r, sigCont)
	eventually(t, "the prober to see Redis again", func() bool { return c.State() == StateRedis })
	// Shared again: a second instance gets what the first computes now.
	mustGet(t, c, "k3", (&counter{}).fn("k3"))
	other := New(context.Background(), Options{RedisURL: r.URL(), Prefix: "p:"})
	defer other.Close()
	var n counter
	if got := mustGet(t, other, "k3", n.fn("other")); got != "k3" || n.n.Load() != 0 {
		t.Fatalf("other instance got %q, computed %d times", got, n.n.Load())
	}
}

func TestCacheCloseLeavesNoGoroutines(t *testing.T) {
	url, prefix := sharedRedis(t)
	before := runtime.NumGoroutine()
	for _, opts := range []Options{
		{},
		{RedisURL: url, Prefix: prefix},
		{RedisURL: "redis://127.0.0.1:1/0"},
	} {
		c := New(context.Background(), opts)
		mustGet(t, c, "k", (&counter{}).fn("v"))
		if err := c.Close(); err != nil {
			t.Fatalf("%+v: close: %v", opts, err)
		}
		if err := c.Close(); err != nil {
			t.Fatalf("%+v: second close: %v", opts, err)
		}
		// Still serves, in process.
		mustGet(t, c, "k2", (&counter{}).fn("v"))
	}
	noGoroutineLeak(t, before)
}

// TestLocalDisabled checks that a negative LocalMaxEntries turns the
// in-process level off: with Redis every read is a Redis hit, without it
// every read computes, and Peek never answers.
func TestLocalDisabled(t *testing.T) {
	tests := []struct {
		name     string
		redis    bool
		computes int32
	}{
		{"redis", true, 1},
		{"no redis", false, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := Options{LocalMaxEntries: -1}
			if tt.redis {
				opts.RedisURL, opts.Prefix = sharedRedis(t)
			}
			c := New(context.Background(), opts)
			defer c.Close()
			var n counter
			for range 3 {
				if got := mustGet(t, c, "k", n.fn("v")); got != "v" {
					t.Fatalf("got %q", got)
				}
			}
			if got := n.n.Load(); got != tt.computes {
				t.Errorf("%d computations, want %d", got, tt.computes)
			}
			if _, ok := c.Peek("k"); ok {
				t.Error("Peek answered with the local cache off")
			}
		})
	}
}

// TestCountSharedBetweenInstances checks the shared write counter: two
// caches on one Redis count against the same key, keys count apart, the
// counter expires with its window, and without Redis there is no shared
// count.
func TestCountSharedBetweenInstances(t *testing.T) {
	ctx := context.Background()
	a, b, prefix := twoInstances(t)
	const window = time.Hour
	for i, tc := range []struct {
		c    *Cache
		key  string
		want int64
	}{
		{a, "token:t1", 1},
		{b, "token:t1", 2},
		{a, "token:t1", 3},
		{b, "ip:127.0.0.1", 1},
		{a, "token:t1", 4},
	} {
		n, err := tc.c.Count(ctx, tc.key, window)
		if err != nil || n != tc.want {
			t.Fatalf("step %d: Count(%s) = %d, %v; want %d", i, tc.key, n, err, tc.want)
		}
	}
	rdb := redis.NewClient(&redis.Options{Addr: sharedRedisAddr})
	defer rdb.Close()
	if ttl := rdb.PTTL(ctx, prefix+"rate:token:t1").Val(); ttl <= 0 || ttl > window {
		t.Fatalf("counter TTL %v, want within (0, 1h]", ttl)
	}
	local := New(ctx, Options{})
	defer local.Close()
	if _, err := local.Count(ctx, "token:t1", window); !errors.Is(err, ErrNotShared) {
		t.Fatalf("in-process cache: %v, want ErrNotShared", err)
	}
}
