// Package cache provides hwfdash's cache of computed payloads and its update
// bus, each backed by Redis when a Redis URL is given and in process
// otherwise. Redis failures never fail a read or a publish: both fall back to
// the local path, log the outage once, and recover when Redis returns.
package cache

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
)

// computeTimeout bounds a shared computation, which outlives the request
// that started it.
const computeTimeout = 30 * time.Second

// DefaultLocalMaxBytes is the in-process LRU's byte bound when none is
// given: room for every current payload of a busy dashboard (all
// indicators' data and regional payloads are about 12 MB) several versions
// over, well under what a small instance has.
const DefaultLocalMaxBytes = 64 << 20

// The other defaults of Options.
const (
	// DefaultLocalMaxEntries bounds the in-process LRU's entries.
	DefaultLocalMaxEntries = 4096
	// DefaultTTL is how long an entry lives in Redis.
	DefaultTTL = 10 * time.Minute
	// DefaultPrefix is prepended to every Redis key.
	DefaultPrefix = "hwfdash:"
)

// Cache states reported by State.
const (
	StateRedis    = "redis"
	StateDegraded = "redis (degraded: local fallback)"
	StateLocal    = "local"
)

// Options configure a Cache.
type Options struct {
	// RedisURL, when set, shares entries between instances through Redis
	// (redis://host:port/db); empty keeps them in process only.
	RedisURL string
	// Prefix is prepended to every Redis key; default DefaultPrefix.
	Prefix string
	// TTL is how long an entry lives in Redis; default DefaultTTL.
	TTL time.Duration
	// LocalMaxEntries bounds the in-process LRU; 0 means
	// DefaultLocalMaxEntries, and a
	// negative value disables it, so every read goes to Redis (the load
	// generator measures that path this way).
	LocalMaxEntries int
	// LocalMaxBytes bounds the bytes the in-process LRU holds (keys,
	// values and a per-entry overhead); 0 means DefaultLocalMaxBytes.
	LocalMaxBytes int64
	// Logger receives outage and recovery messages; default discards.
	Logger *slog.Logger
}

// Cache is a two-level cache of computed payloads: a bounded in-process LRU
// in front of Redis. Callers put the data version in the key, so an entry is
// never invalidated, only evicted or expired. It is safe for concurrent use.
type Cache struct {
	opts  Options
	log   *slog.Logger
	rdb   *redis.Client // nil: in process only
	local *lru
	group singleflight.Group

	healthy      atomic.Bool
	closed       atomic.Bool
	replyErrSeen atomic.Bool
	down         chan struct{} // wakes the prober when Redis fails
	cancel       context.CancelFunc
	wg           sync.WaitGroup
}

// New builds a cache; with opts.RedisURL it shares entries through Redis.
// It checks Redis once (within a short timeout) and never fails: an
// unreachable or invalid Redis leaves the cache working in process. The
// background prober stops with ctx or Close.
func New(ctx context.Context, opts Options) *Cache {
	if opts.Prefix == "" {
		opts.Prefix = DefaultPrefix
	}
	if opts.TTL <= 0 {
		opts.TTL = DefaultTTL
	}
	switch {
	case opts.LocalMaxEntries == 0:
		opts.LocalMaxEntries = DefaultLocalMaxEntries
	case opts.LocalMaxEntries < 0:
		opts.LocalMaxEntries = 0
	}
	if opts.LocalMaxBytes <= 0 {
		opts.LocalMaxBytes = DefaultLocalMaxBytes
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Cache{opts: opts, log: opts.Logger, local: newLRU(opts.LocalMaxEntries, opts.LocalMaxBytes), down: make(chan struct{}, 1)}
	if opts.RedisURL == "" {
		return c
	}
	rdb, err := newRedisClient(opts.RedisURL)
	if err != nil {
		c.log.Error("invalid redis url: caching in process only", "err", err)
		return c
	}
	c.rdb = rdb
	pctx, cancel := context.WithCancel(ctx)
	c.cancel = cancel
	if err := ping(pctx, rdb); err == nil {
		c.healthy.Store(true)
	} else {
		c.log.Warn("redis unavailable: caching in process until it returns", "err", err)
		c.down <- struct{}{}
	}
	c.wg.Add(1)
	go c.probe(pctx)
	return c
}

// GetOrCompute returns the payload under key: from the local LRU, else from
// Redis, else from compute, which runs once however many callers miss the
// key at the same time. The computation is shared, so it does not stop when
// the caller that started it goes away (only after computeTimeout); a
// caller whose ctx ends gets ctx.Err() without waiting for it. Errors from
// compute are returned unchanged and not cached. The returned slice is
// shared between callers and must not be modified.
func (c *Cache) GetOrCompute(ctx context.Context, key string, compute func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	if v, ok := c.local.get(key); ok {
		return v, nil
	}
	fctx := context.WithoutCancel(ctx)
	ch := c.group.DoChan(key, func() (any, error) { return c.load(fctx, key, compute) })
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		return r.Val.([]byte), nil
	}
}

