package server

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// budget is a token bucket per key (a client address): burst tokens,
// refilled at rate a second. Keys are few at a time; full buckets are
// swept when the map grows.
type budget struct {
	burst, rate float64
	mu          sync.Mutex
	buckets     map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newBudget(burst, rate float64) *budget {
	return &budget{burst: burst, rate: rate, buckets: map[string]*bucket{}}
}

// take spends a token of key's bucket at now. When there is none it
// reports how long until there is one.
func (b *budget) take(key string, now time.Time) (ok bool, wait time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.buckets) > 10000 {
		for k, bk := range b.buckets {
			if bk.tokens+b.rate*now.Sub(bk.last).Seconds() >= b.burst {
				delete(b.buckets, k)
			}
		}
	}
	bk := b.buckets[key]
	if bk == nil {
		bk = &bucket{tokens: b.burst, last: now}
		b.buckets[key] = bk
	}
	bk.tokens = min(b.burst, bk.tokens+b.rate*now.Sub(bk.last).Seconds())
	bk.last = now
	if bk.tokens < 1 {
		return false, time.Duration((1 - bk.tokens) / b.rate * float64(time.Second))
	}
	bk.tokens--
	return true, 0
}

// budgetAddr is the client address a request's computations are counted
// under.
// TODO(issue 15 item 1): the trusted-proxy client address, once merged.
func (s *Server) budgetAddr(c *fiber.Ctx) string { return c.IP() }

// budgeted wraps a payload computation so that it spends a token of the
// client's budget of uncached computations, or answers 429. Reads served
// from the cache never reach it.
func (s *Server) budgeted(addr string, compute func(ctx context.Context) ([]byte, error)) func(ctx context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		if ok, wait := s.computes.take(addr, time.Now()); !ok {
			secs := int(math.Ceil(wait.Seconds()))
			return nil, &apiError{Status: fiber.StatusTooManyRequests, RetryAfter: secs,
				Message: fmt.Sprintf("too many uncached requests from this client: retry in %d s, or ask for views already computed", secs)}
		}
		return compute(ctx)
	}
}
