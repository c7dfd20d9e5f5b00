package ws

import (
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gorilla/websocket"
)

// IsUpgrade reports whether a request asks for a websocket upgrade.
func IsUpgrade(c *fiber.Ctx) bool {
	r := &http.Request{Header: http.Header{}}
	r.Header.Set("Connection", c.Get(fiber.HeaderConnection))
	r.Header.Set("Upgrade", c.Get(fiber.HeaderUpgrade))
	return websocket.IsWebSocketUpgrade(r)
}

// Handler upgrades a request to a websocket client of the hub; the caller
// answers requests that are not upgrades (IsUpgrade).
func (h *Hub) Handler() fiber.Handler {
	return adaptor.HTTPHandlerFunc(h.serveHTTP)
}

// checkOrigin allows clients without an Origin (not browsers), the server's
// own origin, and the configured AllowedOrigins.
func (h *Hub) checkOrigin(r *http.Request) bool {
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
	for _, o := range h.cfg.AllowedOrigins {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

func (h *Hub) serveHTTP(w http.ResponseWriter, r *http.Request) {
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	if !h.checkOrigin(r) {
		http.Error(w, `{"error":"origin not allowed","field":"Origin"}`, http.StatusForbidden)
		return
	}
	if status, msg := h.admit(addr); status != 0 {
		http.Error(w, msg, status)
		return
	}
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.mu.Lock()
		h.releaseLocked(addr)
		h.mu.Unlock()
		h.wg.Done()
		return
	}
	c := &Client{h: h, conn: conn, out: conn.NetConn(), try: newRawWriter(conn.NetConn()), addr: addr, topics: map[string]bool{}}
	h.add(c)
	// The reads go on in a goroutine of their own, and this one returns:
	// the adaptor's handler goroutine grew a deep stack serving the upgrade
	// through Fiber, and would keep it for the connection's whole life. A
	// fresh goroutine starts small, so an idle connection costs two small
	// stacks (this reader and fasthttp's, parked until the connection
	// closes) instead of a large one and a small one. After a hijack,
	// returning is what net/http handlers do; the connection stays open.
	go c.readLoop()
}

// admit counts a new connection from addr, unless the hub is closing or
// the address has its cap; then it returns the status and body to answer.
// An admitted connection is counted in h.wg until it is removed.
func (h *Hub) admit(addr string) (int, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closing {
		return http.StatusServiceUnavailable, `{"error":"shutting down"}`
	}
	if h.perAddr[addr] >= h.cfg.MaxPerAddress {
		return http.StatusTooManyRequests, `{"error":"too many connections from this address"}`
	}
	h.perAddr[addr]++
	h.wg.Add(1)
	if !h.pinging {
		h.pinging = true
		h.wg.Add(1)
		go h.pingLoop()
	}
	return 0, ""
}

// releaseLocked uncounts a connection from addr; h.mu is held.
func (h *Hub) releaseLocked(addr string) {
	h.perAddr[addr]--
	if h.perAddr[addr] <= 0 {
		delete(h.perAddr, addr)
	}
}
