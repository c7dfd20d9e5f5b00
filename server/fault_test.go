package server_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// privateRedis runs a redis-server the test may kill and restart.
type privateRedis struct {
	port int
	dir  string
	cmd  *exec.Cmd
}

func startPrivateRedis(t *testing.T, port int) *privateRedis {
	t.Helper()
	if _, err := exec.LookPath("redis-server"); err != nil {
		if os.Getenv("CI") != "true" {
			t.Skip("redis-server not installed")
		}
		t.Fatal("redis-server not installed")
	}
	if port == 0 {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		port = l.Addr().(*net.TCPAddr).Port
		l.Close()
	}
	r := &privateRedis{port: port, dir: t.TempDir()}
	r.cmd = exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", r.dir, "--logfile", filepath.Join(r.dir, "log"))
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.kill)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port)); err == nil {
			c.Close()
			return r
		}
		time.Sleep(10 * time.Millisecond) // waiting for a process to listen: no event to await
	}
	t.Fatal("redis-server did not start")
	return nil
}

func (r *privateRedis) url() string { return fmt.Sprintf("redis://127.0.0.1:%d/0", r.port) }

func (r *privateRedis) kill() {
	if r.cmd != nil && r.cmd.Process != nil {
		_ = r.cmd.Process.Kill()
		_ = r.cmd.Wait()
		r.cmd = nil
	}
}

// TestRedisRestartMidSession kills Redis between two writes on instance A.
// The instances never poll the store here, so what B learns comes through
// the bus: B keeps serving reads, its websocket client stays connected, the
// write made during the outage reaches it when the bus recovers (resync),
// and later writes flow through Redis again.
func TestRedisRestartMidSession(t *testing.T) {
	dsn := pgSchemaDSN(t)
	r := startPrivateRedis(t, 0)
	prefix := "hwfdash-test-" + randHex(4) + ":"
	a := startApp(t, appOptions{dsn: dsn, redisURL: r.url(), prefix: prefix, poll: time.Hour})
	b := startApp(t, appOptions{dsn: dsn, redisURL: r.url(), prefix: prefix, poll: time.Hour})
	_, secret := createToken(t, a.URL, "Ministry of Health, France", "FRA")
	ws := dialWS(t, b.URL, nil)
	ws.subscribe("indicator:HWF_0001")

	write := func(v float64) int64 {
		status, version := submit(t, a.URL, secret, obsRow{Indicator: "HWF_0001", ISO3: "FRA", Year: 2025, Value: v, Source: "DREES"})
		if status != http.StatusCreated {
			t.Fatalf("submit: %d", status)
		}
		return version
	}
	v1 := write(31.1)
	ws.await(func(m wsMessage) bool { return m.Type == "update" && m.Version >= v1 })

	r.kill()
	waitState := func(want func(string) bool) {
		deadline := time.Now().Add(20 * time.Second)
		for !want(a.Bus.State()) || !want(b.Bus.State()) {
			if time.Now().After(deadline) {
				t.Fatalf("bus state never changed: %s / %s", a.Bus.State(), b.Bus.State())
			}
			time.Sleep(20 * time.Millisecond) // the bus probes on its own schedule
		}
	}
	waitState(func(s string) bool { return s != "redis" })
	if resp := getJSON(t, b.URL+"/api/v1/indicators/HWF_0001/regional?year=2020", nil); resp.StatusCode != http.StatusOK {
		t.Fatalf("read while Redis is down: %d", resp.StatusCode)
	}
	v2 := write(32.2)
	if v, _ := latestValue(t, a.URL, "HWF_0001", "FRA", 2025); v != 32.2 {
		t.Fatalf("A serves %v while Redis is down, want 32.2", v)
	}

	startPrivateRedis(t, r.port)
	ws.await(func(m wsMessage) bool { return m.Type == "update" && m.Version >= v2 })
	waitState(func(s string) bool { return s == "redis" })
	v3 := write(33.3)
	ws.await(func(m wsMessage) bool { return m.Type == "update" && m.Version >= v3 })
	if v, _ := latestValue(t, b.URL, "HWF_0001", "FRA", 2025); v != 33.3 {
		t.Fatalf("B serves %v after Redis returned, want 33.3", v)
	}
}
