package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/hwfdash/hwfdash/indicators"
)

// Event is an update event on the bus. It is indicators.Update under this
// package's name, so the server's Bus interface, written in domain types, is
// satisfied without conversion.
type Event = indicators.Update

// Event kinds the bus itself produces or consumes.
const (
	// KindResync is delivered by the bus after its Redis path recovers:
	// events may have been lost, so consumers re-read the store's version.
	KindResync = "resync"
	// kindProbe marks the bus's own liveness messages; they are never
	// delivered to subscribers.
	kindProbe = "probe"
)

// StateBusDegraded is the bus's State while its Redis path is broken and
// events reach this instance's subscribers only.
const StateBusDegraded = "redis (degraded: local only)"

// Probe timing: the bus publishes a probe every probeEvery and considers the
// pub/sub path broken when its own probe has not come back for probeStale.
// PING alone would not do: Redis can answer PING while a subscription has
// silently gone.
const (
	probeEvery = time.Second
	probeStale = 3 * time.Second
	// readPoll is how long one read of the subscription waits, so that the
	// probe's staleness is checked even when nothing arrives.
	readPoll = 500 * time.Millisecond
	// subscribeTimeout bounds the wait for Redis to confirm a subscription.
	subscribeTimeout = time.Second
	subBuffer        = 64
)

var (
	errBusClosed  = errors.New("cache: bus: closed")
	errProbeStale = errors.New("cache: bus: own probe not seen: pub/sub path broken")
)

// BusOptions configure a Bus.
type BusOptions struct {
	// RedisURL, when set, carries events between instances through Redis
	// pub/sub; empty delivers them in process only.
	RedisURL string
	// Channel is the Redis pub/sub channel; default "hwfdash:updates".
	Channel string
	// Logger receives outage and recovery messages; default discards.
	Logger *slog.Logger
}

// Bus delivers update events to every subscriber of every instance: through
// Redis pub/sub when configured, in process otherwise.
//
// With Redis, an instance's own events reach its subscribers through the
// Redis echo only, so exactly once while Redis works. While the Redis path
// is broken (a publish failed or the bus's own probe stopped coming back),
// Publish delivers to this instance's subscribers directly and the other
// instances miss the event; when the path recovers, every instance's
// subscribers get a KindResync event and catch up from the store. An event
// whose publish timed out but reached Redis anyway can thus arrive twice;
// consumers compare versions, so a repeat is harmless.
type Bus struct {
	opts   BusOptions
	log    *slog.Logger
	rdb    *redis.Client // nil: in process only
	origin string        // tells this bus's probes from other instances'

	mu     sync.Mutex
	subs   map[uint64]chan Event
	nextID uint64
	closed bool

	dropped   atomic.Int64
	healthy   atomic.Bool
	lastProbe atomic.Int64 // unix nanoseconds when the own probe last came back
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// NewBus builds a bus; with opts.RedisURL it fans out through Redis. It
// subscribes once (within about a second) before returning, so that State is
// accurate at once, and never fails: an unreachable or invalid Redis leaves
// the bus working in process. Its goroutines stop with ctx or Close.
func NewBus(ctx context.Context, opts BusOptions) *Bus {
	if opts.Channel == "" {
		opts.Channel = "hwfdash:updates"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	b := &Bus{opts: opts, log: opts.Logger, subs: map[uint64]chan Event{}, origin: randomID()}
	if opts.RedisURL == "" {
		return b
	}
	rdb, err := newRedisClient(opts.RedisURL)
	if err != nil {
		b.log.Error("invalid redis url: update bus in process only", "err", err)
		return b
	}
	b.rdb = rdb
	rctx, cancel := context.WithCancel(ctx)
	b.cancel = cancel
	ps, err := b.subscribe(rctx)
	if err != nil {
		b.log.Warn("redis pub/sub unavailable: events stay on this instance until it returns", "err", err)
	} else {
		b.markUp(true)
	}
	b.wg.Add(2)
	go b.run(rctx, ps)
	go b.probe(rctx)
	return b
}

func randomID() string {
	p := make([]byte, 8)
	_, _ = rand.Read(p)
	return hex.EncodeToString(p)
}

// Subscribe returns a channel of events and a function that ends the
// subscription and closes the channel; calling it again does nothing. A
// subscriber that does not keep up loses events (counted by Dropped) rather
// than holding back the bus; consumers detect the gap from the version
// numbers. After Close the channel comes back already closed.
func (b *Bus) Subscribe() (<-chan Event, func()) {
	b.mu.Lock()
	defer b.mu.Unlock()
	ch := make(chan Event, subBuffer)
	if b.closed {
		close(ch)
		return ch, func() {}
	}
	id := b.nextID
	b.nextID++
	b.subs[id] = ch
	return ch, func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		if c, ok := b.subs[id]; ok {
			delete(b.subs, id)
			close(c)
		}
	}
}

// deliver hands e to every local subscriber without blocking.
func (b *Bus) deliver(e Event) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, ch := range b.subs {
		select {
		case ch <- e:
		default:
			b.dropped.Add(1)
		}
	}
}