// Peek returns the payload under key when the in-process cache holds it,
// without computing or asking Redis: the read path's fast case, which needs
// no context or deadline.
func (c *Cache) Peek(key string) ([]byte, bool) {
	return c.local.get(key)
}

// PeekBytes is Peek for a key built in a buffer, which it looks up without
// making a string of it.
func (c *Cache) PeekBytes(key []byte) ([]byte, bool) {
	return c.local.getBytes(key)
}

// load is the body of one flight for key.
func (c *Cache) load(ctx context.Context, key string, compute func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	// A flight that finished just after this caller's local miss has
	// already stored the value.
	if v, ok := c.local.get(key); ok {
		return v, nil
	}
	if v, ok := c.redisGet(ctx, key); ok {
		c.local.put(key, v)
		return v, nil
	}
	cctx, cancel := context.WithTimeout(ctx, computeTimeout)
	defer cancel()
	v, err := c.compute(cctx, key, compute)
	if err != nil {
		return nil, err
	}
	c.local.put(key, v)
	// Synchronous, but bounded by redisTimeout, and skipped while Redis is
	// unhealthy; the value is already served locally whatever happens.
	c.redisSet(ctx, key, v)
	return v, nil
}

// compute runs fn, turning a panic into an error: inside a singleflight a
// panic would otherwise be re-raised on a goroutine nobody can recover,
// taking the whole server down for one bad chart.
func (c *Cache) compute(ctx context.Context, key string, fn func(ctx context.Context) ([]byte, error)) (v []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			c.log.Error("compute panicked", "key", key, "panic", r, "stack", string(debug.Stack()))
			err = fmt.Errorf("cache: compute %s: panic: %v", key, r)
		}
	}()
	return fn(ctx)
}

func (c *Cache) redisUsable() bool {
	return c.rdb != nil && c.healthy.Load() && !c.closed.Load()
}

