package cache

import (
	"context"
	"encoding/json"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/hwfdash/hwfdash/internal/redistest"
)

func publish(t *testing.T, b *Bus, e Event) {
	t.Helper()
	if err := b.Publish(context.Background(), e); err != nil {
		t.Fatalf("publish %+v: %v", e, err)
	}
}

// nextEvent returns the next event on ch, failing after a generous timeout.
func nextEvent(t *testing.T, ch <-chan Event) Event {
	t.Helper()
	select {
	case e, ok := <-ch:
		if !ok {
			t.Fatal("channel closed")
		}
		return e
	case <-time.After(20 * time.Second):
		t.Fatal("no event")
	}
	return Event{}
}

func TestLocalBus(t *testing.T) {
	before := runtime.NumGoroutine()
	b := NewBus(context.Background(), BusOptions{})
	if b.State() != StateLocal {
		t.Fatalf("state %q, want %q", b.State(), StateLocal)
	}
	s1, unsubscribe1 := b.Subscribe()
	s2, _ := b.Subscribe()
	slow, _ := b.Subscribe() // never read

	// Publishing more than a buffer's worth never blocks on the slow
	// subscriber, and the others get every event in order.
	const extra = 10
	for i := int64(1); i <= subBuffer+extra; i++ {
		publish(t, b, Event{Version: i, Topics: []string{"x"}, Origin: "me", Kind: "data"})
		for _, s := range []<-chan Event{s1, s2} {
			if e := nextEvent(t, s); e.Version != i || e.Origin != "me" || !slices.Equal(e.Topics, []string{"x"}) {
				t.Fatalf("got %+v, want version %d", e, i)
			}
		}
	}
	if b.Dropped() != extra || len(slow) != subBuffer {
		t.Fatalf("dropped %d, slow subscriber holds %d; want %d and %d", b.Dropped(), len(slow), extra, subBuffer)
	}

	unsubscribe1()
	unsubscribe1() // idempotent
	if _, ok := <-s1; ok {
		t.Fatal("channel still open after unsubscribe")
	}
	publish(t, b, Event{Version: 100})
	if e := nextEvent(t, s2); e.Version != 100 {
		t.Fatalf("after another unsubscribed got %+v", e)
	}

	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	if _, ok := <-s2; ok {
		t.Fatal("channel still open after Close")
	}
	if late, _ := b.Subscribe(); func() bool { _, ok := <-late; return ok }() {
		t.Fatal("subscription after Close is open")
	}
	if err := b.Publish(context.Background(), Event{Version: 101}); err == nil {
		t.Fatal("publish after Close succeeded")
	}
	noGoroutineLeak(t, before)
}

func TestRedisBusBetweenInstances(t *testing.T) {
	url, channel := sharedRedis(t)
	before := runtime.NumGoroutine()
	a := NewBus(context.Background(), BusOptions{RedisURL: url, Channel: channel})
	b := NewBus(context.Background(), BusOptions{RedisURL: url, Channel: channel})
	if a.State() != StateRedis || b.State() != StateRedis {
		t.Fatalf("states %q, %q; want %q", a.State(), b.State(), StateRedis)
	}
	sa, _ := a.Subscribe()
	sb, _ := b.Subscribe()

	payload := json.RawMessage(`[{"iso3":"AUT"}]`)
	publish(t, a, Event{Version: 1, Topics: []string{"t"}, Origin: "a", Kind: "data", Payload: payload})
	for name, s := range map[string]<-chan Event{"a": sa, "b": sb} {
		e := nextEvent(t, s)
		if e.Version != 1 || e.Origin != "a" || e.Kind != "data" || string(e.Payload) != string(payload) {
			t.Fatalf("%s got %+v", name, e)
		}
	}

	// Let a probe go round, then check that a's subscriber got neither the
	// probe nor a second copy of its own event: the next thing it sees is
	// b's event.
	seen := a.lastProbe.Load()
	eventually(t, "a probe to come back", func() bool { return a.lastProbe.Load() > seen })
	publish(t, b, Event{Version: 2, Origin: "b"})
	if e := nextEvent(t, sa); e.Version != 2 || e.Origin != "b" {
		t.Fatalf("a got %+v, want b's version 2 and nothing else", e)
	}
	if e := nextEvent(t, sb); e.Version != 2 {
		t.Fatalf("b got %+v, want its own version 2", e)
	}

	for _, bus := range []*Bus{a, b} {
		if err := bus.Close(); err != nil {
			t.Fatal(err)
		}
	}
	noGoroutineLeak(t, before)
}

