package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/hwfdash/hwfdash/internal/redistest"
)

func prefix() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "hwfdash-test-" + hex.EncodeToString(b) + ":"
}

func requireRedis(t *testing.T) {
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

func TestLocalSingleflight(t *testing.T) {
	c := New(context.Background(), Options{})
	defer c.Close()
	var calls atomic.Int32
	release := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 50; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := c.GetOrCompute(context.Background(), "k", func(context.Context) ([]byte, error) {
				calls.Add(1)
				<-release
				return []byte("v"), nil
			})
			if err != nil || string(v) != "v" {
				t.Errorf("got %q %v", v, err)
			}
		}()
	}
	// Let the callers pile up on the one computation before it finishes.
	for c.local.len() == 0 && calls.Load() == 0 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Fatalf("computed %d times, want 1", n)
	}
	if c.State() != "local" {
		t.Fatalf("state %q", c.State())
	}
}

func TestLRUBound(t *testing.T) {
	l := newLRU(2)
	l.put("a", []byte("1"))
	l.put("b", []byte("2"))
	l.get("a") // a is now the most recent
	l.put("c", []byte("3"))
	if _, ok := l.get("b"); ok {
		t.Fatal("b should have been evicted")
	}
	if _, ok := l.get("a"); !ok {
		t.Fatal("a should remain")
	}
	if l.len() != 2 {
		t.Fatalf("len %d", l.len())
	}
}

func TestRedisSharedBetweenInstances(t *testing.T) {
	requireRedis(t)
	p := prefix()
	a := New(context.Background(), Options{RedisURL: "redis://127.0.0.1:6379/0", Prefix: p})
	defer a.Close()
	b := New(context.Background(), Options{RedisURL: "redis://127.0.0.1:6379/0", Prefix: p})
	defer b.Close()
	if _, err := a.GetOrCompute(context.Background(), "k", func(context.Context) ([]byte, error) { return []byte("from a"), nil }); err != nil {
		t.Fatal(err)
	}
	v, err := b.GetOrCompute(context.Background(), "k", func(context.Context) ([]byte, error) {
		t.Error("b computed although a had cached the value in Redis")
		return []byte("from b"), nil
	})
	if err != nil || string(v) != "from a" || b.State() != "redis" {
		t.Fatalf("got %q %v state %q", v, err, b.State())
	}
}

func TestRedisDownFallsBack(t *testing.T) {
	c := New(context.Background(), Options{RedisURL: "redis://127.0.0.1:1/0"})
	defer c.Close()
	v, err := c.GetOrCompute(context.Background(), "k", func(context.Context) ([]byte, error) { return []byte("v"), nil })
	if err != nil || string(v) != "v" {
		t.Fatalf("got %q %v", v, err)
	}
	if c.State() != "redis (degraded: local fallback)" {
		t.Fatalf("state %q", c.State())
	}
}

func TestLocalBus(t *testing.T) {
	before := runtime.NumGoroutine()
	b := NewBus(context.Background(), BusOptions{})
	s1, un1 := b.Subscribe()
	s2, _ := b.Subscribe()
	slow, _ := b.Subscribe() // never read
	for i := 1; i <= subBuffer+10; i++ {
		if err := b.Publish(context.Background(), Event{Version: int64(i)}); err != nil {
			t.Fatal(err)
		}
		for _, s := range []<-chan Event{s1, s2} {
			if e := <-s; e.Version != int64(i) {
				t.Fatalf("got %d want %d", e.Version, i)
			}
		}
	}
	if b.Dropped() != 10 || len(slow) != subBuffer {
		t.Fatalf("dropped %d, slow has %d", b.Dropped(), len(slow))
	}
	un1()
	if _, ok := <-s1; ok {
		t.Fatal("unsubscribed channel still open")
	}
	b.Close()
	if _, ok := <-s2; ok {
		t.Fatal("channel open after Close")
	}
	waitGoroutines(t, before)
}

func waitGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond) // goroutines exit asynchronously; there is no event to wait on
	}
	if n := runtime.NumGoroutine(); n > want {
		t.Fatalf("%d goroutines, want at most %d", n, want)
	}
}

func awaitEvent(t *testing.T, ch <-chan Event, match func(Event) bool) Event {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatal("channel closed")
			}
			if match(e) {
				return e
			}
		case <-timeout:
			t.Fatal("event never came")
		}
	}
}

func TestRedisBusSurvivesRestart(t *testing.T) {
	r := redistest.Start(t, 0)
	a := NewBus(context.Background(), BusOptions{RedisURL: r.URL(), Channel: "c"})
	defer a.Close()
	b := NewBus(context.Background(), BusOptions{RedisURL: r.URL(), Channel: "c"})
	defer b.Close()
	sa, _ := a.Subscribe()
	sb, _ := b.Subscribe()
	// Wait until both are subscribed: each sees its own probe come back.
	for a.State() != "redis" || b.State() != "redis" {
		runtime.Gosched()
	}
	if err := a.Publish(context.Background(), Event{Version: 1, Kind: "data"}); err != nil {
		t.Fatal(err)
	}
	awaitEvent(t, sb, func(e Event) bool { return e.Version == 1 })
	awaitEvent(t, sa, func(e Event) bool { return e.Version == 1 })

	r.Kill()
	// While Redis is gone, A's own subscribers still get A's events.
	for a.State() == "redis" {
		_ = a.Publish(context.Background(), Event{Version: 2, Kind: "data"})
		time.Sleep(50 * time.Millisecond) // publishing until the bus notices the outage
	}
	_ = a.Publish(context.Background(), Event{Version: 3, Kind: "data"})
	awaitEvent(t, sa, func(e Event) bool { return e.Version == 3 })

	redistest.Start(t, r.Port)
	awaitEvent(t, sb, func(e Event) bool { return e.Kind == "resync" })
	for a.State() != "redis" {
		runtime.Gosched()
	}
	_ = a.Publish(context.Background(), Event{Version: 4, Kind: "data"})
	awaitEvent(t, sb, func(e Event) bool { return e.Version == 4 })
}

func TestCacheDuringRedisStop(t *testing.T) {
	r := redistest.Start(t, 0)
	c := New(context.Background(), Options{RedisURL: r.URL(), Prefix: prefix()})
	defer c.Close()
	if c.State() != "redis" {
		t.Fatalf("state %q", c.State())
	}
	if err := r.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = r.Signal(syscall.SIGCONT) }()
	start := time.Now()
	v, err := c.GetOrCompute(context.Background(), "k", func(context.Context) ([]byte, error) { return []byte("v"), nil })
	if err != nil || string(v) != "v" {
		t.Fatalf("got %q %v", v, err)
	}
	// Bounded by the Redis timeouts (two calls of 250 ms), not by Redis.
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("read took %v while Redis was stopped", d)
	}
	if c.State() == "redis" {
		t.Fatal("state still healthy while Redis is stopped")
	}
	_ = r.Signal(syscall.SIGCONT)
	for c.State() != "redis" {
		runtime.Gosched()
	}
}
