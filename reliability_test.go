package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/jackc/pgx/v5/stdlib"
)

const (
	relAdmin = "reliability-admin-token-0123456789"
	relPG    = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// hwfdashBinary builds the server once per test run.
func hwfdashBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "hwfdash-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "hwfdash")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// proc is a server process under test.
type proc struct {
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
	done chan error
}

func startProc(t *testing.T, env ...string) *proc {
	t.Helper()
	port := freePort(t)
	cmd := exec.Command(hwfdashBinary(t))
	cmd.Env = append(os.Environ(), append([]string{fmt.Sprintf("ADDR=127.0.0.1:%d", port), "ADMIN_TOKEN=" + relAdmin,
		"LOG_LEVEL=warn"}, env...)...)
	p := &proc{cmd: cmd, url: fmt.Sprintf("http://127.0.0.1:%d", port), logs: &bytes.Buffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.done <- cmd.Wait() }()
	t.Cleanup(func() { p.kill() })
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			t.Fatalf("server exited at start: %v\n%s", err, p.logs)
		default:
		}
		if resp, err := http.Get(p.url + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(20 * time.Millisecond) // polling a process that is not yet listening: no event to await
	}
	t.Fatalf("server never became healthy\n%s", p.logs)
	return nil
}

func (p *proc) kill() {
	if p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Kill()
		<-p.done
		p.done <- nil // later waits see the exit too
	}
}

func post(t *testing.T, url, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+relAdmin)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

type revision struct {
	Value   float64 `json:"value"`
	Version int64   `json:"version"`
}

func history(t *testing.T, base string) []revision {
	t.Helper()
	resp, err := http.Get(base + "/api/v1/indicators/HWF_0010/history?iso3=MLT&year=2025")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var res struct {
		Revisions []revision `json:"revisions"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		t.Fatal(err)
	}
	return res.Revisions
}

// durabilityLoop acknowledges a write, kills the server with SIGKILL at
// once, restarts it, and checks that every acknowledged revision is there,
// exactly once, in order.
func durabilityLoop(t *testing.T, rounds int, env ...string) {
	var acked []float64
	for i := 0; i < rounds; i++ {
		p := startProc(t, env...)
		if got := history(t, p.url); len(got) != len(acked) {
			t.Fatalf("round %d: %d revisions after restart, want %d", i, len(got), len(acked))
		} else {
			for j, r := range got {
				if r.Value != acked[j] || (j > 0 && r.Version <= got[j-1].Version) {
					t.Fatalf("round %d: revision %d = %+v, want value %v in increasing versions", i, j, r, acked[j])
				}
			}
		}
		v := float64(i) + 0.5
		status, body := post(t, p.url+"/api/v1/observations",
			fmt.Sprintf(`[{"indicator":"HWF_0010","iso3":"MLT","year":2025,"value":%v,"source":"durability test"}]`, v))
		if status != http.StatusCreated {
			t.Fatalf("round %d: status %d %s", i, status, body)
		}
		acked = append(acked, v)
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		<-p.done
		p.done <- nil
	}
}

func TestDurabilityKill9SQLite(t *testing.T) {
	if testing.Short() {
		t.Skip("fault-injection test: skipped under -short (make test runs it)")
	}
	dir := t.TempDir()
	durabilityLoop(t, 50, "DATA_DIR="+dir)
}

func TestDurabilityKill9Postgres(t *testing.T) {
	if testing.Short() {
		t.Skip("fault-injection test: skipped under -short (make test runs it)")
	}
	db, err := sql.Open("pgx", relPG)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		if os.Getenv("CI") != "true" {
			t.Skipf("PostgreSQL not reachable: %v", err)
		}
		t.Fatal(err)
	}
	b := make([]byte, 5)
	_, _ = rand.Read(b)
	schema := "hwf_rel_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	defer db.Exec("DROP SCHEMA " + schema + " CASCADE")
	durabilityLoop(t, 50, "DATABASE_URL="+relPG+"&search_path="+schema)
}

// TestSIGTERM checks the graceful stop: websockets are closed with 1001 so
// that clients reconnect elsewhere, an in-flight request finishes, and the
// process exits well within 10 s.
func TestSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("fault-injection test: skipped under -short (make test runs it)")
	}
	p := startProc(t, "DATA_DIR="+t.TempDir())
	u := "ws" + strings.TrimPrefix(p.url, "http") + "/ws"
	conn, _, err := websocket.DefaultDialer.Dial(u, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, _, err := conn.ReadMessage(); err != nil { // hello
		t.Fatal(err)
	}
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, _, err = conn.ReadMessage()
	if !websocket.IsCloseError(err, websocket.CloseGoingAway) {
		t.Fatalf("websocket got %v, want close 1001", err)
	}
	select {
	case err := <-p.done:
		p.done <- err
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, p.logs)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10 s after SIGTERM\n%s", p.logs)
	}
	t.Logf("stopped in %v", time.Since(start))
}

// TestStartsWithoutRedis starts a server whose Redis is unreachable: it
// serves from its local cache and says so.
func TestStartsWithoutRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("fault-injection test: skipped under -short (make test runs it)")
	}
	p := startProc(t, "DATA_DIR="+t.TempDir(), fmt.Sprintf("REDIS_URL=redis://127.0.0.1:%d/0", freePort(t)))
	resp, err := http.Get(p.url + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ready struct {
		Cache string `json:"cache"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&ready)
	if resp.StatusCode != 200 || !strings.Contains(ready.Cache, "degraded") {
		t.Fatalf("readyz %d %+v", resp.StatusCode, ready)
	}
	r2, err := http.Get(p.url + "/api/v1/indicators/HWF_0001/regional?year=2020")
	if err != nil || r2.StatusCode != 200 {
		t.Fatalf("read without Redis: %v %v", err, r2)
	}
	r2.Body.Close()
}

// TestTokenCommand creates a token with the CLI and uses it.
func TestTokenCommand(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	env := map[string]string{"DATA_DIR": dir}
	getenv := func(k string) string { return env[k] }
	if code := run([]string{"token", "create", "-label", "Ministry of Health, Malta", "-countries", "MLT"}, getenv, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var secret string
	sc := bufio.NewScanner(&out)
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "token: "); ok {
			secret = s
		}
	}
	if secret == "" {
		t.Fatalf("no token in %q", out.String())
	}
	if code := run([]string{"token", "create", "-label", "x", "-countries", "XXX"}, getenv, io.Discard, io.Discard); code != 2 {
		t.Fatalf("unknown country accepted: exit %d", code)
	}
	p := startProc(t, "DATA_DIR="+dir)
	req, _ := http.NewRequest(http.MethodPost, p.url+"/api/v1/observations",
		strings.NewReader(`[{"indicator":"HWF_0001","iso3":"MLT","year":2025,"value":30,"source":"NSO Malta"}]`))
	req.Header.Set("Authorization", "Bearer "+secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("CLI token: status %d", resp.StatusCode)
	}
	_ = context.Background
}
