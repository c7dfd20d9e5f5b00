package server

import (
	"context"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
)

// limitWrite applies the write rate limit to a key (a token or a client
// address).
func (s *Server) limitWrite(ctx context.Context, key string) error {
	if !s.limiter.allow(ctx, key) {
		return &apiError{Status: fiber.StatusTooManyRequests, Message: "too many writes: slow down and retry in a minute"}
	}
	return nil
}

// limiter is a fixed-window rate limiter per key. Windows are short and
// keys few (tokens and client addresses that write), so old windows are
// simply swept when the map grows.
type limiter struct {
	shared RateCounter // nil: counts in process only
	mu     sync.Mutex
	n      int
	window time.Duration
	hits   map[string]*window
}

type window struct {
	start time.Time
	count int
}

func newLimiter(n int, per time.Duration, shared RateCounter) *limiter {
	return &limiter{shared: shared, n: n, window: per, hits: map[string]*window{}}
}

// allow counts a write under key and reports whether it is within the
// rate: in the shared counter when there is one (every instance then
// counts against the same limit), else, or while it fails, in process.
func (l *limiter) allow(ctx context.Context, key string) bool {
	if l.shared != nil {
		if n, err := l.shared.Count(ctx, key, l.window); err == nil {
			return n <= int64(l.n)
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if len(l.hits) > 10000 {
		for k, w := range l.hits {
			if now.Sub(w.start) > l.window {
				delete(l.hits, k)
			}
		}
	}
	w, ok := l.hits[key]
	if !ok || now.Sub(w.start) > l.window {
		l.hits[key] = &window{start: now, count: 1}
		return true
	}
	w.count++
	return w.count <= l.n
}
