package server

import (
	"context"
	"log/slog"
	"testing"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/hwfdash/hwfdash/cache"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
	"github.com/hwfdash/hwfdash/store"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

// benchServer is a server over a seeded SQLite store, for benchmarks of
// the compute path against the cached path.
func benchServer(b testing.TB) *Server {
	b.Helper()
	ctx := context.Background()
	ds, err := seeddata.Load()
	if err != nil {
		b.Fatal(err)
	}
	db, err := store.Open(ctx, "", b.TempDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Seed(ctx, ds); err != nil {
		b.Fatal(err)
	}
	c := cache.New(ctx, cache.Options{})
	bus := cache.NewBus(ctx, cache.BusOptions{})
	b.Cleanup(func() { bus.Close(); c.Close() })
	s, err := New(Config{CurrentYear: func() int { return 2026 }}, Deps{Store: db, Tokens: db, Experiences: db, Cache: c, Bus: bus,
		Reference: engine.Reference{Countries: ds.Countries, Milestones: ds.Milestones, Rounds: ds.Rounds, Breaks: ds.Breaks, Lists: ds.Lists, Citations: ds.SeriesCitations}})
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkSummary compares computing a country summary from the store with
// serving it from the version-keyed cache (the README reports the ratio).
func BenchmarkSummary(b *testing.B) {
	s := benchServer(b)
	ctx := context.Background()
	b.Run("compute", func(b *testing.B) {
		for b.Loop() {
			if _, err := s.eng.Summary(ctx, "AUT", 1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		compute := func(ctx context.Context) ([]byte, error) { return []byte("{}"), nil }
		_, _ = s.deps.Cache.GetOrCompute(ctx, "v1:summary:AUT", compute)
		for b.Loop() {
			if _, err := s.deps.Cache.GetOrCompute(ctx, "v1:summary:AUT", compute); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMilestones measures the heaviest payload: every milestone's
// status over all Member States.
func BenchmarkMilestones(b *testing.B) {
	s := benchServer(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := s.eng.Milestones(ctx, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRegional measures one indicator's regional aggregates.
func BenchmarkRegional(b *testing.B) {
	s := benchServer(b)
	ctx := context.Background()
	ind, _ := indicators.Lookup("HWF_0001")
	for b.Loop() {
		if _, err := s.eng.Regional(ctx, ind, 2020, 1); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCachedRead is target 1 of BENCHMARKS.md in process: a cached
// data read through the server's handler (fastRead), through Fiber's route
// (middleware, ETag, cache lookup), and a bare fasthttp handler setting the
// same bytes.
func BenchmarkCachedRead(b *testing.B) {
	s := benchServer(b)
	const uri = "/api/v1/indicators/HWF_0001/data?countries=AUT,DEU&time=2000..2022"
	routed := s.app.Handler() // builds Fiber's route tree, as Listener does
	h := s.app.Server().Handler
	var warm fasthttp.RequestCtx
	warm.Request.SetRequestURI(uri)
	h(&warm)
	if warm.Response.StatusCode() != fiber.StatusOK {
		b.Fatalf("status %d: %s", warm.Response.StatusCode(), warm.Response.Body())
	}
	body := append([]byte(nil), warm.Response.Body()...)
	bare := func(c *fasthttp.RequestCtx) {
		c.SetContentType(fiber.MIMEApplicationJSONCharsetUTF8)
		c.Response.SetBodyRaw(body)
	}
	for _, bc := range []struct {
		name string
		h    fasthttp.RequestHandler
	}{{"hwfdash", h}, {"fiber-route", routed}, {"bare", bare}} {
		b.Run(bc.name, func(b *testing.B) {
			b.RunParallel(func(pb *testing.PB) {
				var c fasthttp.RequestCtx
				for pb.Next() {
					c.Request.Reset()
					c.Response.Reset()
					c.Request.SetRequestURI(uri)
					bc.h(&c)
					if len(c.Response.Body()) != len(body) {
						b.Fatalf("%d bytes, want %d", len(c.Response.Body()), len(body))
					}
				}
			})
		})
	}
}

// BenchmarkIndicatorPush computes an indicator topic's push payload after a
// write of one row to that indicator, as each update of the broadcast
// benchmark makes (the write itself is not timed): the time between a
// write and its broadcast, and the garbage a write leaves in the server,
// which paces its collector.
func BenchmarkIndicatorPush(b *testing.B) {
	s := benchServer(b)
	ctx := context.Background()
	if _, err := s.eng.TopicPayload(ctx, "indicator:HWF_0001", 0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		b.StopTimer()
		i++
		row := indicators.Observation{Indicator: "HWF_0001", ISO3: "AUT", Year: 2000 + i%20, Value: 50 + float64(i%997)/100, Source: "benchmark"}
		v, err := s.deps.Store.Append(ctx, []indicators.Observation{row}, "bench")
		if err != nil {
			b.Fatal(err)
		}
		s.eng.MarkChanged(v, []string{"HWF_0001"})
		b.StartTimer()
		if _, err := s.eng.TopicPayload(ctx, "indicator:HWF_0001", v); err != nil {
			b.Fatal(err)
		}
	}
}
