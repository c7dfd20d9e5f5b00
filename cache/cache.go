// Package cache provides hwfdash's cache of computed payloads and its update
// bus, each backed by Redis when a Redis URL is given and in process
// otherwise. Redis failures never fail a read or a write: both fall back to
// the local path and recover when Redis returns.
package cache

import (
	"container/list"
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"github.com/hwfdash/hwfdash/indicators"
)

// Event is an update event on the bus.
type Event = indicators.Update

// redisTimeout bounds every Redis call, so a stopped Redis holds a request
// back by no more than this.
const redisTimeout = 250 * time.Millisecond

// computeTimeout bounds a shared computation, which outlives the request
// that started it.
const computeTimeout = 30 * time.Second

// Options configure a Cache.
type Options struct {
	RedisURL        string
	Prefix          string // key prefix; default "hwfdash:"
	TTL             time.Duration
	LocalMaxEntries int
	Logger          *slog.Logger
}

// Cache is a two-level cache: a bounded in-process LRU in front of Redis.
// Keys carry the data version, so entries are never invalidated, only
// evicted or expired.
type Cache struct {
	opts    Options
	log     *slog.Logger
	rdb     *redis.Client
	local   *lru
	group   singleflight.Group
	healthy atomic.Bool
	down    chan struct{} // signals the prober that Redis failed
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// New builds a cache; with opts.RedisURL it shares entries through Redis.
func New(ctx context.Context, opts Options) *Cache {
	if opts.Prefix == "" {
		opts.Prefix = "hwfdash:"
	}
	if opts.TTL == 0 {
		opts.TTL = 10 * time.Minute
	}
	if opts.LocalMaxEntries == 0 {
		opts.LocalMaxEntries = 4096
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Cache{opts: opts, log: opts.Logger, local: newLRU(opts.LocalMaxEntries), down: make(chan struct{}, 1)}
	if opts.RedisURL == "" {
		return c
	}
	rdb, err := newRedisClient(opts.RedisURL)
	if err != nil {
		c.log.Error("invalid REDIS_URL: caching in process only", "err", err)
		return c
	}
	c.rdb = rdb
	pctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	c.cancel = cancel
	if pingErr := ping(pctx, rdb); pingErr == nil {
		c.healthy.Store(true)
	} else {
		c.log.Warn("redis unavailable at start: caching in process until it returns", "err", pingErr)
		c.down <- struct{}{}
	}
	c.wg.Add(1)
	go c.probe(pctx)
	return c
}

func newRedisClient(url string) (*redis.Client, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, err
	}
	o.DialTimeout = redisTimeout
	o.ReadTimeout = redisTimeout
	o.WriteTimeout = redisTimeout
	o.MaxRetries = -1 // fall back at once rather than retry a stalled server
	o.PoolTimeout = redisTimeout
	return redis.NewClient(o), nil
}

func ping(ctx context.Context, rdb *redis.Client) error {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	return rdb.Ping(ctx).Err()
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
		backoff := 100 * time.Millisecond
		for {
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			if ping(ctx, c.rdb) == nil {
				c.healthy.Store(true)
				c.log.Info("redis is back: shared cache resumed")
				break
			}
			backoff = min(backoff*2, 5*time.Second)
		}
	}
}

// fail marks Redis unhealthy; the log says so once per outage.
func (c *Cache) fail(err error) {
	if c.healthy.CompareAndSwap(true, false) {
		c.log.Warn("redis failed: caching in process until it returns", "err", err)
		select {
		case c.down <- struct{}{}:
		default:
		}
	}
}

// GetOrCompute returns the payload under key: from the local LRU, else from
// Redis, else computed once however many callers ask at the same time.
func (c *Cache) GetOrCompute(ctx context.Context, key string, compute func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	if v, ok := c.local.get(key); ok {
		return v, nil
	}
	ch := c.group.DoChan(key, func() (any, error) {
		// A flight that ended between the caller's miss and this one has
		// filled the local cache: look again rather than compute twice.
		if v, ok := c.local.get(key); ok {
			return v, nil
		}
		if v, ok := c.redisGet(ctx, key); ok {
			c.local.put(key, v)
			return v, nil
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), computeTimeout)
		defer cancel()
		v, err := compute(cctx)
		if err != nil {
			return nil, err
		}
		c.local.put(key, v)
		c.redisSet(cctx, key, v)
		return v, nil
	})
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

func (c *Cache) redisGet(ctx context.Context, key string) ([]byte, bool) {
	if c.rdb == nil || !c.healthy.Load() {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
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
	if c.rdb == nil || !c.healthy.Load() {
		return
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), redisTimeout)
	defer cancel()
	if err := c.rdb.Set(ctx, c.opts.Prefix+key, v, c.opts.TTL).Err(); err != nil {
		c.fail(err)
	}
}

// State describes the cache for /readyz.
func (c *Cache) State() string {
	switch {
	case c.rdb == nil:
		return "local"
	case c.healthy.Load():
		return "redis"
	default:
		return "redis (degraded: local fallback)"
	}
}

// Close stops the prober and closes the Redis client.
func (c *Cache) Close() error {
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
	if c.rdb != nil {
		return c.rdb.Close()
	}
	return nil
}

// lru is a bounded least-recently-used map.
type lru struct {
	mu    sync.Mutex
	max   int
	order *list.List
	items map[string]*list.Element
}

type lruEntry struct {
	key string
	val []byte
}

func newLRU(max int) *lru {
	return &lru{max: max, order: list.New(), items: map[string]*list.Element{}}
}

func (l *lru) get(key string) ([]byte, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	e, ok := l.items[key]
	if !ok {
		return nil, false
	}
	l.order.MoveToFront(e)
	return e.Value.(*lruEntry).val, true
}

func (l *lru) put(key string, val []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.items[key]; ok {
		e.Value.(*lruEntry).val = val
		l.order.MoveToFront(e)
		return
	}
	l.items[key] = l.order.PushFront(&lruEntry{key, val})
	for l.order.Len() > l.max {
		last := l.order.Back()
		l.order.Remove(last)
		delete(l.items, last.Value.(*lruEntry).key)
	}
}

func (l *lru) len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.order.Len()
}
