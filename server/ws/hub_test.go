package ws

import (
	"encoding/json"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gorilla/websocket"
)

// echoApp subscribes clients to the topics they ask for and answers with
// their subscriptions.
type echoApp struct{}

func (echoApp) Hello() any { return map[string]string{"type": "hello"} }

func (echoApp) HandleMessage(c *Client, data []byte) {
	var m struct{ Subscribe, Unsubscribe []string }
	if err := json.Unmarshal(data, &m); err != nil {
		c.SendError("malformed")
		return
	}
	if strings.Contains(string(data), "panic") {
		panic("hostile message")
	}
	if _, err := c.SetTopics(m.Subscribe, m.Unsubscribe); err != nil {
		c.SendError(err.Error())
		return
	}
	topics := c.Topics()
	slices.Sort(topics)
	c.SendJSON(map[string]any{"type": "subscribed", "topics": topics})
}

// serve runs a hub behind a real listener and returns its ws:// URL.
func serve(t *testing.T, cfg Config) (*Hub, string) {
	t.Helper()
	h := New(echoApp{}, cfg)
	app := fiber.New(fiber.Config{DisableStartupMessage: true})
	app.Get("/ws", h.Handler())
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = app.Listener(ln) }()
	t.Cleanup(func() {
		h.CloseAll()
		_ = app.Shutdown()
		<-done
		h.Wait()
	})
	return h, "ws://" + ln.Addr().String() + "/ws"
}

func dial(t *testing.T, url string, header http.Header) *websocket.Conn {
	t.Helper()
	c, _, err := websocket.DefaultDialer.Dial(url, header)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if m := readJSON(t, c); m["type"] != "hello" {
		t.Fatalf("first message %v, want hello", m)
	}
	return c
}

