// Package ws is the websocket transport: it upgrades connections, keeps
// each client's topic subscriptions, and fans a frame encoded once out to
// every subscriber of a topic, dropping any client that cannot keep up.
// What messages mean is the application's business (App).
package ws

import (
	"log/slog"
	"runtime"
	"slices"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/valyala/fasthttp"
)

// App is what the hub needs from the application it serves.
type App interface {
	// Hello is the first message sent to a new client, as JSON.
	Hello() any
	// HandleMessage applies one text message from a client. It runs on a
	// fresh goroutine while the client's reads wait; a panic closes only
	// that client.
	HandleMessage(c *Client, data []byte)
}

// Config configures a Hub.
type Config struct {
	// AllowedOrigins may open websockets, compared by scheme, host and
	// port; "*" allows any. The Host header alone is never trusted: besides
	// these, only a loopback origin naming the request's own host (a browser
	// on the server's machine) is allowed. Clients without an Origin header
	// (not browsers) are always allowed.
	AllowedOrigins []string
	// ClientAddr is the client address of an upgrade request, which the
	// per-address cap keys on; nil means the TCP peer's address.
	ClientAddr func(*fasthttp.RequestCtx) string
	// MaxPerAddress caps the connections from one address; 0 means
	// MaxPerAddress.
	MaxPerAddress int
	// MaxLiveTopics bounds the distinct topics all clients subscribe to
	// (each costs the application work on an update); 0 means no bound.
	MaxLiveTopics int
	// NoRing makes a broadcast write to each client with a system call of
	// its own, instead of batching them through io_uring (Linux, where the
	// kernel allows it; elsewhere there is no ring).
	NoRing bool
	// Logger receives the hub's events; nil discards them.
	Logger *slog.Logger
}

// Hub keeps the websocket clients and their topic subscriptions.
//
// A connection costs one goroutine, fasthttp's for the hijacked connection,
// which reads; the hub adds none while the client is idle. A frame is encoded once, header included, for all its
// receivers. A broadcast writes it to each idle client's socket with one
// non-blocking write; what a socket does not take at once, and frames for
// a client still writing, wait in the client's bounded queue, written by a
// goroutine that lives only while that queue is non-empty, so a client
// whose socket is full holds back only itself. No connection keeps a write
// buffer; one ticker pings every client.
type Hub struct {
	app      App
	cfg      Config
	log      *slog.Logger
	upgrader websocket.FastHTTPUpgrader
	ping     Frame

	mu       sync.Mutex
	clients  map[*Client]struct{}
	topics   map[string]*subscribers // topic → its clients, so a broadcast does not scan everyone
	perAddr  map[string]int
	closing  bool
	pinging  bool
	stopPing chan struct{}
	wg       sync.WaitGroup
	dropped  int
}

// subscribers are one topic's clients. list is a snapshot, rebuilt on the
// first broadcast after a change and never modified, so a broadcast walks
// it without holding the hub's lock.
type subscribers struct {
	set  map[*Client]struct{}
	list []*Client
	// pushed is the highest data version pushed to the topic (Claim).
	pushed int64
}

// New returns a hub serving app.
func New(app App, cfg Config) *Hub {
	if cfg.MaxPerAddress == 0 {
		cfg.MaxPerAddress = MaxPerAddress
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	h := &Hub{app: app, cfg: cfg, log: cfg.Logger, clients: map[*Client]struct{}{}, topics: map[string]*subscribers{},
		perAddr: map[string]int{}, stopPing: make(chan struct{})}
	h.upgrader = websocket.FastHTTPUpgrader{
		// Clients send short JSON commands; gorilla grows reads past the
		// buffer as needed, up to the read limit.
		ReadBufferSize: 512,
		// Only messages written through gorilla's NextWriter use this, and
		// the hub writes its own frames: idle connections hold none.
		WriteBufferSize:   4096,
		WriteBufferPool:   &sync.Pool{},
		HandshakeTimeout:  handshakeTimeout,
		CheckOrigin:       h.checkOriginCtx,
		EnableCompression: false,
	}
	h.ping = NewFrame(websocket.PingMessage, nil)
	return h
}

// add registers a connected client.
func (h *Hub) add(c *Client) {
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
}

func (h *Hub) remove(c *Client) {
	h.mu.Lock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		for t := range c.topics {
			h.unsubscribe(c, t)
		}
		h.releaseLocked(c.addr)
		h.wg.Done()
	}
	h.mu.Unlock()
}

