// Command hwfdash-bench runs hwfdash's load benchmarks (BENCHMARKS.md). It is
// bench tooling, kept out of the product binary: it starts the hwfdash
// servers as child processes on loopback, drives them from its own HTTP and
// websocket clients and prints one table of every target with its goal.
//
//	hwfdash-bench [-server bin/hwfdash] [-duration 5s] [-only reads,pages] [-centrifugo PATH] [-reps 2] [-out FILE] [-child-env K=V]...
//	hwfdash-bench baseline -addr 127.0.0.1:0 -file F   the bare fasthttp baseline (run by the bench itself)
//	hwfdash-bench hub -addr 127.0.0.1:0                the textbook gorilla hub, the broadcast's baseline peer
//
// The broadcast is measured first with an ordinary websocket client (a
// goroutine per connection, the clock from before the triggering POST)
// against hwfdash, a textbook gorilla hub and, when its binary is found,
// Centrifugo, in the same run. The tuned reader's targets need Linux (it
// uses epoll); elsewhere they report that as their error and the others run.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"time"

	"github.com/hwfdash/hwfdash/internal/loadbench"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == loadbench.BaselineCommand {
		return baseline(args[1:], stderr)
	}
	// The hub, the broadcast targets' baseline peer, and the bare writer,
	// their floor: child processes of the bench. Not for operators.
	if len(args) > 0 && args[0] == loadbench.HubCommand {
		return peer(loadbench.HubCommand, loadbench.ServeTextbookHub, args[1:], stderr)
	}
	if len(args) > 0 && args[0] == loadbench.BareCommand {
		return peer(loadbench.BareCommand, loadbench.ServeBareWriter, args[1:], stderr)
	}
	return bench(args, stdout, stderr)
}

// bench runs the load benchmarks: servers and baselines are child
// processes of this one, which generates the load and prints the table.
func bench(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("hwfdash-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	server := fs.String("server", "bin/hwfdash", "the hwfdash executable the server targets run (make build makes it)")
	clients := fs.Int("clients", 10000, "websocket clients of the broadcast target")
	updates := fs.Int("updates", 50, "updates of the broadcast target")
	duration := fs.Duration("duration", 5*time.Second, "length of each HTTP load phase")
	only := fs.String("only", "", "run only the targets whose name contains one of these words, comma-separated")
	redisURL := fs.String("redis-url", "redis://127.0.0.1:6379/15", "Redis for the Redis-backed targets; skipped when unreachable or empty")
	workdir := fs.String("workdir", "", "scratch directory for data and logs (default: a temporary one, removed after)")
	out := fs.String("out", "", "also write the table to this file")
	reps := fs.Int("reps", 2, "repetitions of each peer's broadcast with the ordinary client, in alternating order")
	large := fs.Int("large-clients", 19500, "the ordinary client's second count (0 skips it)")
	centrifugo := fs.String("centrifugo", "", "the Centrifugo "+loadbench.CentrifugoVersion+" executable, the broadcast's second peer (default: centrifugo in PATH or $(go env GOPATH)/bin; skipped when none)")
	var childEnv []string
	fs.Func("child-env", "KEY=VALUE added to every child process's environment (servers, hub, Centrifugo), not to the load generator's; repeatable (e.g. -child-env GODEBUG=gctrace=1 -child-env GOGC=off)", func(kv string) error {
		if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
			return fmt.Errorf("%q is not KEY=VALUE", kv)
		}
		childEnv = append(childEnv, kv)
		return nil
	})
	readMessage := fs.Bool("read-message", false, "the ordinary client reads each frame with gorilla's ReadMessage (a fresh buffer per frame) instead of into its connection's own buffer")
	cpuProfile := fs.String("cpuprofile", "", "write the load generator's own CPU profile to this file (a server's: -child-env with its PPROF setting)")
	goBench := fs.String("go-bench", "", "output of go test -bench, for the hub fan-out row (make bench passes it)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "hwfdash-bench: unexpected argument %q (flags only, or %q)\n", fs.Arg(0), loadbench.BaselineCommand)
		return 2
	}
	srv, err := serverPath(*server)
	if err != nil {
		fmt.Fprintln(stderr, "hwfdash-bench: -server:", err)
		return 2
	}
	cfg, err := loadbench.FindCentrifugo(*centrifugo)
	if err != nil {
		fmt.Fprintln(stderr, "hwfdash-bench:", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, nil))
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(stderr, "hwfdash-bench: -cpuprofile:", err)
			return 2
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(stderr, "hwfdash-bench: -cpuprofile:", err)
			return 2
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dir := *workdir
	if dir == "" {
		d, err := os.MkdirTemp("", "hwfdash-bench-")
		if err != nil {
			fmt.Fprintln(stderr, "hwfdash-bench:", err)
			return 1
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(stderr, "hwfdash-bench:", err)
		return 1
	}
	rurl := *redisURL
	if rurl != "" && !reachable(rurl) {
		log.Warn("redis unreachable: Redis targets skipped", "redis_url", rurl)
		rurl = ""
	}
	opts := loadbench.Options{
		Server: srv, WorkDir: dir, RedisURL: rurl, Clients: *clients, Updates: *updates, Duration: *duration,
		Only: splitList(*only), GoBench: *goBench, Log: log, Reps: *reps, LargeClients: *large, Centrifugo: cfg,
		ChildEnv: childEnv, ReadMessage: *readMessage,
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(stderr, "hwfdash-bench:", err)
			return 1
		}
		defer f.Close()
		w = io.MultiWriter(stdout, f)
	}
	rs, err := loadbench.Run(ctx, opts, w)
	if err != nil {
		fmt.Fprintln(stderr, "hwfdash-bench:", err)
		return 1
	}
	for _, r := range rs {
		if r.Checked && !r.Pass {
			log.Warn("a target failed", "target", r.Target, "measured", r.Figure)
		}
	}
	return 0
}

// serverPath checks that the server executable exists before any target
// starts, and makes it absolute: the children's error would otherwise come
// once per target, deep in the table.
func serverPath(p string) (string, error) {
	if p == "" {
		return "", errors.New("empty: give the hwfdash executable")
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("%w (make build builds bin/hwfdash)", err)
	}
	if st.IsDir() {
		return "", fmt.Errorf("%s is a directory, not the hwfdash executable", p)
	}
	return abs, nil
}

// reachable says whether a Redis URL's host accepts a TCP connection.
func reachable(redisURL string) bool {
	u, err := url.Parse(redisURL)
	if err != nil || u.Host == "" {
		return false
	}
	host := u.Host
	if u.Port() == "" {
		host = net.JoinHostPort(u.Hostname(), "6379")
	}
	c, err := net.DialTimeout("tcp", host, time.Second)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// baseline serves a file's bytes from a bare fasthttp handler: the
// baseline the bench compares cached reads with. Not for operators.
func baseline(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("hwfdash-bench baseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	file := fs.String("file", "", "the bytes to serve")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	body, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(stderr, "hwfdash-bench baseline:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := loadbench.ServeBaseline(ctx, *addr, body); err != nil {
		fmt.Fprintln(stderr, "hwfdash-bench baseline:", err)
		return 1
	}
	return 0
}

// peer runs one of the bench's own broadcast servers (the subcommand
// name) on -addr until it is interrupted.
func peer(name string, serve func(ctx context.Context, addr string) error, args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("hwfdash-bench "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serve(ctx, *addr); err != nil {
		fmt.Fprintf(stderr, "hwfdash-bench %s: %v\n", name, err)
		return 1
	}
	return 0
}