func readJSON(t *testing.T, c *websocket.Conn) map[string]any {
	t.Helper()
	var m map[string]any
	if err := c.ReadJSON(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func subscribe(t *testing.T, c *websocket.Conn, msg string) map[string]any {
	t.Helper()
	if err := c.WriteMessage(websocket.TextMessage, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	return readJSON(t, c)
}

// TestHubTopics subscribes real clients and checks that a broadcast
// reaches exactly a topic's subscribers, and that the index follows
// unsubscriptions and disconnections.
func TestHubTopics(t *testing.T) {
	h, url := serve(t, Config{})
	a, b := dial(t, url, nil), dial(t, url, nil)
	subscribe(t, a, `{"subscribe":["x","y"]}`)
	if m := subscribe(t, b, `{"subscribe":["y"]}`); len(m["topics"].([]any)) != 1 {
		t.Fatalf("b subscribed to %v", m["topics"])
	}
	for _, tc := range []struct {
		topic string
		want  int
	}{{"x", 1}, {"y", 2}, {"z", 0}} {
		if got := h.Broadcast(tc.topic, TextFrame([]byte(`{"type":"update","topic":"`+tc.topic+`"}`))); got != tc.want {
			t.Errorf("broadcast to %s reached %d clients, want %d", tc.topic, got, tc.want)
		}
	}
	// a gets x then y; b gets y only: frames arrive in order.
	for _, want := range []string{"x", "y"} {
		if m := readJSON(t, a); m["topic"] != want {
			t.Fatalf("a got %v, want an update of %s", m, want)
		}
	}
	if m := readJSON(t, b); m["topic"] != "y" {
		t.Fatalf("b got %v, want an update of y", m)
	}
	all := h.AllTopics()
	slices.Sort(all)
	if !slices.Equal(all, []string{"x", "y"}) || !h.HasSubscribers("x") || h.HasSubscribers("z") {
		t.Fatalf("topics %v", all)
	}
	subscribe(t, a, `{"unsubscribe":["x"]}`)
	if h.HasSubscribers("x") {
		t.Fatal("x still has a subscriber after the only one left it")
	}
	// One more topic than allowed is refused, with the cap named.
	many := make([]string, MaxTopics+1)
	for i := range many {
		many[i] = string(rune('A' + i))
	}
	q, _ := json.Marshal(map[string]any{"subscribe": many})
	if m := subscribe(t, b, string(q)); m["type"] != "error" || !strings.Contains(m["error"].(string), "at most 32") {
		t.Fatalf("over the cap: %v", m)
	}
	// A panicking handler closes its own client only.
	if err := b.WriteMessage(websocket.TextMessage, []byte(`{"subscribe":["panic"]}`)); err != nil {
		t.Fatal(err)
	}
	for {
		if _, _, err := b.ReadMessage(); err != nil {
			break
		}
	}
	if m := subscribe(t, a, `{"subscribe":["y"]}`); m["type"] != "subscribed" {
		t.Fatalf("a after b's panic: %v", m)
	}
}

// TestClaim: each version of a topic's data is claimed once, an older one
// not after a newer one, a topic without subscribers never, and a topic's
// claims start again once its last subscriber left.
func TestClaim(t *testing.T) {
	h, url := serve(t, Config{})
	a := dial(t, url, nil)
	subscribe(t, a, `{"subscribe":["x","y"]}`)
	for i, tc := range []struct {
		topic string
		v     int64
		want  bool
	}{
		{"x", 5, true},
		{"x", 5, false}, // the same write seen again
		{"y", 5, true},  // another topic: claimed apart
		{"x", 4, false}, // older than what went out
		{"x", 7, true},
		{"z", 9, false}, // no subscribers
	} {
		if got := h.Claim(tc.topic, tc.v); got != tc.want {
			t.Errorf("%d: Claim(%s, %d) = %v, want %v", i, tc.topic, tc.v, got, tc.want)
		}
	}
	subscribe(t, a, `{"unsubscribe":["x"]}`)
	subscribe(t, a, `{"subscribe":["x"]}`)
	if !h.Claim("x", 6) {
		t.Error("a topic subscribed again does not keep the claims of before")
	}
}

// TestSlowClientDropped: a client that stops reading is dropped once its
// queue is full, while another subscriber keeps receiving.
func TestSlowClientDropped(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"ring", Config{}}, {"a write per client", Config{NoRing: true}}} {
		t.Run(tc.name, func(t *testing.T) {
			old := batchMin
			batchMin = 1 // two clients go through the ring too (where there is one)
			t.Cleanup(func() { batchMin = old })
			testSlowClientDropped(t, tc.cfg)
		})
	}
}

func testSlowClientDropped(t *testing.T, cfg Config) {
	h, url := serve(t, cfg)
	slow, fast := dial(t, url, nil), dial(t, url, nil)
	subscribe(t, slow, `{"subscribe":["t"]}`)
	subscribe(t, fast, `{"subscribe":["t"]}`)
	// The fast client reads each frame before the next is sent, so only
	// the slow one falls behind.
	got := make(chan error)
	go func() {
		for {
			_, _, err := fast.ReadMessage()
			got <- err
			if err != nil {
				return
			}
		}
	}()
	f := TextFrame([]byte(`"` + strings.Repeat("x", 64<<10) + `"`))
	sent := 0
	for h.Dropped() == 0 && sent < 100000 {
		h.Broadcast("t", f)
		sent++
		if err := <-got; err != nil {
			t.Fatalf("the fast client, after %d frames: %v", sent, err)
		}
	}
	if h.Dropped() != 1 {
		t.Fatalf("after %d frames of 64 KB, %d clients dropped, want the slow one", sent, h.Dropped())
	}
	// The slow client's connection ends: reading it now meets the end.
	_ = slow.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		if _, _, err := slow.ReadMessage(); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the dropped client's connection stayed open")
			}
			break
		}
	}
	// The fast one is still served.
	if n := h.Broadcast("t", f); n != 1 {
		t.Fatalf("a frame after the drop reached %d clients, want the fast one", n)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}

