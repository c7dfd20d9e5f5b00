package server

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gorilla/websocket"
)

// Websocket limits. A client that cannot take frames as fast as they come
// is dropped: its queue is bounded, so it can never hold back the others.
const (
	wsMaxMessage    = 4096
	wsQueue         = 64
	wsWriteWait     = 10 * time.Second
	wsPongWait      = 60 * time.Second
	wsPingEvery     = 25 * time.Second
	wsMaxTopics     = 32
	wsMaxPerAddress = 64
)

// hub keeps the websocket clients and their topic subscriptions.
type hub struct {
	s        *Server
	log      *slog.Logger
	upgrader websocket.Upgrader

	mu       sync.Mutex
	clients  map[*client]bool
	perAddr  map[string]int
	closing  bool
	wg       sync.WaitGroup
	dropped  int
	maxAddrN int
}

// client is one websocket connection.
type client struct {
	h      *hub
	conn   *websocket.Conn
	addr   string
	send   chan *websocket.PreparedMessage
	mu     sync.Mutex
	topics map[string]bool
	done   chan struct{}
	once   sync.Once
}

func newHub(s *Server, log *slog.Logger) *hub {
	h := &hub{s: s, log: log, clients: map[*client]bool{}, perAddr: map[string]int{}, maxAddrN: s.cfg.MaxConnsPerAddress}
	h.upgrader = websocket.Upgrader{
		ReadBufferSize:    1024,
		WriteBufferSize:   4096,
		HandshakeTimeout:  10 * time.Second,
		CheckOrigin:       h.checkOrigin,
		EnableCompression: false,
	}
	return h
}

// checkOrigin allows clients without an Origin (not browsers), the server's
// own origin, and the configured ALLOWED_ORIGINS.
func (h *hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range h.s.cfg.AllowedOrigins {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

func (h *hub) handler() fiber.Handler {
	serve := adaptor.HTTPHandlerFunc(h.serveWS)
	return func(c *fiber.Ctx) error {
		if !websocket.IsWebSocketUpgrade(adaptorRequest(c)) {
			return &apiError{Status: fiber.StatusUpgradeRequired, Message: "websocket upgrade required", Field: "Upgrade"}
		}
		return serve(c)
	}
}

// adaptorRequest is a minimal http.Request view for the upgrade check.
func adaptorRequest(c *fiber.Ctx) *http.Request {
	r := &http.Request{Header: http.Header{}}
	r.Header.Set("Connection", c.Get(fiber.HeaderConnection))
	r.Header.Set("Upgrade", c.Get(fiber.HeaderUpgrade))
	return r
}

func (h *hub) serveWS(w http.ResponseWriter, r *http.Request) {
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	if !h.checkOrigin(r) {
		http.Error(w, `{"error":"origin not allowed","field":"Origin"}`, http.StatusForbidden)
		return
	}
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		http.Error(w, `{"error":"shutting down"}`, http.StatusServiceUnavailable)
		return
	}
	if h.perAddr[addr] >= h.maxAddrN {
		h.mu.Unlock()
		http.Error(w, `{"error":"too many connections from this address"}`, http.StatusTooManyRequests)
		return
	}
	h.perAddr[addr]++
	h.wg.Add(1)
	h.mu.Unlock()
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.release(addr)
		h.wg.Done()
		return
	}
	c := &client{h: h, conn: conn, addr: addr, send: make(chan *websocket.PreparedMessage, wsQueue),
		topics: map[string]bool{}, done: make(chan struct{})}
	h.mu.Lock()
	h.clients[c] = true
	h.mu.Unlock()
	go c.writeLoop()
	c.readLoop() // the adaptor's goroutine owns the reads until the client goes
}

func (h *hub) release(addr string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.perAddr[addr]--
	if h.perAddr[addr] <= 0 {
		delete(h.perAddr, addr)
	}
}

