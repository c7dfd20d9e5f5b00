package server

import (
	"net"
	"net/netip"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestClientAddr: the headers name the client only when the TCP peer is a
// trusted proxy, and then the rightmost hop that is not one.
func TestClientAddr(t *testing.T) {
	proxies, err := ParseTrustedProxies("10.0.0.0/8, 192.168.1.1, ::1")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{cfg: Config{TrustedProxies: proxies}}
	for _, tc := range []struct {
		name, peer, xff, realIP, want string
	}{
		{"untrusted peer, headers ignored", "203.0.113.1", "198.51.100.1", "198.51.100.2", "203.0.113.1"},
		{"trusted peer, X-Forwarded-For", "10.1.2.3", "198.51.100.1", "", "198.51.100.1"},
		{"spoofed left hops skipped", "10.1.2.3", "1.2.3.4, 198.51.100.1", "", "198.51.100.1"},
		{"chain of trusted proxies", "10.1.2.3", "198.51.100.1, 192.168.1.1, 10.9.9.9", "", "198.51.100.1"},
		{"all hops trusted: the leftmost", "10.1.2.3", "10.0.0.7, 10.0.0.8", "", "10.0.0.7"},
		{"garbage left of a trusted hop", "10.1.2.3", "nonsense, 10.0.0.8", "", "10.0.0.8"},
		{"garbage only: the peer", "10.1.2.3", "nonsense", "", "10.1.2.3"},
		{"hop with a port", "10.1.2.3", "198.51.100.1:4711", "", "198.51.100.1"},
		{"X-Real-IP without X-Forwarded-For", "10.1.2.3", "", "198.51.100.9", "198.51.100.9"},
		{"no headers: the proxy", "10.1.2.3", "", "", "10.1.2.3"},
		{"IPv6 peer trusted", "::1", "2001:db8::1", "", "2001:db8::1"},
		{"IPv4-mapped peer", "::ffff:10.1.2.3", "198.51.100.1", "", "198.51.100.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var req fasthttp.Request
			if tc.xff != "" {
				req.Header.Set("X-Forwarded-For", tc.xff)
			}
			if tc.realIP != "" {
				req.Header.Set("X-Real-IP", tc.realIP)
			}
			var ctx fasthttp.RequestCtx
			ctx.Init(&req, &net.TCPAddr{IP: net.ParseIP(tc.peer), Port: 5555}, nil)
			if got := s.clientAddr(&ctx); got != tc.want {
				t.Fatalf("clientAddr = %s, want %s", got, tc.want)
			}
		})
	}
	if (&Server{}).clientAddr(func() *fasthttp.RequestCtx {
		var ctx fasthttp.RequestCtx
		var req fasthttp.Request
		req.Header.Set("X-Forwarded-For", "198.51.100.1")
		ctx.Init(&req, &net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 1}, nil)
		return &ctx
	}()) != "127.0.0.1" {
		t.Fatal("with no trusted proxies the headers were believed")
	}
	for _, bad := range []string{"10.0.0.0/33", "example.org", "10.0.0.0/8,,nope"} {
		if _, err := ParseTrustedProxies(bad); err == nil {
			t.Errorf("ParseTrustedProxies(%q) accepted", bad)
		}
	}
	if p, _ := ParseTrustedProxies("10.1.2.3/8"); len(p) != 1 || p[0] != netip.MustParsePrefix("10.0.0.0/8") {
		t.Errorf("a CIDR with host bits: %v, want it masked", p)
	}
}
