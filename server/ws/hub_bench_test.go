package ws

import (
	"sync"
	"testing"
	"time"
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
