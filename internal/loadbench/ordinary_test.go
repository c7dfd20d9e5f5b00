package loadbench

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/gorilla/websocket"
)

// startHub runs the textbook hub in this process on a loopback port.
func startHub(t *testing.T) *Proc { return startInProcess(t, "hub", serveTextbookHub) }

// startInProcess runs one of the bench's servers in this process on a
// loopback port until the test ends.
func startInProcess(t *testing.T, name string, serve func(context.Context, net.Listener) error) *Proc {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, ln) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("%s: %v", name, err)
		}
	})
	return &Proc{URL: "http://" + ln.Addr().String(), Addr: ln.Addr().String()}
}

// dialAll opens n plain clients of spec's server and waits until it counts
// them.
func dialAll(t *testing.T, spec *peerSpec, n int) []*websocket.Conn {
	t.Helper()
	var conns []*websocket.Conn
	for range n {
		c, _, err := websocket.DefaultDialer.Dial(spec.wsURL, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		conns = append(conns, c)
	}
	if err := (&ordFleet{peer: spec}).awaitRegistered(context.Background(), n); err != nil {
		t.Fatal(err)
	}
	return conns
}

// TestTextbookHubBroadcasts: every client of the hub gets a published body,
// byte for byte, as one text frame.
func TestTextbookHubBroadcasts(t *testing.T) {
	p := startHub(t)
	spec := hubPeer(p, 500)
	conns := dialAll(t, spec, 3)
	if err := spec.trigger(context.Background(), 6); err != nil {
		t.Fatal(err)
	}
	body := peerFrame(7, 500)
	for i, c := range conns {
		mt, data, err := c.ReadMessage()
		if err != nil || mt != websocket.TextMessage || !bytes.Equal(data, body) {
			t.Fatalf("client %d: type %d, %d bytes, %v; want the %d-byte frame", i, mt, len(data), err, len(body))
		}
	}
}

// TestOrdinaryFleetAgainstHub: the ordinary clients count every update of
// a series once, attribute it to its version and see the frame's size,
// whether they read into their own buffer or with ReadMessage.
func TestOrdinaryFleetAgainstHub(t *testing.T) {
	for _, readMessage := range []bool{false, true} {
		t.Run(fmt.Sprintf("readMessage=%v", readMessage), func(t *testing.T) {
			p := startHub(t)
			const size = 400
			f := newOrdFleet(hubPeer(p, size), readMessage)
			defer f.close()
			ctx := context.Background()
			if err := f.grow(ctx, 5); err != nil {
				t.Fatal(err)
			}
			ser, err := f.measure(ctx, 3, 1)
			if err != nil {
				t.Fatal(err)
			}
			st := ser.stats
			if st.clients != 5 || st.updates != 3 || st.lost != 0 || st.duplicated != 0 || len(st.delays) != 15 || len(st.lasts) != 3 {
				t.Fatalf("clients %d, updates %d, lost %d, duplicated %d, %d delays, %d lasts; want 5, 3, 0, 0, 15, 3",
					st.clients, st.updates, st.lost, st.duplicated, len(st.delays), len(st.lasts))
			}
			if got := f.frameSize.Load(); got != size {
				t.Errorf("frame size %d, want %d", got, size)
			}
		})
	}
}

// TestReadFrameReusesItsBuffer: a frame read into the connection's buffer
// is that frame's bytes only, after a longer one too.
func TestReadFrameReusesItsBuffer(t *testing.T) {
	frames := []string{strings.Repeat("a", 5000), "short", "", strings.Repeat("b", 700)}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer conn.Close()
		for _, f := range frames {
			if err := conn.WriteMessage(websocket.TextMessage, []byte(f)); err != nil {
				return
			}
		}
		_, _, _ = conn.ReadMessage() // until the client goes
	}))
	defer srv.Close()
	conn, _, err := websocket.DefaultDialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	var buf bytes.Buffer
	for i, want := range frames {
		got, err := readFrame(conn, &buf)
		if err != nil {
			t.Fatalf("frame %d: %v", i, err)
		}
		if string(got) != want {
			t.Fatalf("frame %d: %d bytes %.20q…, want %d bytes %.20q…", i, len(got), got, len(want), want)
		}
	}
}

func TestFrameVersion(t *testing.T) {
	for _, tc := range []struct {
		name  string
		frame string
		want  int64
		ok    bool
	}{
		{"hwfdash", `{"type":"update","topic":"t","version":42,"payload":{"version":9},"published":5}`, 42, true},
		{"peer frame", string(peerFrame(17, 300)), 17, true},
		{"centrifugo push", `{"push":{"channel":"bench","pub":{"data":{"type":"update","topic":"t","version":3,"payload":{}}}}}`, 3, true},
		{"hello", `{"type":"hello","version":12}`, 0, false},
		{"no digits", `{"type":"update","version":x}`, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := frameVersion([]byte(tc.frame))
			if ok != tc.ok || v != tc.want {
				t.Fatalf("got %d, %v; want %d, %v", v, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestPeerFrameSize(t *testing.T) {
	for _, size := range []int{0, 100, 777, 5000} {
		f := peerFrame(123, size)
		if size >= 100 && len(f) != size {
			t.Errorf("size %d: frame of %d bytes", size, len(f))
		}
		if v, ok := frameVersion(f); !ok || v != 123 {
			t.Errorf("size %d: version %d, %v", size, v, ok)
		}
	}
}

func TestOutliers(t *testing.T) {
	for _, tc := range []struct {
		lasts []int64
		want  int
	}{
		{nil, 0},
		{[]int64{10, 10, 10, 15}, 0},
		{[]int64{10, 10, 10, 16, 40}, 2},
	} {
		if got := outliers(tc.lasts); got != tc.want {
			t.Errorf("outliers(%v) = %d, want %d", tc.lasts, got, tc.want)
		}
	}
}

func TestCentrifugoPong(t *testing.T) {
	p := centrifugoPeer(&Proc{URL: "http://127.0.0.1:1", Addr: "127.0.0.1:1"}, 100)
	if got := p.pong([]byte("{}")); string(got) != "{}" {
		t.Errorf("ping answered %q, want {}", got)
	}
	if got := p.pong([]byte("{\"push\":{}}\n{}")); string(got) != "{}" {
		t.Errorf("a ping batched after a push answered %q, want {}", got)
	}
	if got := p.pong([]byte(`{"push":{}}`)); got != nil {
		t.Errorf("a push answered %q, want nothing", got)
	}
}

// TestPeerNoteFloor: the note gives the CPU floor of the last client,
// clients × (server + load generator CPU per client and update) / cores.
func TestPeerNoteFloor(t *testing.T) {
	pr := peerRuns{name: "x", runs: []peerRun{{series: ordSeries{stats: updateStats{clients: 10000, updates: 1, lasts: []int64{1}}}, cpu: 6, gen: 12}}}
	want := fmt.Sprintf("/ %d cores): %.0f ms", runtime.NumCPU(), 10000*18/float64(runtime.NumCPU())/1000)
	if got := pr.note(); !strings.Contains(got, want) {
		t.Fatalf("note %q lacks %q", got, want)
	}
}
