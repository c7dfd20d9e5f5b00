// Command hwfdash serves the live dashboard of the WHO European Region's
// health workforce and its implementation of the WHO Global Code of Practice
// on the International Recruitment of Health Personnel.
//
//	hwfdash [serve]                       run the server (default)
//	hwfdash token create -label L -countries AUT[,DEU] [-admin]
//	hwfdash token list | token revoke ID
//	hwfdash import -format gho|worldbank|sdmx-csv|jsonstat [-mapping M] [-apply] FILE…   publishers' files (README)
//	hwfdash healthcheck [-url http://127.0.0.1:8080/readyz]   for container health checks
//
// Configuration comes from the environment, with matching flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/hwfdash/hwfdash/cache"
	"github.com/hwfdash/hwfdash/public"
	"github.com/hwfdash/hwfdash/server"
	"github.com/hwfdash/hwfdash/server/engine"
	"github.com/hwfdash/hwfdash/store"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

func main() { os.Exit(run(os.Args[1:], os.Getenv, os.Stdout, os.Stderr)) }

// config is the process configuration.
type config struct {
	Addr           string
	DataDir        string
	DatabaseURL    string
	RedisURL       string
	RedisPrefix    string
	AdminToken     string
	AllowedOrigins string
	PublicURL      string
	EmbedOrigins   string
	LogLevel       string
	// CacheLocal bounds the in-process cache in entries; 0 disables it, so
	// every read goes to Redis.
	CacheLocal int
	// CacheLocalMB bounds the in-process cache in megabytes.
	CacheLocalMB int
	WSPerAddress int
	WriteRate    int
	// TrustedProxies are the CIDRs of the proxies whose X-Forwarded-For is
	// believed (TRUSTED_PROXIES).
	TrustedProxies  string
	HTTPPerAddress  int
	AuthFailureRate int
	// WSRing batches a broadcast's writes through io_uring (Linux, when
	// the kernel allows; WS_IO_URING).
	WSRing bool
}

// parseOnOff reads an on/off setting (also true/false, 1/0, yes/no).
func parseOnOff(v string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "1", "yes":
		return true, nil
	case "off", "false", "0", "no":
		return false, nil
	}
	return false, fmt.Errorf("%q: want on or off", v)
}