// Publish sends e to the subscribers of every instance. Without Redis, or
// while the Redis path is broken, it delivers to this instance's
// subscribers only and still returns nil: the other instances catch up by
// version. It waits for Redis at most redisTimeout and is not cut short by
// ctx, so a cancelled request cannot lose its event. It fails only after
// Close or when e cannot be encoded.
func (b *Bus) Publish(ctx context.Context, e Event) error {
	if b.isClosed() {
		return errBusClosed
	}
	if b.rdb == nil || !b.healthy.Load() {
		b.deliver(e)
		return nil
	}
	msg, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("cache: bus: encode event: %w", err)
	}
	if err := b.publish(context.WithoutCancel(ctx), msg); err != nil {
		if b.isClosed() {
			return errBusClosed // closed while publishing: not an outage
		}
		b.markDown(err)
		b.deliver(e)
	}
	return nil
}

func (b *Bus) isClosed() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.closed
}

func (b *Bus) publish(ctx context.Context, msg []byte) error {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	return b.rdb.Publish(ctx, b.opts.Channel, msg).Err()
}

// markDown records a broken Redis path, logged once per outage.
func (b *Bus) markDown(err error) {
	if b.healthy.CompareAndSwap(true, false) {
		b.log.Warn("redis pub/sub failed: events stay on this instance until it returns", "err", err)
	}
}

// markUp records a working Redis path. After an outage (but not at start)
// subscribers are told to resync, since events may have been lost.
func (b *Bus) markUp(initial bool) {
	b.lastProbe.Store(time.Now().UnixNano())
	if b.healthy.CompareAndSwap(false, true) && !initial {
		b.log.Info("redis pub/sub is back: resyncing subscribers")
		b.deliver(Event{Kind: KindResync})
	}
}

// subscribe opens a subscription and waits for Redis to confirm it.
func (b *Bus) subscribe(ctx context.Context) (*redis.PubSub, error) {
	ps := b.rdb.Subscribe(ctx, b.opts.Channel)
	if _, err := ps.ReceiveTimeout(ctx, subscribeTimeout); err != nil {
		_ = ps.Close()
		return nil, fmt.Errorf("cache: bus: subscribe: %w", err)
	}
	return ps, nil
}

// run owns the subscription: it reads ps until the path breaks, then
// subscribes afresh with backoff, until ctx ends. ps may be nil when the
// first subscription failed.
func (b *Bus) run(ctx context.Context, ps *redis.PubSub) {
	defer b.wg.Done()
	var bo backoff
	for {
		if ps != nil {
			bo.reset()
			err := b.read(ctx, ps)
			_ = ps.Close()
			ps = nil
			if ctx.Err() != nil {
				return
			}
			b.markDown(err)
		}
		if !sleep(ctx, bo.next()) {
			return
		}
		var err error
		if ps, err = b.subscribe(ctx); err != nil {
			b.markDown(err)
			continue
		}
		b.markUp(false)
	}
}

// read delivers messages from ps until it fails, ctx ends, or the bus's
// own probe has not come back for probeStale.
func (b *Bus) read(ctx context.Context, ps *redis.PubSub) error {
	// Closing ps interrupts a read in progress, so Close need not wait out
	// readPoll.
	stop := context.AfterFunc(ctx, func() { _ = ps.Close() })
	defer stop()
	for {
		msg, err := ps.ReceiveTimeout(ctx, readPoll)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil && !isTimeout(err) {
			return err
		}
		if time.Since(time.Unix(0, b.lastProbe.Load())) > probeStale {
			return errProbeStale
		}
		if m, ok := msg.(*redis.Message); ok {
			b.receive(m.Payload)
		}
	}
}

// receive decodes one message and delivers it, unless it is a probe.
func (b *Bus) receive(payload string) {
	var e Event
	if err := json.Unmarshal([]byte(payload), &e); err != nil {
		b.log.Debug("undecodable message on the update channel ignored", "err", err)
		return
	}
	if e.Kind == kindProbe {
		if e.Origin == b.origin {
			b.markUp(false)
		}
		return
	}
	b.deliver(e)
}

// probe publishes this bus's probe every probeEvery; read checks that it
// comes back. A failed probe marks the path broken at once, so that
// Publish stops waiting on Redis before the staleness check would notice.
func (b *Bus) probe(ctx context.Context) {
	defer b.wg.Done()
	msg, _ := json.Marshal(Event{Kind: kindProbe, Origin: b.origin}) // strings only: cannot fail
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := b.publish(ctx, msg); err != nil && ctx.Err() == nil {
				b.markDown(err)
			}
		}
	}
}

// State describes the bus for /readyz: StateRedis, StateBusDegraded or
// StateLocal.
func (b *Bus) State() string {
	switch {
	case b.rdb == nil:
		return StateLocal
	case b.healthy.Load():
		return StateRedis
	default:
		return StateBusDegraded
	}
}

// Dropped counts events dropped for subscribers that did not keep up.
func (b *Bus) Dropped() int64 { return b.dropped.Load() }

// Close stops the bus's goroutines, closes every subscriber's channel and
// the Redis client. Publish fails afterwards.
func (b *Bus) Close() error {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		return nil
	}
	b.closed = true
	b.mu.Unlock()
	if b.cancel != nil {
		b.cancel()
	}
	b.wg.Wait()
	b.mu.Lock()
	for id, ch := range b.subs {
		delete(b.subs, id)
		close(ch)
	}
	b.mu.Unlock()
	if b.rdb != nil {
		if err := b.rdb.Close(); err != nil {
			return fmt.Errorf("cache: bus: close redis: %w", err)
		}
	}
	return nil
}