func TestRedisBusUnreachable(t *testing.T) {
	before := runtime.NumGoroutine()
	b := NewBus(context.Background(), BusOptions{RedisURL: "redis://127.0.0.1:1/0"})
	if b.State() != StateBusDegraded {
		t.Fatalf("state %q, want %q", b.State(), StateBusDegraded)
	}
	s, _ := b.Subscribe()
	publish(t, b, Event{Version: 7})
	if e := nextEvent(t, s); e.Version != 7 {
		t.Fatalf("got %+v", e)
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	noGoroutineLeak(t, before)
}

func TestRedisBusSurvivesRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("fault-injection test: skipped under -short (make test runs it)")
	}
	r := redistest.Start(t, 0)
	a := NewBus(context.Background(), BusOptions{RedisURL: r.URL(), Channel: "c"})
	defer a.Close()
	b := NewBus(context.Background(), BusOptions{RedisURL: r.URL(), Channel: "c"})
	defer b.Close()
	sa, _ := a.Subscribe()
	sb, _ := b.Subscribe()

	publish(t, a, Event{Version: 1})
	awaitEvent(t, sb, "version 1 on b", isVersion(1))
	awaitEvent(t, sa, "version 1 on a", isVersion(1))

	// Redis crashes: a's own subscribers still get a's events.
	r.Kill()
	publish(t, a, Event{Version: 2})
	awaitEvent(t, sa, "version 2 on a while redis is down", isVersion(2))
	if a.State() != StateBusDegraded {
		t.Fatalf("a's state %q while redis is down, want %q", a.State(), StateBusDegraded)
	}

	// Redis returns: both buses resubscribe and tell their subscribers to
	// resync, then events flow between instances again.
	redistest.Start(t, r.Port)
	awaitEvent(t, sb, "resync on b", isResync)
	awaitEvent(t, sa, "resync on a", isResync)
	publish(t, a, Event{Version: 3})
	awaitEvent(t, sb, "version 3 on b", isVersion(3))
	if a.State() != StateRedis || b.State() != StateRedis {
		t.Fatalf("states %q, %q after recovery", a.State(), b.State())
	}
}

func TestRedisBusSurvivesStop(t *testing.T) {
	if testing.Short() {
		t.Skip("fault-injection test: skipped under -short (make test runs it)")
	}
	r := redistest.Start(t, 0)
	a := NewBus(context.Background(), BusOptions{RedisURL: r.URL(), Channel: "c"})
	defer a.Close()
	b := NewBus(context.Background(), BusOptions{RedisURL: r.URL(), Channel: "c"})
	defer b.Close()
	sa, _ := a.Subscribe()
	sb, _ := b.Subscribe()

	sigStop, sigCont := pauseSignals(t)
	signal(t, r, sigStop)
	defer func() { _ = r.Signal(sigCont) }()
	start := time.Now()
	publish(t, a, Event{Version: 1})
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("publish took %v while redis was stopped", d)
	}
	awaitEvent(t, sa, "version 1 on a while redis is stopped", isVersion(1))
	// b publishes nothing itself: its probe is what notices.
	eventually(t, "b to notice", func() bool { return b.State() == StateBusDegraded })

	signal(t, r, sigCont)
	awaitEvent(t, sa, "resync on a", isResync)
	awaitEvent(t, sb, "resync on b", isResync)
	publish(t, a, Event{Version: 2})
	awaitEvent(t, sb, "version 2 on b", isVersion(2))
}
