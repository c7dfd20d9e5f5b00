package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hwfdash/hwfdash/server"
)

// peer is an HTTP client whose connections come from one loopback source
// address (127.0.0.2, 127.0.0.3, …): a real, distinct client address.
type peer struct {
	t      testing.TB
	source string
	hc     *http.Client
}

func newPeer(t testing.TB, source string) *peer {
	d := &net.Dialer{Timeout: 5 * time.Second}
	if source != "" {
		d.LocalAddr = &net.TCPAddr{IP: net.ParseIP(source)}
	}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &peer{t: t, source: source, hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}}
}

// do sends a request with a bearer token and extra headers and decodes a
// JSON answer into out (when not nil); it returns the status.
func (p *peer) do(method, url, token string, header map[string]string, body any, out any) int {
	p.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(mustJSON(body))
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		p.t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := p.hc.Do(req)
	if err != nil {
		p.t.Fatalf("%s %s from %s: %v", method, url, p.source, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			p.t.Fatalf("%s %s: %v in %s", method, url, err, truncate(b))
		}
	}
	return resp.StatusCode
}

// createToken makes a ministry token for iso3 with the admin token.
func (p *peer) createToken(base, iso3 string, header map[string]string) (int, string) {
	p.t.Helper()
	var res struct {
		Token string `json:"token"`
	}
	st := p.do(http.MethodPost, base+"/api/v1/tokens", adminToken, header,
		map[string]any{"label": "Ministry " + iso3 + " " + randHex(3), "countries": []string{iso3}}, &res)
	return st, res.Token
}

// floodBadTokens sends n writes with a wrong token and returns the last
// status.
func (p *peer) floodBadTokens(base string, n int, header func(i int) map[string]string) int {
	p.t.Helper()
	last := 0
	for i := range n {
		last = p.do(http.MethodPost, base+"/api/v1/observations", "wrong-"+randHex(4), header(i),
			[]obsRow{{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 1, Source: "s"}}, nil)
	}
	return last
}

func trust(cidrs ...string) func(*server.Config) {
	return func(c *server.Config) {
		for _, s := range cidrs {
			c.TrustedProxies = append(c.TrustedProxies, netip.MustParsePrefix(s))
		}
	}
}

// TestFailedAuthDoesNotBlockOthers is issue 15's attack behind a proxy:
// 125 bad-token writes from one client, all through the same trusted proxy
// (127.0.0.1, which sets X-Forwarded-For), must not make other clients'
// valid writes or the admin's token creation answer 429; the attacker's
// own failures are limited.
func TestFailedAuthDoesNotBlockOthers(t *testing.T) {
	a := startApp(t, appOptions{cfg: trust("127.0.0.1/32")})
	proxy := newPeer(t, "127.0.0.1")
	from := func(addr string) map[string]string { return map[string]string{"X-Forwarded-For": addr} }
	st, ministry := proxy.createToken(a.URL, "AUT", from("198.51.100.1"))
	if st != http.StatusCreated {
		t.Fatalf("token creation: %d", st)
	}
	last := proxy.floodBadTokens(a.URL, 125, func(int) map[string]string { return from("203.0.113.66") })
	if last != http.StatusTooManyRequests {
		t.Fatalf("the attacker's 125th bad token answered %d, want 429 (failures limited per client)", last)
	}
	row := []obsRow{{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 7, Source: "ministry"}}
	if st := proxy.do(http.MethodPost, a.URL+"/api/v1/observations", ministry, from("198.51.100.2"), row, nil); st != http.StatusCreated {
		t.Fatalf("another client's valid write: %d, want 201", st)
	}
	if st, _ := proxy.createToken(a.URL, "DEU", from("198.51.100.3")); st != http.StatusCreated {
		t.Fatalf("the admin's token creation: %d, want 201", st)
	}
	// A valid token is limited per token, not by its address's failures.
	if st := proxy.do(http.MethodPost, a.URL+"/api/v1/observations", ministry, from("203.0.113.66"), row, nil); st != http.StatusCreated {
		t.Fatalf("a valid token from the attacker's address: %d, want 201", st)
	}
	// The websocket control channel shares the count: that address's
	// next guess there closes the connection.
	ws := dialWS(t, a.URL, http.Header{"X-Forwarded-For": {"203.0.113.66"}})
	ws.send(map[string]any{"control": map[string]any{"action": "next"}, "token": "guess"})
	awaitClose(t, ws, websocket.ClosePolicyViolation)
}