func (h *hub) remove(c *client) {
	h.mu.Lock()
	if h.clients[c] {
		delete(h.clients, c)
		h.perAddr[c.addr]--
		if h.perAddr[c.addr] <= 0 {
			delete(h.perAddr, c.addr)
		}
		h.wg.Done()
	}
	h.mu.Unlock()
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// subscribers returns the clients subscribed to a topic.
func (h *hub) subscribers(topic string) []*client {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []*client
	for c := range h.clients {
		if c.subscribed(topic) {
			out = append(out, c)
		}
	}
	return out
}

// broadcast sends one prepared frame to every subscriber of a topic.
func (h *hub) broadcast(topic string, pm *websocket.PreparedMessage) int {
	subs := h.subscribers(topic)
	for _, c := range subs {
		c.enqueue(pm)
	}
	return len(subs)
}

// closeAll tells every client the server is going away (1001), so that it
// reconnects to another instance, and refuses new clients.
func (h *hub) closeAll() {
	h.mu.Lock()
	h.closing = true
	clients := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
	for _, c := range clients {
		c.closeWith(msg)
	}
}

// wait blocks until every client's goroutines have ended.
func (h *hub) wait() { h.wg.Wait() }

func (c *client) subscribed(topic string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.topics[topic]
}

// enqueue queues a frame without blocking; a full queue means the client
// does not keep up, and it is closed.
func (c *client) enqueue(pm *websocket.PreparedMessage) {
	select {
	case <-c.done:
	case c.send <- pm:
	default:
		c.h.mu.Lock()
		c.h.dropped++
		c.h.mu.Unlock()
		c.h.log.Info("dropping slow websocket client", "addr", c.addr)
		c.closeWith(websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "too slow"))
	}
}

func (c *client) closeWith(msg []byte) {
	c.once.Do(func() {
		close(c.done)
		_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		_ = c.conn.Close()
	})
}

func (c *client) writeLoop() {
	ping := time.NewTicker(wsPingEvery)
	defer ping.Stop()
	for {
		select {
		case <-c.done:
			return
		case pm := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(wsWriteWait))
			if err := c.conn.WritePreparedMessage(pm); err != nil {
				c.closeWith(nil)
				return
			}
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(wsWriteWait)); err != nil {
				c.closeWith(nil)
				return
			}
		}
	}
}

// clientMessage is what a client may send.
type clientMessage struct {
	Subscribe   []string `json:"subscribe"`
	Unsubscribe []string `json:"unsubscribe"`
	// Since is the last data version the client saw; topics it subscribes to
	// are sent again when the server knows a newer one, so a reconnecting
	// client has no gap.
	Since *int64 `json:"since"`
	// Control is a presenter command, accepted only with an admin token.
	Control *json.RawMessage `json:"control"`
	Token   string           `json:"token"`
}

func (c *client) readLoop() {
	defer func() {
		c.closeWith(nil)
		c.h.remove(c)
	}()
	c.conn.SetReadLimit(wsMaxMessage)
	_ = c.conn.SetReadDeadline(time.Now().Add(wsPongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(wsPongWait))
	})
	c.sendJSON(map[string]any{"type": "hello", "version": c.h.s.version.Load()})
	for {
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			return // includes the 1009 close gorilla sends when a frame is over the limit
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(wsPongWait))
		if kind != websocket.TextMessage {
			c.sendError("send JSON text messages")
			continue
		}
		c.h.s.handleClientMessage(c, data)
	}
}

func (c *client) sendJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	pm, err := websocket.NewPreparedMessage(websocket.TextMessage, b)
	if err != nil {
		return
	}
	c.enqueue(pm)
}

func (c *client) sendError(msg string) {
	c.sendJSON(map[string]string{"type": "error", "error": msg})
}

// setTopics applies a subscription change; it returns the topics newly
// subscribed, or an error when the cap would be passed.
func (c *client) setTopics(add, remove []string) ([]string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range remove {
		delete(c.topics, t)
	}
	var added []string
	for _, t := range add {
		if c.topics[t] {
			continue
		}
		if len(c.topics) >= wsMaxTopics {
			return added, fmt.Errorf("at most %d subscriptions per connection", wsMaxTopics)
		}
		c.topics[t] = true
		added = append(added, t)
	}
	return added, nil
}
