package server

import (
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/valyala/fasthttp"
)

// ParseTrustedProxies reads TRUSTED_PROXIES: comma-separated CIDRs or bare
// addresses of the proxies whose X-Forwarded-For and X-Real-IP headers are
// believed. Empty trusts none.
func ParseTrustedProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if pf, err := netip.ParsePrefix(p); err == nil {
			out = append(out, pf.Masked())
			continue
		}
		a, err := netip.ParseAddr(p)
		if err != nil {
			return nil, fmt.Errorf("trusted-proxies (TRUSTED_PROXIES): %q: want a CIDR such as 10.0.0.0/8 or an address", p)
		}
		a = a.Unmap()
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// trusted reports whether a is one of the trusted proxies.
func (s *Server) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range s.cfg.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// peerAddr is the address of the TCP peer of a connection.
func peerAddr(remote net.Addr) netip.Addr {
	if ta, ok := remote.(*net.TCPAddr); ok {
		if a, ok := netip.AddrFromSlice(ta.IP); ok {
			return a.Unmap()
		}
	}
	if ap, err := netip.ParseAddrPort(remote.String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// clientAddr is the address every per-address limit keys on: the TCP peer,
// unless the peer is a trusted proxy; then the rightmost hop of
// X-Forwarded-For that is not itself a trusted proxy (hops left of it were
// written by the client and prove nothing), else X-Real-IP. A client that
// is not a trusted proxy cannot choose its address by sending the headers.
func (s *Server) clientAddr(ctx *fasthttp.RequestCtx) string {
	peer := peerAddr(ctx.RemoteAddr())
	if !peer.IsValid() {
		return ctx.RemoteAddr().String()
	}
	if len(s.cfg.TrustedProxies) == 0 || !s.trusted(peer) {
		return peer.String()
	}
	client := peer
	seen := false
	all := ctx.Request.Header.PeekAll(fasthttp.HeaderXForwardedFor)
	for i := len(all) - 1; i >= 0; i-- {
		hops := strings.Split(string(all[i]), ",")
		for j := len(hops) - 1; j >= 0; j-- {
			a, ok := parseHop(hops[j])
			if !ok {
				return client.String() // garbage left of a trusted hop: the hop is the client
			}
			seen = true
			client = a
			if !s.trusted(a) {
				return a.String()
			}
		}
	}
	if !seen {
		if a, ok := parseHop(string(ctx.Request.Header.Peek("X-Real-IP"))); ok {
			return a.String()
		}
	}
	return client.String()
}

// parseHop reads one X-Forwarded-For entry: an address, perhaps with a port.
func parseHop(h string) (netip.Addr, bool) {
	h = strings.TrimSpace(h)
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap(), true
	}
	if ap, err := netip.ParseAddrPort(h); err == nil {
		return ap.Addr().Unmap(), true
	}
	return netip.Addr{}, false
}
