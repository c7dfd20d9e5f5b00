package loadbench

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/valyala/fasthttp"
)

// loadConns is the number of keep-alive connections of an HTTP load phase:
// enough to keep two cores busy through the loopback's latency, few enough
// that the client's own scheduling stays small.
const loadConns = 32

// httpClient is the one HTTP load client: every server and baseline of a
// target is driven with the same one, so their figures compare.
func httpClient(addr string, conns int) *fasthttp.HostClient {
	return &fasthttp.HostClient{
		Addr:                addr,
		MaxConns:            conns,
		ReadTimeout:         10 * time.Second,
		WriteTimeout:        10 * time.Second,
		MaxIdleConnDuration: time.Minute,
		// Bodies are read and dropped; keeping the default buffers avoids
		// reallocating them per request.
		ReadBufferSize: 16 << 10,
	}
}

// get sends one GET and checks the status and, when wantLen > 0, the body
// length.
func get(hc *fasthttp.HostClient, uri string, wantLen int, req *fasthttp.Request, resp *fasthttp.Response) error {
	req.SetRequestURI(uri)
	req.Header.SetHost(hc.Addr)
	req.Header.SetMethod(fasthttp.MethodGet)
	if err := hc.Do(req, resp); err != nil {
		return err
	}
	if resp.StatusCode() != fasthttp.StatusOK {
		return fmt.Errorf("GET %s: status %d", uri, resp.StatusCode())
	}
	if wantLen > 0 && len(resp.Body()) != wantLen {
		return fmt.Errorf("GET %s: %d bytes, want %d", uri, len(resp.Body()), wantLen)
	}
	return nil
}

// maxRate drives uri with conns closed-loop workers for d (after a short
// warm-up) and returns the completed requests per second.
func maxRate(ctx context.Context, addr, uri string, wantLen, conns int, d time.Duration) (float64, error) {
	hc := httpClient(addr, conns)
	defer hc.CloseIdleConnections()
	run := func(d time.Duration) (int64, time.Duration, error) {
		var n atomic.Int64
		var firstErr error
		var errOnce sync.Once
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		start := time.Now()
		var wg sync.WaitGroup
		for range conns {
			wg.Go(func() {
				req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
				defer fasthttp.ReleaseRequest(req)
				defer fasthttp.ReleaseResponse(resp)
				for ctx.Err() == nil {
					if err := get(hc, uri, wantLen, req, resp); err != nil {
						errOnce.Do(func() { firstErr = err; cancel() })
						return
					}
					n.Add(1)
				}
			})
		}
		wg.Wait()
		return n.Load(), time.Since(start), firstErr
	}
	if _, _, err := run(d / 5); err != nil {
		return 0, err
	}
	n, took, err := run(d)
	if err != nil {
		return 0, err
	}
	if ctx.Err() != nil {
		return 0, ctx.Err()
	}
	return float64(n) / took.Seconds(), nil
}

// warmConns sends conns requests at once, so that hc holds conns open
// connections.
func warmConns(hc *fasthttp.HostClient, uri string, wantLen, conns int) error {
	errs := make(chan error, conns)
	for range conns {
		go func() {
			_, err := getOnce(hc, uri, wantLen)
			errs <- err
		}()
	}
	var first error
	for range conns {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// getOnce sends one GET with pooled request and response and returns a
// copy of the body.
func getOnce(hc *fasthttp.HostClient, uri string, wantLen int) ([]byte, error) {
	req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
	defer fasthttp.ReleaseRequest(req)
	defer fasthttp.ReleaseResponse(resp)
	if err := get(hc, uri, wantLen, req, resp); err != nil {
		return nil, err
	}
	return append([]byte(nil), resp.Body()...), nil
}

// latencies is a sorted sample of request latencies.
type latencies []time.Duration

func (l latencies) quantile(q float64) time.Duration {
	if len(l) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(l)))) - 1
	return l[max(0, min(i, len(l)-1))]
}

// constantRate sends requests to uri at rate per second for d, open loop:
// request i is due at start + i/rate whatever happened to the earlier ones,
// so a slow answer delays the requests queued behind it and that delay is
// counted (no coordinated omission). One pacer releases the due requests
// every millisecond to the workers (a timer per request would cost the
// client more than the server's answer); a request's latency runs from when
// it was released, or from when it was due if that is later, so the pacer's
// own slack is not charged to the server.
func constantRate(ctx context.Context, addr, uri string, wantLen, conns int, rate float64, d time.Duration) (latencies, error) {
	hc := httpClient(addr, conns)
	defer hc.CloseIdleConnections()
	total := int(rate * d.Seconds())
	interval := time.Duration(float64(time.Second) / rate)
	out := make(latencies, total)
	type job struct {
		i    int
		from time.Time
	}
	jobs := make(chan job, total)
	// The connections are opened before the clock starts (a request on each
	// at once), and the load generator collects its garbage then, so that
	// neither its dials nor a collection of its own is timed as the server's.
	if err := warmConns(hc, uri, wantLen, conns); err != nil {
		return nil, err
	}
	runtime.GC()
	var firstErr error
	var errOnce sync.Once
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	var wg sync.WaitGroup
	for range conns {
		wg.Go(func() {
			req, resp := fasthttp.AcquireRequest(), fasthttp.AcquireResponse()
			defer fasthttp.ReleaseRequest(req)
			defer fasthttp.ReleaseResponse(resp)
			for j := range jobs {
				if ctx.Err() != nil {
					return
				}
				if err := get(hc, uri, wantLen, req, resp); err != nil {
					errOnce.Do(func() { firstErr = err; cancel() })
					return
				}
				out[j.i] = time.Since(j.from)
			}
		})
	}
	for sent := 0; sent < total && ctx.Err() == nil; {
		now := time.Now()
		due := min(total, int(now.Sub(start)/interval)+1)
		for ; sent < due; sent++ {
			from := start.Add(time.Duration(sent) * interval)
			if from.Before(now) {
				from = now
			}
			jobs <- job{sent, from}
		}
		time.Sleep(time.Millisecond)
	}
	close(jobs)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out, nil
}
