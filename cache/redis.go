package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/redis/go-redis/v9/maintnotifications"
)

// redisTimeout bounds every Redis call, so a stopped Redis holds a request
// back by no more than this.
const redisTimeout = 250 * time.Millisecond

// Reconnection backoff bounds, shared by the cache's prober and the bus.
const (
	minBackoff = 100 * time.Millisecond
	maxBackoff = 5 * time.Second
)

// newRedisClient builds a client that fails fast: a cache or bus that waits
// on a sick Redis is worse than one that falls back at once.
func newRedisClient(url string) (*redis.Client, error) {
	o, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("cache: parse redis url: %w", err)
	}
	o.DialTimeout = redisTimeout
	o.ReadTimeout = redisTimeout
	o.WriteTimeout = redisTimeout
	o.PoolTimeout = redisTimeout
	o.MaxRetries = -1 // no retries: -1, because 0 means the default of 3
	// go-redis retries a failed dial 5 times by default, which would turn
	// one 250 ms timeout into more than a second.
	o.DialerRetries = 1
	// Fewer round trips in the connection handshake, each of which a
	// stalled server would make us wait out.
	o.DisableIdentity = true
	o.MaintNotificationsConfig = &maintnotifications.Config{Mode: maintnotifications.ModeDisabled}
	return redis.NewClient(o), nil
}

// ping checks that Redis answers, within redisTimeout.
func ping(ctx context.Context, rdb *redis.Client) error {
	ctx, cancel := context.WithTimeout(ctx, redisTimeout)
	defer cancel()
	return rdb.Ping(ctx).Err()
}

// isReplyError tells a command Redis refused (out of memory, wrong type…)
// from a failure to reach Redis: only the latter makes Redis unhealthy.
func isReplyError(err error) bool {
	var re redis.Error
	return errors.As(err, &re)
}

// isTimeout reports a read deadline passing with nothing to read.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}

// backoff yields exponentially growing waits between minBackoff and
// maxBackoff, with jitter so that instances do not reconnect in lockstep.
type backoff struct{ d time.Duration }

func (b *backoff) next() time.Duration {
	if b.d == 0 {
		b.d = minBackoff
	} else {
		b.d = min(2*b.d, maxBackoff)
	}
	return b.d - rand.N(b.d/5)
}

func (b *backoff) reset() { b.d = 0 }

// sleep waits for d or until ctx is done; it reports whether d elapsed.
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
