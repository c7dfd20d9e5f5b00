package ws

import (
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/fasthttp/websocket"
	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// IsUpgrade reports whether a request asks for a websocket upgrade.
func IsUpgrade(c *fiber.Ctx) bool { return websocket.FastHTTPIsWebSocketUpgrade(c.Context()) }

// Handler upgrades a request to a websocket client of the hub; the caller
// answers requests that are not upgrades (IsUpgrade).
func (h *Hub) Handler() fiber.Handler {
	return func(c *fiber.Ctx) error {
		h.serve(c.Context())
		return nil
	}
}

// checkOrigin allows clients without an Origin (not browsers), the server's
// own origin (host is the request's Host), and the configured AllowedOrigins.
func (h *Hub) checkOrigin(origin, host string) bool {
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, host) {
		return true
	}
	for _, o := range h.cfg.AllowedOrigins {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

func (h *Hub) checkOriginCtx(ctx *fasthttp.RequestCtx) bool {
	return h.checkOrigin(string(ctx.Request.Header.Peek(fasthttp.HeaderOrigin)), string(ctx.Host()))
}

// refuse answers a refused upgrade as net/http's http.Error does.
func refuse(ctx *fasthttp.RequestCtx, status int, body string) {
	ctx.SetStatusCode(status)
	ctx.Response.Header.Set(fasthttp.HeaderContentType, "text/plain; charset=utf-8")
	ctx.Response.Header.Set(fasthttp.HeaderXContentTypeOptions, "nosniff")
	ctx.SetBodyString(body + "\n")
}

// serve upgrades the connection on fasthttp directly: the client's reads
// run in the goroutine fasthttp starts for the hijacked connection, which
// starts small, so an idle connection costs that one goroutine and no other.
//
// The connection is counted (per-address cap, the hub's wait group) before
// the upgrade, so that the cap holds while handshakes are under way, but
// fasthttp runs the hijack handler only once it has written the 101; when
// it does not (a write error), the count is given back after
// handshakeTimeout.
func (h *Hub) serve(ctx *fasthttp.RequestCtx) {
	addr, _, err := net.SplitHostPort(ctx.RemoteAddr().String())
	if err != nil {
		addr = ctx.RemoteAddr().String()
	}
	if !h.checkOriginCtx(ctx) {
		refuse(ctx, fasthttp.StatusForbidden, `{"error":"origin not allowed","field":"Origin"}`)
		return
	}
	if status, msg := h.admit(addr); status != 0 {
		refuse(ctx, status, msg)
		return
	}
	var settled atomic.Bool // the count is either taken by a client or given back, once
	giveBack := func() {
		if settled.CompareAndSwap(false, true) {
			h.mu.Lock()
			h.releaseLocked(addr)
			h.mu.Unlock()
			h.wg.Done()
		}
	}
	timer := time.AfterFunc(handshakeTimeout, giveBack)
	err = h.upgrader.Upgrade(ctx, func(conn *websocket.Conn) {
		timer.Stop()
		if !settled.CompareAndSwap(false, true) {
			return // too late: the count was given back
		}
		// fasthttp hands over a pooled wrapper whose Close does nothing
		// and which serves another connection once this function returns:
		// the hub writes to and closes the connection under it.
		nc := conn.NetConn()
		if u, ok := nc.(interface{ UnsafeConn() net.Conn }); ok {
			nc = u.UnsafeConn()
		}
		c := &Client{h: h, conn: conn, nc: nc, out: nc, try: newRawWriter(nc), addr: addr, topics: map[string]bool{}}
		h.add(c)
		c.readLoop()
	})
	if err != nil {
		timer.Stop()
		giveBack()
	}
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