func TestCheckOrigin(t *testing.T) {
	for _, tc := range []struct {
		name    string
		allowed []string
		host    string
		origin  string
		ok      bool
	}{
		{"no origin (not a browser)", nil, "dash.example", "", true},
		{"Host alone is not trusted", nil, "dash.example", "http://dash.example", false},
		{"attacker's Host and Origin", nil, "evil.example", "http://evil.example", false},
		{"configured origin", []string{"https://dash.example"}, "dash.example", "https://dash.example", true},
		{"configured origin, other case, explicit port", []string{"https://dash.example"}, "x", "https://DASH.example:443", true},
		{"configured host, other scheme", []string{"https://dash.example"}, "dash.example", "http://dash.example", false},
		{"configured host, other port", []string{"https://dash.example"}, "dash.example", "https://dash.example:8443", false},
		{"allowed origin with a slash", []string{"https://ministry.example/"}, "x", "https://ministry.example", true},
		{"other origin", []string{"https://dash.example"}, "dash.example", "http://evil.example", false},
		{"any", []string{"*"}, "x", "http://evil.example", true},
		{"loopback, own host", nil, "127.0.0.1:8080", "http://127.0.0.1:8080", true},
		{"localhost, own host", nil, "localhost:8080", "http://localhost:8080", true},
		{"loopback, other port", nil, "127.0.0.1:8080", "http://127.0.0.1:9090", false},
		{"loopback origin, another Host", nil, "dash.example", "http://127.0.0.1", false},
		{"malformed", nil, "x", "http://%zz", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := New(echoApp{}, Config{AllowedOrigins: tc.allowed})
			if got := h.checkOrigin(tc.origin, tc.host); got != tc.ok {
				t.Fatalf("checkOrigin(%q, Host %q) = %v, want %v", tc.origin, tc.host, got, tc.ok)
			}
		})
	}
}

// TestUpgradeRefused: a foreign origin, an address over its cap and a
// hub that is closing are refused with their status.
func TestUpgradeRefused(t *testing.T) {
	h, url := serve(t, Config{MaxPerAddress: 2})
	refused := func(header http.Header, status int) {
		t.Helper()
		c, resp, err := websocket.DefaultDialer.Dial(url, header)
		if err == nil {
			c.Close()
			t.Fatalf("upgrade accepted, want %d", status)
		}
		if resp == nil || resp.StatusCode != status {
			t.Fatalf("refused with %v (%v), want %d", resp, err, status)
		}
	}
	refused(http.Header{"Origin": {"http://evil.example"}}, http.StatusForbidden)
	dial(t, url, nil)
	dial(t, url, nil)
	refused(nil, http.StatusTooManyRequests)
	if h.Count() != 2 {
		t.Fatalf("%d clients, want 2", h.Count())
	}
	h.CloseAll()
	refused(nil, http.StatusServiceUnavailable)
}

// TestPingAll: every client gets the hub's ping, through the ring and
// with a write per client.
func TestPingAll(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
	}{{"ring", Config{MaxPerAddress: 100}}, {"a write per client", Config{MaxPerAddress: 100, NoRing: true}}} {
		t.Run(tc.name, func(t *testing.T) {
			old := batchMin
			batchMin = 1
			t.Cleanup(func() { batchMin = old })
			h, url := serve(t, tc.cfg)
			const n = 40
			pinged := make(chan int, n)
			for i := range n {
				c := dial(t, url, nil)
				c.SetPingHandler(func(string) error { pinged <- i; return nil })
				go func() {
					for {
						if _, _, err := c.ReadMessage(); err != nil {
							return
						}
					}
				}()
			}
			h.pingAll()
			seen := map[int]bool{}
			timeout := time.After(10 * time.Second)
			for len(seen) < n {
				select {
				case i := <-pinged:
					seen[i] = true
				case <-timeout:
					t.Fatalf("%d of %d clients pinged", len(seen), n)
				}
			}
		})
	}
}
