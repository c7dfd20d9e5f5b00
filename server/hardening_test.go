package server_test

import (
	"context"
	"io"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hwfdash/hwfdash/server"
)

// dbProxy is a TCP proxy in front of PostgreSQL that the test can cut, to
// make the database "go down" without touching the shared server.
type dbProxy struct {
	t      *testing.T
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
}

func newDBProxy(t *testing.T, target string) *dbProxy {
	p := &dbProxy{t: t, target: target, conns: map[net.Conn]bool{}}
	p.up()
	t.Cleanup(p.down)
	return p
}

func (p *dbProxy) up() {
	addr := p.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		p.t.Fatal(err)
	}
	p.mu.Lock()
	p.ln, p.addr = ln, ln.Addr().String()
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.serve(c)
		}
	}()
}

func (p *dbProxy) serve(c net.Conn) {
	s, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[s] = true, true
	p.mu.Unlock()
	go func() { _, _ = io.Copy(s, c); s.Close() }()
	_, _ = io.Copy(c, s)
	c.Close()
}

// down closes the listener and every connection.
func (p *dbProxy) down() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
		delete(p.conns, c)
	}
}

// TestDatabaseDown cuts the database: writes answer 503 with a clear
// message and store nothing, cached reads keep being served, and writes
// work again when the database returns, without a restart.
func TestDatabaseDown(t *testing.T) {
	skipShort(t, "fault-injection")
	dsn := pgSchemaDSN(t)
	proxy := newDBProxy(t, "127.0.0.1:5432")
	dsn = strings.Replace(dsn, "127.0.0.1:5432", proxy.addr, 1)
	a := startApp(t, appOptions{dsn: dsn, poll: time.Hour})
	read := a.URL + "/api/v1/indicators/HWF_0001/regional?year=2020"
	if r := getJSON(t, read, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("read: %d", r.StatusCode)
	}
	row := obsRow{Indicator: "HWF_0001", ISO3: "ITA", Year: 2025, Value: 42.4, Source: "ISTAT"}
	proxy.down()
	var res struct {
		Error string `json:"error"`
	}
	resp := call(t, http.MethodPost, a.URL+"/api/v1/observations", adminToken, "application/json", mustJSON([]obsRow{row}), &res)
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(res.Error, "nothing was stored") {
		t.Fatalf("write with the database down: %d %q", resp.StatusCode, res.Error)
	}
	if r := getJSON(t, read, nil); r.StatusCode != http.StatusOK {
		t.Fatalf("cached read with the database down: %d", r.StatusCode)
	}
	proxy.up()
	deadline := time.Now().Add(15 * time.Second)
	for {
		status, _ := submit(t, a.URL, adminToken, row)
		if status == http.StatusCreated {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("writes never recovered: %d", status)
		}
		time.Sleep(100 * time.Millisecond) // the pool redials on its own schedule
	}
	hist := struct {
		Revisions []any `json:"revisions"`
	}{}
	getJSON(t, a.URL+"/api/v1/indicators/HWF_0001/history?iso3=ITA&year=2025", &hist)
	if len(hist.Revisions) != 1 {
		t.Fatalf("%d revisions, want exactly the one acknowledged", len(hist.Revisions))
	}
}

func TestSecurityHeadersAndCORS(t *testing.T) {
	a := startApp(t, appOptions{})
	resp := getJSON(t, a.URL+"/api/v1/indicators", nil)
	for k, want := range map[string]string{
		"X-Content-Type-Options":      "nosniff",
		"Referrer-Policy":             "strict-origin-when-cross-origin",
		"X-Frame-Options":             "DENY",
		"Access-Control-Allow-Origin": "*",
	} {
		if got := resp.Header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	// API answers are data: nothing may load, nothing may frame them.
	if csp := resp.Header.Get("Content-Security-Policy"); csp != "default-src 'none'; frame-ancestors 'none'" {
		t.Errorf("API CSP %q", csp)
	}
	page, err := http.Get(a.URL + "/milestones")
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	csp := page.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") || !strings.Contains(csp, "frame-ancestors 'none'") ||
		page.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("page CSP %q, XFO %q", csp, page.Header.Get("X-Frame-Options"))
	}
	// Writes are not opened to other origins.
	req, _ := http.NewRequest(http.MethodOptions, a.URL+"/api/v1/observations", nil)
	req.Header.Set("Origin", "https://elsewhere.example")
	req.Header.Set("Access-Control-Request-Method", "POST")
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("preflight for POST allowed origin %q", r.Header.Get("Access-Control-Allow-Origin"))
	}
}

// TestNoGoroutineLeak runs an instance with websocket clients and writes,
// shuts it down, and checks that the goroutine count returns to baseline.
func TestNoGoroutineLeak(t *testing.T) {
	http.DefaultClient.CloseIdleConnections()
	before := runtime.NumGoroutine()
	t.Run("session", func(t *testing.T) {
		a := startApp(t, appOptions{})
		for i := 0; i < 3; i++ {
			ws := dialWS(t, a.URL, nil)
			ws.subscribe("indicator:HWF_0001")
		}
		submit(t, a.URL, adminToken, obsRow{Indicator: "HWF_0001", ISO3: "ESP", Year: 2025, Value: 45, Source: "INE"})
		getJSON(t, a.URL+"/api/v1/milestones", nil)
	})
	http.DefaultClient.CloseIdleConnections()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > before+2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond) // goroutines exit asynchronously after Shutdown; there is no event to wait on
	}
	if n := runtime.NumGoroutine(); n > before+2 {
		buf := make([]byte, 1<<16)
		t.Fatalf("%d goroutines after shutdown, baseline %d\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	_ = context.Background
}

// TestSlowClientCannotHoldConnection opens a connection that sends half a
// request and stops: the server closes it after its read timeout.
func TestSlowClientCannotHoldConnection(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) { c.ReadTimeout = 500 * time.Millisecond }})
	conn, err := net.Dial("tcp", strings.TrimPrefix(a.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.Write([]byte("GET /api/v1/indicators HTTP/1.1\r\nHost: x\r\n")); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1024)
	for {
		if _, err := conn.Read(buf); err != nil {
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("the server kept a stalled request open for 10 s")
			}
			return // closed by the server
		}
	}
}

// TestConnectionsPerAddressCapped opens more websockets from one address
// than allowed: the extra one is refused with 429.
func TestConnectionsPerAddressCapped(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) { c.MaxConnsPerAddress = 3 }})
	for i := 0; i < 3; i++ {
		dialWS(t, a.URL, nil)
	}
	u := "ws" + strings.TrimPrefix(a.URL, "http") + "/ws"
	_, resp, err := websocket.DefaultDialer.Dial(u, nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("fourth connection: err %v resp %v, want 429", err, resp)
	}
}
