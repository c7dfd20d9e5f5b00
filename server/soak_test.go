package server_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// TestSoak runs mixed load for HWFDASH_SOAK (e.g. 20s in CI, 5m in
// `make soak`): readers, websocket clients that come and go, and a write
// every second. Afterwards there must be no 5xx, every client still
// connected must have seen the final version, and goroutines and heap must
// be back near their baseline.
func TestSoak(t *testing.T) {
	skipShort(t, "soak")
	d, err := time.ParseDuration(os.Getenv("HWFDASH_SOAK"))
	if err != nil {
		t.Skip("set HWFDASH_SOAK=20s (make soak-short) or 5m (make soak)")
	}
	http.DefaultClient.CloseIdleConnections()
	baseG := runtime.NumGoroutine()
	baseHeap := liveHeap()

	// The in-process cache is bounded in bytes: every write leaves the
	// previous version's payloads behind, so without the bound the heap
	// grows with the number of writes (it reached 126 MiB in 5 minutes with
	// a bound in entries only).
	const cacheMax = 16 << 20
	t.Run("load", func(t *testing.T) {
		a := startApp(t, appOptions{rate: 100000, cacheMax: cacheMax})
		startHeap := liveHeap()
		stop := make(chan struct{})
		var wg sync.WaitGroup
		var fiveXX, reads atomic.Int64
		paths := []string{"/api/v1/indicators/HWF_0001/regional", "/api/v1/milestones", "/api/v1/countries/AUT/summary",
			"/api/v1/indicators/hwf_dnm/data?countries=EU27&time=2010..2023", "/api/v1/code/rounds",
			"/api/v1/indicators/HWF_0006/data?format=csv"}
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func(seed uint64) {
				defer wg.Done()
				rng := rand.New(rand.NewPCG(seed, 1))
				for {
					select {
					case <-stop:
						return
					default:
					}
					resp, err := http.Get(a.URL + paths[rng.IntN(len(paths))])
					if err != nil {
						continue
					}
					resp.Body.Close()
					reads.Add(1)
					if resp.StatusCode >= 500 {
						fiveXX.Add(1)
					}
				}
			}(uint64(i))
		}
		// Websocket clients that connect, watch for a while, and leave.
		var churn atomic.Int64
		for i := 0; i < 4; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(a.URL, "http")+"/ws", nil)
					if err != nil {
						continue
					}
					_ = c.WriteJSON(map[string]any{"subscribe": []string{"indicator:HWF_0001", "milestones"}})
					_ = c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
					for {
						if _, _, err := c.ReadMessage(); err != nil {
							break
						}
					}
					c.Close()
					churn.Add(1)
				}
			}()
		}
		// Steady clients that stay to the end and record the last version.
		type steady struct {
			conn *websocket.Conn
			last atomic.Int64
			done chan struct{}
		}
		var clients []*steady
		for i := 0; i < 5; i++ {
			c, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(a.URL, "http")+"/ws", nil)
			if err != nil {
				t.Fatal(err)
			}
			s := &steady{conn: c, done: make(chan struct{})}
			clients = append(clients, s)
			_ = c.WriteJSON(map[string]any{"subscribe": []string{"indicator:HWF_0001"}})
			go func() {
				defer close(s.done)
				for {
					_, data, err := c.ReadMessage()
					if err != nil {
						return
					}
					var m wsMessage
					if json.Unmarshal(data, &m) == nil && m.Type == "update" {
						s.last.Store(m.Version)
					}
				}
			}()
		}
		var final int64
		end := time.Now().Add(d)
		for i := 0; time.Now().Before(end); i++ {
			status, v := submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "NLD", Year: 2025,
				Value: float64(40 + i%10), Source: fmt.Sprintf("soak write %d", i)})
			if status != http.StatusCreated {
				t.Errorf("write %d: status %d", i, status)
			}
			final = v
			time.Sleep(time.Second) // the load profile: one write per second
		}
		close(stop)
		wg.Wait()
		for i, s := range clients {
			deadline := time.Now().Add(10 * time.Second)
			for s.last.Load() != final && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond) // the last push may still be in flight
			}
			if got := s.last.Load(); got != final {
				t.Errorf("steady client %d last saw version %d, final is %d", i, got, final)
			}
			s.conn.Close()
			<-s.done
		}
		if n := fiveXX.Load(); n != 0 {
			t.Errorf("%d answers were 5xx", n)
		}
		t.Logf("%d reads, %d websocket sessions, final version %d", reads.Load(), churn.Load(), final)
		// While the server still runs: its heap may hold the cache's bound
		// more than at the start, and some slack for what the load left in
		// pools and connections, but must not grow with the writes.
		endHeap := liveHeap()
		entries, bytes := a.Cache.LocalSize()
		t.Logf("heap while running: %d MiB at the start, %d MiB at the end; cache %d entries, %d MiB (bound %d MiB)",
			startHeap>>20, endHeap>>20, entries, bytes>>20, cacheMax>>20)
		if bytes > cacheMax {
			t.Errorf("the cache holds %d bytes, bound %d", bytes, cacheMax)
		}
		if endHeap > startHeap+cacheMax+32<<20 {
			t.Errorf("heap grew from %d to %d bytes while running (cache bound %d)", startHeap, endHeap, cacheMax)
		}
	})

	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > baseG+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // goroutines exit asynchronously after Shutdown
	}
	if n := runtime.NumGoroutine(); n > baseG+2 {
		t.Errorf("%d goroutines after the soak, baseline %d", n, baseG)
	}
	after := liveHeap()
	t.Logf("heap: baseline %d MiB, after %d MiB", baseHeap>>20, after>>20)
	// What stays is the test's own shared data set and assets (loaded once
	// per test binary), not the server.
	if after > baseHeap+32<<20 {
		t.Errorf("heap grew from %d to %d bytes", baseHeap, after)
	}
}

// liveHeap is the heap in use after collecting garbage twice: objects
// reachable from a finalizer (connections, files) survive the first
// collection, with everything they reference.
func liveHeap() uint64 {
	var ms runtime.MemStats
	runtime.GC()
	runtime.GC()
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}