// TestForwardedForIgnoredFromUntrustedPeers: a client that is not a
// trusted proxy cannot pick its address by sending X-Forwarded-For, while
// other real addresses keep their own counts.
func TestForwardedForIgnoredFromUntrustedPeers(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) {
		trust("10.0.0.0/8")(c)
		c.FailedAuthRate = 10
	}})
	attacker, other := newPeer(t, "127.0.0.2"), newPeer(t, "127.0.0.3")
	last := attacker.floodBadTokens(a.URL, 15, func(i int) map[string]string {
		return map[string]string{"X-Forwarded-For": netip.AddrFrom4([4]byte{198, 51, 100, byte(i)}).String(), "X-Real-IP": "192.0.2.9"}
	})
	if last != http.StatusTooManyRequests {
		t.Fatalf("spoofed X-Forwarded-For: the 15th bad token answered %d, want 429", last)
	}
	if st := other.do(http.MethodPost, a.URL+"/api/v1/observations", "wrong", nil,
		[]obsRow{{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 1, Source: "s"}}, nil); st != http.StatusUnauthorized {
		t.Fatalf("another address's first bad token: %d, want 401", st)
	}
}

// TestWebsocketCapPerClientBehindProxy: behind a trusted proxy the
// websocket cap counts each client, so one client cannot take every slot.
func TestWebsocketCapPerClientBehindProxy(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) {
		trust("127.0.0.1/32")(c)
		c.MaxConnsPerAddress = 2
	}})
	greedy := http.Header{"X-Forwarded-For": {"203.0.113.5"}}
	dialWS(t, a.URL, greedy)
	dialWS(t, a.URL, greedy)
	u := "ws" + strings.TrimPrefix(a.URL, "http") + "/ws"
	if _, resp, err := websocket.DefaultDialer.Dial(u, greedy); err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third connection of one client: err %v resp %v, want 429", err, resp)
	}
	dialWS(t, a.URL, http.Header{"X-Forwarded-For": {"203.0.113.6"}})
}

// TestWebsocketAdminGuessingClosed: wrong admin tokens on the control
// channel count as failed authentications; past the rate the connection is
// closed with 1008, and the address's HTTP failures answer 429.
func TestWebsocketAdminGuessingClosed(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) { c.FailedAuthRate = 5 }})
	ws := dialWS(t, a.URL, nil)
	for range 6 {
		if err := ws.conn.WriteJSON(map[string]any{"control": map[string]any{"action": "next"}, "token": "guess-" + randHex(4)}); err != nil {
			break // closed already
		}
	}
	awaitClose(t, ws, websocket.ClosePolicyViolation)
	st := newPeer(t, "").do(http.MethodPost, a.URL+"/api/v1/observations", "wrong", nil,
		[]obsRow{{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 1, Source: "s"}}, nil)
	if st != http.StatusTooManyRequests {
		t.Fatalf("an HTTP guess after the websocket guesses: %d, want 429 (one count per address)", st)
	}
}

// awaitClose reads until the connection closes and checks its close code.
func awaitClose(t testing.TB, ws *wsClient, code int) {
	t.Helper()
	_ = ws.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	for {
		if _, _, err := ws.conn.ReadMessage(); err != nil {
			if !websocket.IsCloseError(err, code) {
				t.Fatalf("connection ended with %v, want close %d", err, code)
			}
			return
		}
	}
}

