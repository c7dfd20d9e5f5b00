package cache

import (
	"context"
	"net"
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hwfdash/hwfdash/internal/redistest"
)

const sharedRedisAddr = "127.0.0.1:6379"

// skipOrFail skips a test that needs something missing, except in CI, where
// a missing Redis is a broken pipeline rather than a reason to skip.
func skipOrFail(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "true" {
		t.Skipf(format, args...)
	}
	t.Fatalf(format, args...)
}

// sharedRedis returns the URL of the shared test Redis and a key prefix (or
// channel name) that this test owns; the test's keys are deleted afterwards.
func sharedRedis(t *testing.T) (url, prefix string) {
	t.Helper()
	c, err := net.DialTimeout("tcp", sharedRedisAddr, time.Second)
	if err != nil {
		skipOrFail(t, "redis not reachable at %s: %v", sharedRedisAddr, err)
	}
	_ = c.Close()
	prefix = "hwfdash-test-" + randomID() + ":"
	t.Cleanup(func() {
		rdb := redis.NewClient(&redis.Options{Addr: sharedRedisAddr})
		defer rdb.Close()
		ctx := context.Background()
		iter := rdb.Scan(ctx, 0, prefix+"*", 100).Iterator()
		for iter.Next(ctx) {
			rdb.Del(ctx, iter.Val())
		}
	})
	return "redis://" + sharedRedisAddr + "/0", prefix
}

// awaitEvent reads ch until an event matches, failing after a generous
// timeout.
func awaitEvent(t *testing.T, ch <-chan Event, what string, match func(Event) bool) Event {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case e, ok := <-ch:
			if !ok {
				t.Fatalf("waiting for %s: channel closed", what)
			}
			if match(e) {
				return e
			}
		case <-timeout:
			t.Fatalf("waiting for %s: timed out", what)
		}
	}
}

func isVersion(v int64) func(Event) bool {
	return func(e Event) bool { return e.Kind != KindResync && e.Version == v }
}

func isResync(e Event) bool { return e.Kind == KindResync }

// eventually polls cond, for states that change with no event to wait on
// (a prober's ping succeeding, goroutines exiting).
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// noGoroutineLeak fails unless the goroutine count returns to at most
// before; goroutines exit asynchronously after Close, hence the polling.
func noGoroutineLeak(t *testing.T, before int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			t.Fatalf("%d goroutines, want at most %d:\n%s", runtime.NumGoroutine(), before, buf[:runtime.Stack(buf, true)])
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func signal(t *testing.T, r *redistest.Server, sig syscall.Signal) {
	t.Helper()
	if err := r.Signal(sig); err != nil {
		t.Fatalf("signal %v to redis-server: %v", sig, err)
	}
}
