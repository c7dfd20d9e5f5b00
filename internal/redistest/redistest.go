// Package redistest runs a private redis-server for tests that need to stop,
// freeze or restart Redis without touching the shared one.
package redistest

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// Server is a redis-server process owned by one test.
type Server struct {
	Port int
	dir  string
	cmd  *exec.Cmd
}

// Start runs redis-server on port (0 picks a free one) and waits until it
// listens. Without redis-server the test is skipped, or fails in CI.
func Start(t testing.TB, port int) *Server {
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
	s := &Server{Port: port, dir: t.TempDir()}
	s.cmd = exec.Command("redis-server", "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "",
		"--appendonly", "no", "--dir", s.dir, "--logfile", filepath.Join(s.dir, "log"))
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Kill)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", s.Addr()); err == nil {
			c.Close()
			return s
		}
		time.Sleep(10 * time.Millisecond) // waiting for a process to listen: there is no event to await
	}
	t.Fatal("redis-server did not start")
	return nil
}

// Addr is the server's host:port.
func (s *Server) Addr() string { return fmt.Sprintf("127.0.0.1:%d", s.Port) }

// URL is the server's redis:// URL.
func (s *Server) URL() string { return "redis://" + s.Addr() + "/0" }

// Signal sends a signal (SIGSTOP, SIGCONT) to the server.
func (s *Server) Signal(sig syscall.Signal) error {
	if s.cmd == nil || s.cmd.Process == nil {
		return fmt.Errorf("redistest: not running")
	}
	return s.cmd.Process.Signal(sig)
}

// Kill stops the server with SIGKILL; Start on the same port brings a new
// one up.
func (s *Server) Kill() {
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Kill()
		_ = s.cmd.Wait()
		s.cmd = nil
	}
}
