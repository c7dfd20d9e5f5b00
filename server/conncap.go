package server

import (
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/valyala/fasthttp"
)

// connCap caps the plain HTTP connections of one direct peer. It keys on
// the TCP peer, not on X-Forwarded-For: a connection is counted before any
// request is read, and behind a proxy the peer is the proxy, which carries
// every client; trusted proxies are therefore exempt, and the proxy's own
// per-client limits apply in front of them.
type connCap struct {
	max     int
	exempt  func(netip.Addr) bool
	mu      sync.Mutex
	perAddr map[netip.Addr]int
}

func newConnCap(max int, exempt func(netip.Addr) bool) *connCap {
	return &connCap{max: max, exempt: exempt, perAddr: map[netip.Addr]int{}}
}

// refusal is written to a connection over the cap before it is closed.
const refusal = "HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: 51\r\n\r\n" +
	`{"error":"too many connections from this address"}` + "\n"

// state is the fasthttp server's ConnState hook: a new connection is
// counted, and refused when its peer already has max; a closed or hijacked
// one is uncounted (fasthttp reports one of those for every new one).
func (cc *connCap) state(c net.Conn, st fasthttp.ConnState) {
	a := peerAddr(c.RemoteAddr())
	if !a.IsValid() || cc.exempt(a) {
		return
	}
	switch st {
	case fasthttp.StateNew:
		cc.mu.Lock()
		cc.perAddr[a]++
		over := cc.perAddr[a] > cc.max
		cc.mu.Unlock()
		if over {
			// A fresh socket takes these few bytes without blocking; the
			// deadline covers a peer that has shrunk its window to nothing.
			_ = c.SetWriteDeadline(time.Now().Add(time.Second))
			_, _ = c.Write([]byte(refusal))
			_ = c.Close() // fasthttp's read fails at once and reports StateClosed
		}
	case fasthttp.StateClosed, fasthttp.StateHijacked:
		cc.mu.Lock()
		if cc.perAddr[a]--; cc.perAddr[a] <= 0 {
			delete(cc.perAddr, a)
		}
		cc.mu.Unlock()
	}
}
