//go:build unix

package server_test

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

const nginxBin = "/usr/sbin/nginx"

// startNginx runs the shipped deploy/nginx.conf, adapted to test ports (its
// upstreams pointed at the given instances, its listen port a free one, its
// paths in a temporary directory), as a child process; it returns the
// proxy's base URL.
func startNginx(t *testing.T, upstreams ...string) string {
	t.Helper()
	shipped, err := os.ReadFile("../deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	conf := string(shipped)
	servers := regexp.MustCompile(`server app\d:8080`).FindAllStringIndex(conf, -1)
	if len(servers) != len(upstreams) {
		t.Fatalf("deploy/nginx.conf has %d upstream servers, the test starts %d instances", len(servers), len(upstreams))
	}
	for i := len(servers) - 1; i >= 0; i-- {
		conf = conf[:servers[i][0]] + "server " + strings.TrimPrefix(upstreams[i], "http://") + conf[servers[i][1]:]
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	listen := ln.Addr().String()
	ln.Close() // nginx binds it next; another process taking it meanwhile fails the start, loudly
	if !strings.Contains(conf, "listen 80;") {
		t.Fatal("deploy/nginx.conf no longer listens on port 80: adapt the test")
	}
	conf = strings.Replace(conf, "listen 80;", "listen "+listen+";", 1)

	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;" // workers would run as nobody, who cannot enter the test's directory
	}
	full := fmt.Sprintf(`%s
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
worker_processes 1;
events { worker_connections 512; }
http {
  access_log %[2]s/access.log;
  client_body_temp_path %[2]s/body;
  proxy_temp_path %[2]s/proxy;
  fastcgi_temp_path %[2]s/fastcgi;
  uwsgi_temp_path %[2]s/uwsgi;
  scgi_temp_path %[2]s/scgi;
%[3]s
}
`, user, dir, conf)
	path := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(path, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(nginxBin, "-p", dir, "-c", path, "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
	// Output goes to a file, not a pipe: a worker outliving the master
	// would hold a pipe open and Wait with it. The group is nginx's own,
	// so that cleanup ends its workers with it.
	outFile, err := os.Create(filepath.Join(dir, "output.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer outFile.Close()
	cmd.Stdout, cmd.Stderr = outFile, outFile
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	output := func() string {
		b, _ := os.ReadFile(filepath.Join(dir, "output.log"))
		e, _ := os.ReadFile(filepath.Join(dir, "error.log"))
		return string(b) + string(e)
	}
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // nginx's process group: master and workers
		<-exited
		if t.Failed() {
			t.Logf("nginx output and error.log:\n%s", output())
		}
	})
	base := "http://" + listen
	ready := make(chan struct{})
	go func() { waitReady(t, base); close(ready) }()
	select {
	case <-ready:
	case <-exited:
		t.Fatalf("nginx exited at start:\n%s", output())
	}
	return base
}

// dialWSVia opens a websocket through base from a source address.
func dialWSVia(t testing.TB, base, source string) *wsClient {
	t.Helper()
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(source)}, Timeout: 5 * time.Second}
	wd := websocket.Dialer{NetDialContext: d.DialContext, HandshakeTimeout: 5 * time.Second}
	conn, resp, err := wd.DialContext(context.Background(), "ws"+strings.TrimPrefix(base, "http")+"/ws", nil)
	if err != nil {
		st := 0
		if resp != nil {
			st = resp.StatusCode
		}
		t.Fatalf("websocket through nginx from %s: %v (status %d)", source, err, st)
	}
	t.Cleanup(func() { conn.Close() })
	c := &wsClient{t: t, conn: conn}
	c.await(func(m wsMessage) bool { return m.Type == "hello" })
	return c
}

// TestBehindNginx runs the shipped deploy/nginx.conf in front of two
// instances sharing PostgreSQL and Redis, trusting the proxy as
// docker-compose.yml does, with clients on two real addresses (127.0.0.2,
// 127.0.0.3): one client's failed authentications are limited to it, a
// spoofed X-Forwarded-For does not help it, and websockets work through
// the proxy on both instances.
func TestBehindNginx(t *testing.T) {
	skipShort(t, "nginx")
	if _, err := os.Stat(nginxBin); err != nil {
		t.Skipf("nginx test: %s not found (apt-get install nginx): %v", nginxBin, err)
	}
	requireRedis(t)
	dsn := pgSchemaDSN(t)
	prefix := "hwfdash-test-" + randHex(4) + ":"
	opts := appOptions{dsn: dsn, redisURL: redisURL, prefix: prefix, cfg: trust("127.0.0.1/32")}
	a, b := startApp(t, opts), startApp(t, opts)
	lb := startNginx(t, a.URL, b.URL)

	attacker, ministry := newPeer(t, "127.0.0.2"), newPeer(t, "127.0.0.3")
	st, secret := ministry.createToken(lb, "AUT", nil)
	if st != http.StatusCreated {
		t.Fatalf("token creation through nginx: %d", st)
	}
	watchers := []*wsClient{dialWSVia(t, lb, "127.0.0.3"), dialWSVia(t, lb, "127.0.0.3")} // round-robin: one per instance
	for _, w := range watchers {
		w.subscribe("country:AUT")
	}

	// The attacker claims to be the ministry: nginx appends its real
	// address, the rightmost untrusted hop, which is what is counted.
	last := attacker.floodBadTokens(lb, 125, func(int) map[string]string {
		return map[string]string{"X-Forwarded-For": "127.0.0.3", "X-Real-IP": "127.0.0.3"}
	})
	if last != http.StatusTooManyRequests {
		t.Fatalf("the attacker's 125th bad token through nginx: %d, want 429", last)
	}
	var res struct {
		Version int64 `json:"version"`
	}
	row := []obsRow{{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 42, Source: "ministry via nginx"}}
	if st := ministry.do(http.MethodPost, lb+"/api/v1/observations", secret, nil, row, &res); st != http.StatusCreated {
		t.Fatalf("the ministry's write through nginx after the flood: %d, want 201", st)
	}
	if st := ministry.do(http.MethodPost, lb+"/api/v1/observations", "wrong", nil, row, nil); st != http.StatusUnauthorized {
		t.Fatalf("the ministry's own first bad token: %d, want 401 (its address has no failures)", st)
	}
	if st, _ := ministry.createToken(lb, "DEU", nil); st != http.StatusCreated {
		t.Fatalf("the admin's token creation through nginx after the flood: %d, want 201", st)
	}
	for _, w := range watchers {
		w.await(func(m wsMessage) bool {
			return m.Type == "update" && m.Topic == "country:AUT" && m.Version >= res.Version
		})
	}
}