// PutShared stores v under key in Redis for ttl, for every instance to
// read (GetShared): small, short-lived state that is not a computed
// payload, such as an import's progress while its upload runs on one
// instance and its page polls whichever nginx picks. ErrNotShared when
// there is no healthy Redis.
func (c *Cache) PutShared(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	if !c.redisUsable() {
		return ErrNotShared
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	if err := c.rdb.Set(ctx, c.opts.Prefix+"shared:"+key, v, ttl).Err(); err != nil {
		c.fail(err)
		return fmt.Errorf("cache: put shared %s: %w", key, err)
	}
	return nil
}

// GetShared reads what PutShared stored under key: nil, nil when nothing
// is (or no longer is); ErrNotShared when there is no healthy Redis.
func (c *Cache) GetShared(ctx context.Context, key string) ([]byte, error) {
	if !c.redisUsable() {
		return nil, ErrNotShared
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	v, err := c.rdb.Get(ctx, c.opts.Prefix+"shared:"+key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		c.fail(err)
		return nil, fmt.Errorf("cache: get shared %s: %w", key, err)
	}
	return v, nil
}

// ErrNotShared is Count's error when there is no healthy Redis to count in:
// the caller counts in its own process instead.
var ErrNotShared = errors.New("cache: no shared counter (Redis not configured or unavailable)")

// Count adds one to key's counter in Redis and returns the count within
// the window that its first count opened: a rate limit every instance
// shares, so N instances do not allow N times the rate. The counter and its
// expiry are set in one script, so a counter never outlives its window.
func (c *Cache) Count(ctx context.Context, key string, window time.Duration) (int64, error) {
	if !c.redisUsable() || window <= 0 {
		return 0, ErrNotShared
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	n, err := countScript.Run(ctx, c.rdb, []string{c.opts.Prefix + "rate:" + key}, window.Milliseconds()).Int64()
	if err != nil {
		c.fail(err)
		return 0, fmt.Errorf("cache: count %s: %w", key, err)
	}
	return n, nil
}

var countScript = redis.NewScript(`
local n = redis.call("INCR", KEYS[1])
if n == 1 then redis.call("PEXPIRE", KEYS[1], ARGV[1]) end
return n`)

func (c *Cache) redisGet(ctx context.Context, key string) ([]byte, bool) {
	if !c.redisUsable() {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	v, err := c.rdb.Get(ctx, c.opts.Prefix+key).Bytes()
	if err != nil {
		if !errors.Is(err, redis.Nil) {
			c.fail(err)
		}
		return nil, false
	}
	return v, true
}

func (c *Cache) redisSet(ctx context.Context, key string, v []byte) {
	if !c.redisUsable() {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	if err := c.rdb.Set(ctx, c.opts.Prefix+key, v, c.opts.TTL).Err(); err != nil {
		c.fail(err)
	}
}

// fail records a Redis error. A refused command (say, out of memory) shows
// Redis is up, so it only costs that one entry; anything else marks Redis
// unhealthy until the prober sees it answer again. Either is logged at
// warning level once, not per request.
func (c *Cache) fail(err error) {
	if c.closed.Load() {
		return // the client was closed under a request: not an outage
	}
	if isReplyError(err) {
		if c.replyErrSeen.CompareAndSwap(false, true) {
			c.log.Warn("redis refused a command; further refusals are logged at debug level", "err", err)
		} else {
			c.log.Debug("redis refused a command", "err", err)
		}
		return
	}
	if c.healthy.CompareAndSwap(true, false) {
		c.log.Warn("redis failed: caching in process until it returns", "err", err)
		select {
		case c.down <- struct{}{}:
		default:
		}
	}
}

// probe waits for Redis to fail, then pings it with exponential backoff
// until it answers again.
func (c *Cache) probe(ctx context.Context) {
	defer c.wg.Done()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.down:
		}
		var b backoff
		for {
			if !sleep(ctx, b.next()) {
				return
			}
			if ping(ctx, c.rdb) == nil {
				c.healthy.Store(true)
				c.log.Info("redis is back: shared cache resumed")
				break
			}
		}
	}
}

// LocalSize reports the in-process LRU's entries and the bytes they count
// for, against LocalMaxBytes: what an operator reads in the admin stats.
func (c *Cache) LocalSize() (entries int, bytes int64) { return c.local.size() }

// State describes the cache for /readyz: StateRedis, StateDegraded or
// StateLocal.
func (c *Cache) State() string {
	switch {
	case c.rdb == nil:
		return StateLocal
	case c.healthy.Load():
		return StateRedis
	default:
		return StateDegraded
	}
}

// Close stops the prober and closes the Redis client. The cache still
// serves and computes afterwards, in process only.
func (c *Cache) Close() error {
	if !c.closed.CompareAndSwap(false, true) {
		return nil
	}
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
	if c.rdb != nil {
		if err := c.rdb.Close(); err != nil {
			return fmt.Errorf("cache: close redis: %w", err)
		}
	}
	return nil
}
