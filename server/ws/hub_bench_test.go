package ws

import (
	"bufio"
	"fmt"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
)

// discardConn is a websocket connection that discards what is written, so
// BenchmarkHubBroadcast measures the hub alone; done counts the frames.
type discardConn struct{ done *sync.WaitGroup }

func (d discardConn) SetWriteDeadline(time.Time) error { return nil }
func (d discardConn) Write(b []byte) (int, error) {
	d.done.Done()
	return len(b), nil
}
func (d discardConn) tryWrite(b []byte) (int, error) { return d.Write(b) }

// BenchmarkHubBroadcast fans one frame out to 10,000 subscribers whose
// writers discard, and waits until every one has been written: the hub's
// own cost per client per update (the goal is ≤ 1.5 µs). "direct" is the
// usual path (a client with nothing queued is written to by the
// broadcast); "queued" is the path of clients still writing, through a
// writer goroutine each. `make bench` reads these lines by name
// (internal/loadbench/hubbench.go).
func BenchmarkHubBroadcast(b *testing.B) {
	for _, mode := range []string{"direct", "queued"} {
		b.Run(mode, func(b *testing.B) {
			const clients = 10000
			h := New(nil, Config{})
			var written sync.WaitGroup
			for range clients {
				d := discardConn{&written}
				c := &Client{h: h, out: d, addr: "127.0.0.1", topics: map[string]bool{}}
				if mode == "direct" {
					c.try = d
				}
				h.add(c)
				if _, err := c.SetTopics([]string{"indicator:HWF_0001"}, nil); err != nil {
					b.Fatal(err)
				}
			}
			f := TextFrame([]byte(`{"type":"update","topic":"indicator:HWF_0001","version":1,"payload":{}}`))
			// One broadcast before the clock, as a running server has had:
			// the first through the queues starts 10,000 writer goroutines
			// on new stacks (80 MB the process has never touched), which
			// later ones reuse. Timed, that one-off weighed on the figure
			// as much as make bench's benchtime was short (BENCHMARKS.md).
			written.Add(clients)
			h.Broadcast("indicator:HWF_0001", f)
			written.Wait()
			b.ReportAllocs()
			for b.Loop() {
				written.Add(clients)
				if n := h.Broadcast("indicator:HWF_0001", f); n != clients {
					b.Fatalf("broadcast reached %d clients, want %d", n, clients)
				}
				written.Wait()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/clients, "ns/client")
		})
	}
}

// BenchmarkIdleConnection opens 1,000 websockets to a hub behind a real
// listener (fasthttp with ReduceMemoryUsage, as the websocket side of
// ConnSplit is), each from a raw socket that did the handshake and nothing
// else, and reports what an idle connection costs: heap in use and stacks
// after collections, both ends' sockets included, and goroutines.
func BenchmarkIdleConnection(b *testing.B) {
	const n = 1000
	h := New(nopApp{}, Config{MaxPerAddress: n})
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/ws", h.Handler())
	_ = app.Handler() // build the routes before serving
	srv := app.Server()
	srv.ReduceMemoryUsage = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	go func() { _ = srv.Serve(ln) }()
	defer func() { h.CloseAll(); _ = srv.Shutdown(); h.Wait() }()
	var bytes, goroutines float64
	for b.Loop() {
		m0, g0 := inUse()
		conns := make([]net.Conn, 0, n)
		for range n {
			conns = append(conns, handshake(b, ln.Addr().String()))
		}
		for h.Count() < n { // each counted once its reader runs
			runtime.Gosched()
		}
		m1, g1 := inUse()
		bytes += float64(m1) - float64(m0)
		goroutines += float64(g1 - g0)
		for _, c := range conns {
			c.Close()
		}
		for h.Count() > 0 {
			runtime.Gosched()
		}
	}
	b.ReportMetric(bytes/float64(b.N)/n, "B/conn")
	b.ReportMetric(goroutines/float64(b.N)/n, "goroutines/conn")
}

type nopApp struct{}

func (nopApp) Hello() any                    { return map[string]string{"type": "hello"} }
func (nopApp) HandleMessage(*Client, []byte) {}

// handshake opens a websocket with a raw socket and reads the 101.
func handshake(b *testing.B, addr string) net.Conn {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	fmt.Fprintf(c, "GET /ws HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", addr)
	r := bufio.NewReaderSize(c, 256)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			b.Fatal(err)
		}
		if line == "\r\n" {
			return c
		}
	}
}

func inUse() (uint64, int) {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse, runtime.NumGoroutine()
}