func parseConfig(fs *flag.FlagSet, args []string, getenv func(string) string) (config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	var c config
	fs.StringVar(&c.Addr, "addr", env("ADDR", ":8080"), "listen address (ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", env("DATA_DIR", "./data"), "directory of the embedded store (DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("DATABASE_URL", ""), "PostgreSQL URL; empty uses the embedded store (DATABASE_URL)")
	fs.StringVar(&c.RedisURL, "redis-url", env("REDIS_URL", ""), "Redis URL for the shared cache and bus; empty runs in process (REDIS_URL)")
	fs.StringVar(&c.RedisPrefix, "redis-prefix", env("REDIS_PREFIX", cache.DefaultPrefix), "prefix of Redis keys and of the update channel, so deployments can share a Redis (REDIS_PREFIX)")
	fs.StringVar(&c.AdminToken, "admin-token", env("ADMIN_TOKEN", ""), "admin bearer token (ADMIN_TOKEN)")
	fs.StringVar(&c.AllowedOrigins, "allowed-origins", env("ALLOWED_ORIGINS", ""), "extra origins allowed to open websockets, comma-separated (ALLOWED_ORIGINS)")
	fs.StringVar(&c.PublicURL, "public-url", env("PUBLIC_URL", ""), "the site's public origin, e.g. https://hwf.example.org: the base of links in the Atom feeds (PUBLIC_URL)")
	fs.StringVar(&c.EmbedOrigins, "embed-origins", env("EMBED_ORIGINS", ""), "origins allowed to frame /embed/ pages; empty allows any (EMBED_ORIGINS)")
	fs.StringVar(&c.TrustedProxies, "trusted-proxies", env("TRUSTED_PROXIES", ""), "CIDRs of the proxies whose X-Forwarded-For/X-Real-IP name the client, comma-separated; empty trusts none (TRUSTED_PROXIES)")
	ringDef := env("WS_IO_URING", "on")
	ring, ringErr := parseOnOff(ringDef)
	fs.BoolVar(&c.WSRing, "ws-io-uring", ring, "send a broadcast's frames to many sockets per system call through io_uring, on Linux where the kernel allows it; off writes to each socket with a call of its own (WS_IO_URING: on or off)")
	fs.StringVar(&c.LogLevel, "log-level", env("LOG_LEVEL", "info"), "debug, info, warn or error (LOG_LEVEL)")
	localDef := env("CACHE_LOCAL_ENTRIES", strconv.Itoa(cache.DefaultLocalMaxEntries))
	local, convErr := strconv.Atoi(localDef)
	fs.IntVar(&c.CacheLocal, "cache-local-entries", local, "entries of the in-process cache in front of Redis; 0 disables it (CACHE_LOCAL_ENTRIES)")
	// The limits below have no "off": each defaults to its named constant,
	// and 0 (or less) is refused with the flag named.
	limits := []struct {
		flag, env string
		dst       *int
		def       int
		usage     string
	}{
		{"cache-local-mb", "CACHE_LOCAL_MB", &c.CacheLocalMB, cache.DefaultLocalMaxBytes >> 20, "megabytes the in-process cache may hold"},
		{"ws-max-per-address", "WS_MAX_PER_ADDRESS", &c.WSPerAddress, server.DefaultMaxConnsPerAddress, "websocket connections allowed per client address"},
		{"write-rate", "WRITE_RATE", &c.WriteRate, server.DefaultWriteRate, "writes a token may make per minute"},
		{"max-http-conns-per-address", "MAX_HTTP_CONNS_PER_ADDRESS", &c.HTTPPerAddress, server.DefaultMaxHTTPConnsPerAddress, "plain HTTP connections allowed per direct peer; trusted proxies are exempt"},
		{"auth-failure-rate", "AUTH_FAILURE_RATE", &c.AuthFailureRate, server.DefaultFailedAuthRate, "failed authentications a client address may make per minute"},
	}
	for _, l := range limits {
		def := l.def
		if v := getenv(l.env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 {
				err = fmt.Errorf("%s: want a whole number ≥ 1, got %q", l.env, v)
				fmt.Fprintln(fs.Output(), err)
				return c, err
			}
			def = n
		}
		fs.IntVar(l.dst, l.flag, def, fmt.Sprintf("%s (%s)", l.usage, l.env))
	}
	err := fs.Parse(args)
	if err == nil {
		switch {
		case ringErr != nil:
			err = fmt.Errorf("WS_IO_URING: %w", ringErr)
		case convErr != nil:
			err = fmt.Errorf("CACHE_LOCAL_ENTRIES: %q is not a number", localDef)
		case c.CacheLocal < 0:
			err = fmt.Errorf("cache-local-entries (CACHE_LOCAL_ENTRIES): %d: want 0 or more", c.CacheLocal)
		}
		if err == nil && c.PublicURL != "" {
			err = checkPublicURL(c.PublicURL)
		}
		if err == nil {
			_, err = server.ParseTrustedProxies(c.TrustedProxies)
		}
		for _, l := range limits {
			if err == nil && *l.dst < 1 {
				err = fmt.Errorf("%s (%s): %d: want 1 or more", l.flag, l.env, *l.dst)
			}
		}
		if err != nil {
			fmt.Fprintln(fs.Output(), err)
		}
	}
	return c, err
}

// checkPublicURL refuses a PUBLIC_URL that cannot start the feeds' links:
// it must be an absolute http(s) origin, with no query or fragment.
func checkPublicURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("public-url (PUBLIC_URL): %q: want an absolute http(s) URL such as https://hwf.example.org", s)
	}
	return nil
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

func run(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, getenv, stderr)
	case "token":
		return tokenCmd(args, getenv, stdout, stderr)
	case "import":
		return importCmd(args, getenv, stdout, stderr)
	case "healthcheck":
		return healthcheck(args, stderr)
	default:
		fmt.Fprintf(stderr, "hwfdash: unknown command %q (serve, token, healthcheck)\n", cmd)
		return 2
	}
}

func newLogger(level string, w io.Writer) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l}))
}

func serve(args []string, getenv func(string) string, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg, err := parseConfig(fs, args, getenv)
	if err != nil {
		return 2
	}
	log := newLogger(cfg.LogLevel, stderr)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := serveUntil(ctx, cfg, log); err != nil {
		log.Error("hwfdash stopped", "err", err)
		return 1
	}
	return 0
}

