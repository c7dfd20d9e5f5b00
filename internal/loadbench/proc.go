package loadbench

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Proc is a server child process on loopback.
type Proc struct {
	URL     string // http://127.0.0.1:port
	Addr    string // 127.0.0.1:port
	DataDir string
	Started time.Time
	Ready   time.Duration // from start to the first 200 from /readyz
	cmd     *exec.Cmd
	done    chan error
}

// FreeAddr returns a loopback address with a free port.
func FreeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// StartServer runs `hwfdash serve` (the executable o.Server) with its own
// data directory (or dataDir when not empty, to reuse an already-seeded
// store) and extra environment (KEY=VALUE), and waits until /readyz
// answers 200.
func StartServer(ctx context.Context, o Options, name, dataDir string, env ...string) (*Proc, error) {
	if o.Server == "" {
		return nil, errors.New("no server executable: set Options.Server to the hwfdash binary")
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	if dataDir == "" {
		dataDir = filepath.Join(o.WorkDir, name+"-data")
	}
	if err := os.MkdirAll(dataDir, 0o755); err != nil {
		return nil, err
	}
	p, err := start(ctx, o, name, o.Server, addr, []string{"serve"},
		append([]string{"ADDR=" + addr, "DATA_DIR=" + dataDir, "LOG_LEVEL=warn"}, env...), 60*time.Second)
	if p != nil {
		p.DataDir = dataDir
	}
	return p, err
}

// start runs the executable bin with args and extra environment, logging to
// <name>.log in the work directory, and waits until addr answers /readyz
// with 200.
func start(ctx context.Context, o Options, name, bin, addr string, args, env []string, limit time.Duration) (*Proc, error) {
	return startReady(ctx, o, name, bin, addr, "/readyz", args, env, limit)
}

// startSelf runs this executable's subcommand command (a baseline, the
// hub, the bare writer: bench tooling, so the bench's binary, not the
// server's) on a free loopback address, with extra flags after -addr.
func startSelf(ctx context.Context, o Options, name, command string, extra ...string) (*Proc, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	return start(ctx, o, name, self, addr, append([]string{command, "-addr", addr}, extra...), nil, 30*time.Second)
}

// startReady is start with another readiness path (a peer's own).
func startReady(ctx context.Context, o Options, name, bin, addr, readyPath string, args, env []string, limit time.Duration) (*Proc, error) {
	logf, err := os.Create(filepath.Join(o.WorkDir, name+".log"))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	// ChildEnv comes last, so that it overrides both the bench's own
	// environment and the target's.
	cmd.Env = append(append(os.Environ(), env...), o.ChildEnv...)
	cmd.Stdout, cmd.Stderr = logf, logf
	p := &Proc{URL: "http://" + addr, Addr: addr, cmd: cmd, done: make(chan error, 1)}
	p.Started = time.Now()
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	go func() { p.done <- cmd.Wait(); logf.Close() }()
	if err := p.waitReady(ctx, readyPath, limit); err != nil {
		p.Stop()
		return nil, fmt.Errorf("%s: %w (log: %s)", name, err, logf.Name())
	}
	return p, nil
}

func (p *Proc) waitReady(ctx context.Context, readyPath string, limit time.Duration) error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.done <- err
			return fmt.Errorf("server exited: %v", err)
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		resp, err := client.Get(p.URL + readyPath)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				p.Ready = time.Since(p.Started)
				return nil
			}
		}
		// Polling is the only signal a child process gives of readiness.
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("not ready after %s", limit)
}

// PID is the child's process id.
func (p *Proc) PID() int { return p.cmd.Process.Pid }

// Stop sends SIGTERM and waits for the exit (SIGKILL after 15 s).
func (p *Proc) Stop() {
	if p == nil || p.cmd.Process == nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
	}
}

// RSS is a process's resident set size in bytes, from /proc.
func RSS(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "VmRSS:") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				kb, err := strconv.ParseInt(f[1], 10, 64)
				return kb * 1024, err
			}
		}
	}
	return 0, fmt.Errorf("no VmRSS in /proc/%d/status", pid)
}