// TestHTTPConnectionsPerAddress: plain HTTP connections beyond the cap
// from one direct peer are refused with 429; another address and a
// trusted proxy are not held back by it.
func TestHTTPConnectionsPerAddress(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) {
		c.MaxHTTPConnsPerAddress = 2
		trust("127.0.0.4/32")(c)
	}})
	addr := strings.TrimPrefix(a.URL, "http://")
	// open makes a keep-alive connection from source, sends one request
	// and returns the status of its answer; the connection stays open.
	open := func(source string) int {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}, Timeout: 5 * time.Second}
		c, err := d.DialContext(context.Background(), "tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		buf := make([]byte, 64)
		n, err := io.ReadAtLeast(c, buf, 12)
		if err != nil {
			t.Fatalf("from %s: %v", source, err)
		}
		var st int
		if _, err := fmt.Sscan(string(buf[9:n]), &st); err != nil {
			t.Fatalf("status line %q", buf[:n])
		}
		return st
	}
	for i := range 2 {
		if st := open("127.0.0.2"); st != http.StatusOK {
			t.Fatalf("connection %d: %d, want 200", i+1, st)
		}
	}
	if st := open("127.0.0.2"); st != http.StatusTooManyRequests {
		t.Fatalf("third connection from one address: %d, want 429", st)
	}
	if st := open("127.0.0.3"); st != http.StatusOK {
		t.Fatalf("another address: %d, want 200", st)
	}
	for i := range 3 {
		if st := open("127.0.0.4"); st != http.StatusOK {
			t.Fatalf("trusted proxy's connection %d: %d, want 200 (exempt)", i+1, st)
		}
	}
}

// TestIdleConnectionClosed: a connection that sends nothing is closed
// after the first-byte timeout, long before the read timeout.
func TestIdleConnectionClosed(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) {
		c.FirstByteTimeout = 200 * time.Millisecond
		c.ReadTimeout = time.Minute
	}})
	c, err := net.Dial("tcp", strings.TrimPrefix(a.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetReadDeadline(time.Now().Add(20 * time.Second)) // a guard; the close is the event awaited
	if _, err := c.Read(make([]byte, 1)); err == nil {
		t.Fatal("read data from a connection that sent nothing")
	} else if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("a silent connection was held open past the guard")
	}
}

// TestWebsocketOriginCheck: the origin is compared by scheme, host and
// port with PUBLIC_URL and ALLOWED_ORIGINS; the Host header is not
// trusted.
func TestWebsocketOriginCheck(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) {
		c.PublicURL = "https://dash.example"
		c.AllowedOrigins = []string{"http://ministry.example:8080"}
	}})
	u := "ws" + strings.TrimPrefix(a.URL, "http") + "/ws"
	for _, tc := range []struct {
		host, origin string
		ok           bool
	}{
		{"evil.example", "http://evil.example", false},
		{"dash.example", "https://dash.example", true},
		{"dash.example", "https://dash.example:443", true},
		{"dash.example", "http://dash.example", false},
		{"dash.example", "https://dash.example:8443", false},
		{"", "http://ministry.example:8080", true},
		{"", "http://ministry.example", false},
		{"", "https://ministry.example:8080", false},
	} {
		h := http.Header{"Origin": {tc.origin}}
		if tc.host != "" {
			h.Set("Host", tc.host)
		}
		c, resp, err := websocket.DefaultDialer.Dial(u, h)
		switch {
		case tc.ok && err != nil:
			t.Errorf("Host %q Origin %q: %v, want accepted", tc.host, tc.origin, err)
		case !tc.ok && (err == nil || resp == nil || resp.StatusCode != http.StatusForbidden):
			t.Errorf("Host %q Origin %q: err %v resp %v, want 403", tc.host, tc.origin, err, resp)
		}
		if c != nil {
			c.Close()
		}
	}
}
