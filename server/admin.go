package server

import (
	"context"
	"encoding/json"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/server/engine"
)

// counters are the server's running totals, read by operators and by the
// load generator (`hwfdash bench`), which checks counts rather than times
// where it can. Add a field here and to Stats for each new counter.
type counters struct {
	// computes counts payload computations: cache misses that ran the
	// computation rather than waiting for another caller's.
	computes atomic.Int64
}

// Stats is the answer to GET /api/v1/admin/stats: the counters, and the
// process's goroutines, websocket clients and memory, so an operator (and
// the load generator, from its own process) can see what each connection
// costs. Admin only: cheap, but not for the public.
type Stats struct {
	Version    int64  `json:"version"`
	Computes   int64  `json:"computes"`
	Clients    int    `json:"websocket_clients"`
	Goroutines int    `json:"goroutines"`
	HeapInuse  uint64 `json:"heap_inuse_bytes"`
	StackInuse uint64 `json:"stack_inuse_bytes"`
	Sys        uint64 `json:"sys_bytes"`
	GCCycles   uint32 `json:"gc_cycles"`
	// The in-process cache: entries and the bytes they count for, bounded
	// by CACHE_LOCAL_MB.
	CacheEntries int   `json:"cache_local_entries"`
	CacheBytes   int64 `json:"cache_local_bytes"`
}

// counted wraps a payload computation so that each run is counted.
func (s *Server) counted(compute func(ctx context.Context) ([]byte, error)) func(ctx context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		s.counters.computes.Add(1)
		return compute(ctx)
	}
}

func (s *Server) getStats(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	c.Set(fiber.HeaderCacheControl, "no-store")
	entries, bytes := s.deps.Cache.LocalSize()
	return c.JSON(Stats{
		CacheEntries: entries,
		CacheBytes:   bytes,
		Version:      s.version.Load(),
		Computes:     s.counters.computes.Load(),
		Clients:      s.hub.Count(),
		Goroutines:   runtime.NumGoroutine(),
		HeapInuse:    m.HeapInuse,
		StackInuse:   m.StackInuse,
		Sys:          m.Sys,
		GCCycles:     m.NumGC,
	})
}

// RecomputeResult is the answer to POST /api/v1/admin/recompute.
type RecomputeResult struct {
	Payloads int     `json:"payloads"`
	Bytes    int     `json:"bytes"`
	Seconds  float64 `json:"seconds"`
}

// postRecompute computes every indicator's payloads from the store, around
// the cache and without keeping them: what a write would cost if it
// recomputed everything instead of what it affects. It is the baseline the
// load generator compares one write's recompute-and-push with.
func (s *Server) postRecompute(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	// Everything from scratch takes far longer than a request may: its own
	// bound, generous enough for a slow machine (or the race detector).
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Minute)
	defer cancel()
	res, err := s.recomputeAll(ctx)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(res)
}

// recomputeAll computes, for every indicator in the catalogue, its data
// (every country and year) and its regional aggregates (which are also its
// push payload), then the milestones and the Code rounds, each encoded as the API sends it.
func (s *Server) recomputeAll(ctx context.Context) (RecomputeResult, error) {
	v := s.version.Load()
	var res RecomputeResult
	add := func(p any, err error) error {
		if err != nil {
			return err
		}
		b, err := json.Marshal(p)
		if err != nil {
			return err
		}
		res.Payloads++
		res.Bytes += len(b)
		return nil
	}
	start := time.Now()
	for _, ind := range s.ref.Catalogue {
		if err := add(s.eng.Data(ctx, ind, nil, engine.TimeRange{}, v)); err != nil {
			return res, err
		}
		reg, err := s.eng.Regional(ctx, ind, 0, v)
		if err := add(reg, err); err != nil {
			return res, err
		}
	}
	if err := add(s.eng.Milestones(ctx, v)); err != nil {
		return res, err
	}
	if err := add(s.eng.Rounds(ctx, v)); err != nil {
		return res, err
	}
	res.Seconds = time.Since(start).Seconds()
	return res, nil
}

// postSettle runs a garbage collection and returns freed memory to the
// operating system: what the Go runtime does by itself on an idle server
// (a forced collection every two minutes, the background scavenger), done
// now, so the load generator can read an idle server's resident memory
// without waiting for it. Admin only.
func (s *Server) postSettle(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	debug.FreeOSMemory()
	return s.getStats(c)
}
