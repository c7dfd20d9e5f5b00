package ws

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/websocket"
)

// ringOrSkip skips a test when this kernel offers no ring, except in CI,
// whose machines have one: there the fallback must not hide a failure.
func ringOrSkip(t *testing.T) {
	t.Helper()
	r := getRing()
	if r == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no usable io_uring on this machine; the CI machines have one")
		}
		t.Skip("no usable io_uring on this kernel: broadcasts write client by client")
	}
	putRing(r)
}

// TestRingBroadcast: through the ring, every client of a broadcast larger
// than a batch gets every frame whole and in order, while some clients
// close mid-way (their descriptors held by batches under way).
func TestRingBroadcast(t *testing.T) {
	ringOrSkip(t)
	old := batchMin
	batchMin = 1
	t.Cleanup(func() { batchMin = old })
	h, url := serve(t, Config{MaxPerAddress: 1000})
	const n, frames = 2*ringBatch + 44, 20
	conns := make([]*websocket.Conn, n)
	for i := range conns {
		conns[i] = dial(t, url, nil)
		subscribe(t, conns[i], `{"subscribe":["t"]}`)
	}
	before := ringSends.Load()
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i, c := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for want := range frames {
				if i%10 == 0 && want == 5 {
					c.Close() // a client that leaves while broadcasts go on
					return
				}
				var m struct {
					Seq int    `json:"seq"`
					Pad string `json:"pad"`
				}
				if err := c.ReadJSON(&m); err != nil {
					errs <- fmt.Errorf("client %d, frame %d: %w", i, want, err)
					return
				}
				if m.Seq != want || len(m.Pad) != 700 {
					errs <- fmt.Errorf("client %d: got frame %d (%d bytes of padding), want %d", i, m.Seq, len(m.Pad), want)
					return
				}
			}
		}()
	}
	for i := range frames {
		h.Broadcast("t", TextFrame(fmt.Appendf(nil, `{"seq":%d,"pad":"%s"}`, i, strings.Repeat("x", 700))))
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if ringSends.Load() == before {
		t.Fatal("no broadcast went through the ring")
	}
}

// TestRingProbe: this kernel's ring completes a send to a full socket at
// once (-EAGAIN), which the broadcast relies on never to wait.
func TestRingProbe(t *testing.T) {
	ringOrSkip(t)
	if err := probeRing(); err != nil {
		t.Fatal(err)
	}
}