// serveUntil wires the parts, serves until ctx ends, and shuts down in
// order: stop accepting, drain the websockets, then close the bus, cache and
// store.
func serveUntil(ctx context.Context, cfg config, log *slog.Logger) error {
	ds, err := seeddata.Load()
	if err != nil {
		return err
	}
	roadmap, err := seeddata.Roadmap(ds.Milestones)
	if err != nil {
		return err
	}
	assets, err := public.Load()
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.Seed(ctx, ds)
	if err != nil {
		return err
	}
	log.Info("store ready", "store", db.Kind(), "seed_inserted", rep.Inserted, "seed_skipped", rep.Skipped)

	local := cfg.CacheLocal
	if local == 0 {
		local = -1 // cache.Options reads 0 as its default
	}
	c := cache.New(ctx, cache.Options{RedisURL: cfg.RedisURL, LocalMaxEntries: local, LocalMaxBytes: int64(cfg.CacheLocalMB) << 20, Prefix: cfg.RedisPrefix, Logger: log.With("component", "cache")})
	defer c.Close()
	bus := cache.NewBus(ctx, cache.BusOptions{RedisURL: cfg.RedisURL, Channel: cfg.RedisPrefix + "updates", Logger: log.With("component", "bus")})
	defer bus.Close()
	log.Info("cache and bus ready", "cache", c.State(), "bus", bus.State())

	proxies, err := server.ParseTrustedProxies(cfg.TrustedProxies)
	if err != nil {
		return err
	}
	srv, err := server.New(server.Config{
		AdminToken:     cfg.AdminToken,
		AllowedOrigins: splitList(cfg.AllowedOrigins),
		PublicURL:      cfg.PublicURL,
		EmbedOrigins:   splitList(cfg.EmbedOrigins),
		// A load test from one machine opens thousands of connections
		// from one address.
		MaxConnsPerAddress:     cfg.WSPerAddress,
		WriteRate:              cfg.WriteRate,
		TrustedProxies:         proxies,
		MaxHTTPConnsPerAddress: cfg.HTTPPerAddress,
		FailedAuthRate:         cfg.AuthFailureRate,
		WSNoRing:               !cfg.WSRing,
		Logger:                 log,
	}, server.Deps{
		Store: db, Tokens: db, Experiences: db, Imports: db, Cache: c, Bus: bus, Assets: assets, Rates: c, Shared: c,
		Reference: engine.Reference{
			Countries: ds.Countries, Milestones: ds.Milestones, Rounds: ds.Rounds,
			Breaks: ds.Breaks, Lists: ds.Lists, Citations: ds.SeriesCitations, Provenance: ds.Provenance, Roadmap: roadmap,
		},
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	log.Info("hwfdash listening", "addr", ln.Addr().String(), "store", db.Kind(), "cache", c.State())
	errc := make(chan error, 1)
	go func() { errc <- srv.Start(ctx, ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}

func tokenCmd(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "usage: hwfdash token create -label L -countries AUT[,DEU] [-admin] | token list | token revoke ID")
		return 2
	}
	sub, args := args[0], args[1:]
	fs := flag.NewFlagSet("token "+sub, flag.ContinueOnError)
	fs.SetOutput(stderr)
	label := fs.String("label", "", "who the token is for, e.g. \"Ministry of Health, Austria\"")
	countries := fs.String("countries", "", "ISO3 codes the token may write, comma-separated")
	admin := fs.Bool("admin", false, "an admin token (writes any country, manages tokens)")
	cfg, err := parseConfig(fs, args, getenv)
	if err != nil {
		return 2
	}
	ctx := context.Background()
	log := newLogger("warn", stderr)
	ds, err := seeddata.Load()
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	db, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir, log)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	defer db.Close()
	known := map[string]bool{}
	for _, c := range ds.Countries {
		known[c.ISO3] = true
	}
	switch sub {
	case "create":
		codes := splitList(*countries)
		if !*admin || len(codes) > 0 {
			if codes, err = server.ValidateTokenRequest(*label, codes, func(s string) bool { return known[s] }); err != nil {
				fmt.Fprintln(stderr, "hwfdash token create:", err)
				return 2
			}
		}
		tok, secret, err := db.CreateToken(ctx, strings.TrimSpace(*label), codes, *admin)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		fmt.Fprintf(stdout, "id: %s\nlabel: %s\ncountries: %s\ntoken: %s\n(shown once: store it now)\n",
			tok.ID, tok.Label, strings.Join(tok.Countries, ","), secret)
	case "list":
		toks, err := db.ListTokens(ctx)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		for _, t := range toks {
			state := "active"
			if t.RevokedAt != nil {
				state = "revoked"
			}
			fmt.Fprintf(stdout, "%s\t%s\t%s\t%s\n", t.ID, state, strings.Join(t.Countries, ","), t.Label)
		}
	case "revoke":
		if fs.NArg() != 1 {
			fmt.Fprintln(stderr, "usage: hwfdash token revoke ID")
			return 2
		}
		if err := db.RevokeToken(ctx, fs.Arg(0)); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		fmt.Fprintln(stdout, "revoked", fs.Arg(0))
	default:
		fmt.Fprintf(stderr, "hwfdash token: unknown subcommand %q\n", sub)
		return 2
	}
	return 0
}

// healthcheck probes a URL and exits 0 on a 2xx answer: container images
// without curl use it for their health checks.
func healthcheck(args []string, stderr io.Writer) int {
	fs := flag.NewFlagSet("healthcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "http://127.0.0.1:8080/readyz", "URL to probe")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	client := &http.Client{Timeout: 3 * time.Second}
	resp, err := client.Get(*url)
	if err != nil {
		fmt.Fprintln(stderr, "healthcheck:", err)
		return 1
	}
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		fmt.Fprintln(stderr, "healthcheck: status", resp.StatusCode)
		return 1
	}
	return 0
}
