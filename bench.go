package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/hwfdash/hwfdash/internal/loadbench"
)

// benchCmd runs the load benchmarks: servers and baselines are child
// processes of this one, which generates the load and prints the table.
func benchCmd(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	clients := fs.Int("clients", 10000, "websocket clients of the broadcast target")
	updates := fs.Int("updates", 50, "updates of the broadcast target")
	duration := fs.Duration("duration", 5*time.Second, "length of each HTTP load phase")
	only := fs.String("only", "", "run only the targets whose name contains one of these words, comma-separated")
	redisURL := fs.String("redis-url", "redis://127.0.0.1:6379/15", "Redis for the Redis-backed targets; skipped when unreachable or empty")
	workdir := fs.String("workdir", "", "scratch directory for data and logs (default: a temporary one, removed after)")
	out := fs.String("out", "", "also write the table to this file")
	goBench := fs.String("go-bench", "", "output of go test -bench, for the hub fan-out row (make bench passes it)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	log := newLogger("info", stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dir := *workdir
	if dir == "" {
		d, err := os.MkdirTemp("", "hwfdash-bench-")
		if err != nil {
			fmt.Fprintln(stderr, "hwfdash bench:", err)
			return 1
		}
		defer os.RemoveAll(d)
		dir = d
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(stderr, "hwfdash bench:", err)
		return 1
	}
	rurl := *redisURL
	if rurl != "" && !reachable(rurl) {
		log.Warn("redis unreachable: Redis targets skipped", "redis_url", rurl)
		rurl = ""
	}
	opts := loadbench.Options{
		WorkDir: dir, RedisURL: rurl, Clients: *clients, Updates: *updates, Duration: *duration,
		Only: splitList(*only), GoBench: *goBench, Log: log,
	}
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintln(stderr, "hwfdash bench:", err)
			return 1
		}
		defer f.Close()
		w = io.MultiWriter(stdout, f)
	}
	rs, err := loadbench.Run(ctx, opts, w)
	if err != nil {
		fmt.Fprintln(stderr, "hwfdash bench:", err)
		return 1
	}
	for _, r := range rs {
		if r.Checked && !r.Pass {
			log.Warn("a target failed", "target", r.Target, "measured", r.Figure)
		}
	}
	return 0
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

// benchBaseline serves a file's bytes from a bare fasthttp handler: the
// baseline `hwfdash bench` compares cached reads with. Not for operators.
func benchBaseline(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench-baseline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	file := fs.String("file", "", "the bytes to serve")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	body, err := os.ReadFile(*file)
	if err != nil {
		fmt.Fprintln(stderr, "hwfdash bench-baseline:", err)
		return 1
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := loadbench.ServeBaseline(ctx, *addr, body); err != nil {
		fmt.Fprintln(stderr, "hwfdash bench-baseline:", err)
		return 1
	}
	return 0
}
