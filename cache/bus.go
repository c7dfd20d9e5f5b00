package cache

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
)

// Probe timing: the bus publishes a probe every probeEvery and considers the
// pub/sub path broken when its own probe has not come back for probeStale.
// PING alone would not do: a Redis can answer PING while a subscription has
// silently gone.
const (
	probeEvery = time.Second
	probeStale = 3 * time.Second
	subBuffer  = 64
)

// BusOptions configure a Bus.
type BusOptions struct {
	RedisURL string
	Channel  string // default "hwfdash:updates"
	Logger   *slog.Logger
}

// Bus delivers update events to every subscriber of every instance: through
// Redis pub/sub when configured, in process otherwise. Events published
// while Redis is unreachable reach this instance's subscribers only; when
// the pub/sub path recovers, subscribers get a "resync" event so that they
// re-read the store's version and catch up with what they missed.
type Bus struct {
	opts   BusOptions
	log    *slog.Logger
	rdb    *redis.Client
	origin string

	mu      sync.Mutex
	subs    map[int]chan Event
	nextID  int
	closed  bool
	dropped atomic.Int64

	healthy   atomic.Bool
	lastProbe atomic.Int64 // unix nanos of the last own probe received
	cancel    context.CancelFunc
	wg        sync.WaitGroup
}

// NewBus builds a bus; with opts.RedisURL it fans out through Redis.
func NewBus(ctx context.Context, opts BusOptions) *Bus {
	if opts.Channel == "" {
		opts.Channel = "hwfdash:updates"
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	b := &Bus{opts: opts, log: opts.Logger, subs: map[int]chan Event{}, origin: randomOrigin()}
	if opts.RedisURL == "" {
		return b
	}
	rdb, err := newRedisClient(opts.RedisURL)
	if err != nil {
		b.log.Error("invalid REDIS_URL: update bus in process only", "err", err)
		return b
	}
	b.rdb = rdb
	rctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	b.cancel = cancel
	b.wg.Add(2)
	go b.run(rctx)
	go b.probe(rctx)
	return b
}

func randomOrigin() string {
	p := make([]byte, 8)
	_, _ = rand.Read(p)
	return hex.EncodeToString(p)
}

// Subscribe returns a channel of events and a function that ends the
// subscription (and closes the channel). A subscriber that does not keep up
// loses events rather than holding back the bus; consumers detect the gap
// from the version numbers.
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

// Publish sends an event to every instance. It does not fail when Redis is
// down: the event then reaches this instance only.
func (b *Bus) Publish(ctx context.Context, e Event) error {
	if b.rdb == nil || !b.healthy.Load() {
		b.deliver(e)
		return nil
	}
	msg, err := json.Marshal(e)
	if err != nil {
		return err
	}
	pctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	if err := b.rdb.Publish(pctx, b.opts.Channel, msg).Err(); err != nil {
		b.markDown(err)
		b.deliver(e)
	}
	return nil
}

func (b *Bus) markDown(err error) {
	if b.healthy.CompareAndSwap(true, false) {
		b.log.Warn("update bus: redis pub/sub unavailable; events stay local until it returns", "err", err)
	}
}

// markUp records a working pub/sub path; after an outage subscribers are
// told to resync.
func (b *Bus) markUp(initial bool) {
	if b.healthy.CompareAndSwap(false, true) && !initial {
		b.log.Info("update bus: redis pub/sub is back")
		b.deliver(Event{Kind: "resync"})
	}
}

// run owns the subscription: it (re)subscribes with backoff and reads
// messages until the path breaks.
func (b *Bus) run(ctx context.Context) {
	defer b.wg.Done()
	backoff := 100 * time.Millisecond
	first := true
	for ctx.Err() == nil {
		ps := b.rdb.Subscribe(ctx, b.opts.Channel)
		if _, err := ps.ReceiveTimeout(ctx, time.Second); err != nil {
			_ = ps.Close()
			b.markDown(err)
			if !sleep(ctx, backoff) {
				return
			}
			backoff = min(backoff*2, 5*time.Second)
			first = false
			continue
		}
		backoff = 100 * time.Millisecond
		b.lastProbe.Store(time.Now().UnixNano())
		b.markUp(first)
		first = false
		err := b.read(ctx, ps)
		_ = ps.Close()
		if ctx.Err() != nil {
			return
		}
		b.markDown(err)
	}
}

func (b *Bus) read(ctx context.Context, ps *redis.PubSub) error {
	for {
		msg, err := ps.ReceiveTimeout(ctx, 500*time.Millisecond)
		if err != nil {
			var ne net.Error
			if !(errors.As(err, &ne) && ne.Timeout()) {
				return err
			}
		}
		if time.Since(time.Unix(0, b.lastProbe.Load())) > probeStale {
			return errors.New("own probe not seen: pub/sub path broken")
		}
		m, ok := msg.(*redis.Message)
		if !ok {
			continue
		}
		var e Event
		if err := json.Unmarshal([]byte(m.Payload), &e); err != nil {
			b.log.Warn("update bus: undecodable message ignored", "err", err)
			continue
		}
		if e.Kind == "probe" {
			if e.Origin == b.origin {
				b.lastProbe.Store(time.Now().UnixNano())
				b.markUp(false)
			}
			continue
		}
		b.deliver(e)
	}
}

// probe publishes this bus's probe; run checks that it comes back.
func (b *Bus) probe(ctx context.Context) {
	defer b.wg.Done()
	t := time.NewTicker(probeEvery)
	defer t.Stop()
	msg, _ := json.Marshal(Event{Kind: "probe", Origin: b.origin})
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			pctx, cancel := context.WithTimeout(ctx, redisTimeout)
			_ = b.rdb.Publish(pctx, b.opts.Channel, msg).Err()
			cancel()
		}
	}
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// State describes the bus for /readyz.
func (b *Bus) State() string {
	switch {
	case b.rdb == nil:
		return "local"
	case b.healthy.Load():
		return "redis"
	default:
		return "redis (degraded: local only)"
	}
}

// Dropped counts events dropped for subscribers that did not keep up.
func (b *Bus) Dropped() int64 { return b.dropped.Load() }

// Close stops the bus and closes every subscription.
func (b *Bus) Close() error {
	if b.cancel != nil {
		b.cancel()
	}
	b.wg.Wait()
	b.mu.Lock()
	b.closed = true
	for id, ch := range b.subs {
		delete(b.subs, id)
		close(ch)
	}
	b.mu.Unlock()
	if b.rdb != nil {
		return b.rdb.Close()
	}
	return nil
}