// subscribe and unsubscribe keep the topic index; h.mu is held.
func (h *Hub) subscribe(c *Client, topic string) {
	subs := h.topics[topic]
	if subs == nil {
		subs = &subscribers{set: map[*Client]struct{}{}}
		h.topics[topic] = subs
	}
	subs.set[c] = struct{}{}
	subs.list = nil
}

func (h *Hub) unsubscribe(c *Client, topic string) {
	subs := h.topics[topic]
	if subs == nil {
		return
	}
	delete(subs.set, c)
	subs.list = nil
	if len(subs.set) == 0 {
		delete(h.topics, topic)
	}
}

// Count is the number of connected clients.
func (h *Hub) Count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// Dropped is the number of clients dropped for being too slow.
func (h *Hub) Dropped() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.dropped
}

// subscriberList returns a topic's clients; the slice must not be modified.
func (h *Hub) subscriberList(topic string) []*Client {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := h.topics[topic]
	if subs == nil {
		return nil
	}
	if subs.list == nil {
		subs.list = make([]*Client, 0, len(subs.set))
		for c := range subs.set {
			subs.list = append(subs.list, c)
		}
	}
	return subs.list
}

// HasSubscribers tells whether a topic has any client.
func (h *Hub) HasSubscribers(topic string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.topics[topic] != nil
}

// Claim says whether the caller is the one to push version v of a topic's
// data: true when the topic has subscribers and no push of v, or of a later
// version, claimed it before. A write reaches the server twice when the
// version poll catches up with it before its bus event arrives; each path
// pushes only the topics the other has not, so no client gets a write's
// frame twice and none misses a topic only one of them covers.
func (h *Hub) Claim(topic string, v int64) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := h.topics[topic]
	if subs == nil || v <= subs.pushed {
		return false
	}
	subs.pushed = v
	return true
}

// AllTopics lists every topic some client subscribes to.
func (h *Hub) AllTopics() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	out := make([]string, 0, len(h.topics))
	for t := range h.topics {
		out = append(out, t)
	}
	return out
}

// Broadcast sends one frame to every subscriber of a topic and returns how
// many there were. Large fan-outs are split over one goroutine per
// processor, since each write is a system call of its own.
func (h *Hub) Broadcast(topic string, f Frame) int {
	subs := h.subscriberList(topic)
	h.fanOut(subs, f)
	return len(subs)
}

// fanOut delivers f to every client of subs: a broadcast's subscribers,
// or every client for a ping.
func (h *Hub) fanOut(subs []*Client, f Frame) {
	k := min(runtime.GOMAXPROCS(0), (len(subs)+chunk-1)/chunk)
	if k <= 1 {
		h.deliverAll(subs, f)
		return
	}
	var wg sync.WaitGroup
	size := (len(subs) + k - 1) / k
	for part := range slices.Chunk(subs, size) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h.deliverAll(part, f)
		}()
	}
	wg.Wait()
}

// batchMin is the least number of clients written through a ring
// (batchSender) rather than one write each; a variable for the tests.
var batchMin = 32

// deliverAll delivers f to every client of part.
func (h *Hub) deliverAll(part []*Client, f Frame) {
	if !h.cfg.NoRing && len(part) >= batchMin {
		if b := newBatchSender(); b != nil {
			defer b.release()
			b.deliver(part, f)
			return
		}
	}
	for _, c := range part {
		c.deliver(f)
	}
}

// pingLoop pings every client from one ticker; a client whose pong does not
// come within PongWait fails its read deadline and goes.
func (h *Hub) pingLoop() {
	defer h.wg.Done()
	t := time.NewTicker(PingEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stopPing:
			return
		case <-t.C:
			h.pingAll()
		}
	}
}

// pingAll pings every client as a broadcast does: an idle client's ping
// is written at once (through a ring where there is one), not by a writer
// goroutine started for each of thousands of clients.
func (h *Hub) pingAll() { h.fanOut(h.snapshot(), h.ping) }

func (h *Hub) snapshot() []*Client {
	h.mu.Lock()
	defer h.mu.Unlock()
	clients := make([]*Client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	return clients
}

// CloseAll tells every client the server is going away (1001), so that it
// reconnects to another instance, and refuses new clients.
func (h *Hub) CloseAll() {
	h.mu.Lock()
	if !h.closing {
		h.closing = true
		close(h.stopPing)
	}
	h.mu.Unlock()
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
	for _, c := range h.snapshot() {
		c.closeWith(msg)
	}
}

// Wait blocks until every client's goroutines have ended.
func (h *Hub) Wait() { h.wg.Wait() }
