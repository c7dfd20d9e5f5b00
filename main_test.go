package main

import (
	"flag"
	"io"
	"net/url"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/hwfdash/hwfdash/cache"
	"github.com/hwfdash/hwfdash/server"
)

// envRead lists the environment variables the server's configuration reads.
func envRead(t *testing.T) map[string]bool {
	t.Helper()
	read := map[string]bool{}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	if _, err := parseConfig(fs, nil, func(k string) string { read[k] = true; return "" }); err != nil {
		t.Fatal(err)
	}
	return read
}

// TestComposeMatchesCode checks that docker-compose.yml describes the
// deployment the code supports: two app instances sharing Redis and
// PostgreSQL behind a load balancer, configured only through variables the
// code reads.
func TestComposeMatchesCode(t *testing.T) {
	b, err := os.ReadFile("docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Command     []string          `yaml:"command"`
			Build       any               `yaml:"build"`
			Environment map[string]string `yaml:"environment"`
			Ports       []string          `yaml:"ports"`
			Expose      []string          `yaml:"expose"`
			DependsOn   map[string]any    `yaml:"depends_on"`
			Healthcheck map[string]any    `yaml:"healthcheck"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	read := envRead(t)
	pg := doc.Services["postgres"]
	for _, name := range []string{"app1", "app2"} {
		app, ok := doc.Services[name]
		if !ok {
			t.Fatalf("no service %s", name)
		}
		if app.Build == nil || app.Healthcheck == nil {
			t.Errorf("%s: needs build and healthcheck", name)
		}
		for k := range app.Environment {
			if !read[k] {
				t.Errorf("%s sets %s, which the code does not read", name, k)
			}
		}
		if app.Environment["ADDR"] != ":8080" || len(app.Expose) != 1 || app.Expose[0] != "8080" {
			t.Errorf("%s: ADDR %q expose %v", name, app.Environment["ADDR"], app.Expose)
		}
		db, err := url.Parse(app.Environment["DATABASE_URL"])
		if err != nil || db.Scheme != "postgres" || db.Hostname() != "postgres" || db.User.Username() != pg.Environment["POSTGRES_USER"] ||
			strings.TrimPrefix(db.Path, "/") != pg.Environment["POSTGRES_DB"] {
			t.Errorf("%s: DATABASE_URL %q does not match the postgres service", name, app.Environment["DATABASE_URL"])
		}
		if pw, _ := db.User.Password(); pw != pg.Environment["POSTGRES_PASSWORD"] {
			t.Errorf("%s: DATABASE_URL password does not match", name)
		}
		if r, err := url.Parse(app.Environment["REDIS_URL"]); err != nil || r.Hostname() != "redis" || r.Port() != "6379" {
			t.Errorf("%s: REDIS_URL %q does not point at the redis service", name, app.Environment["REDIS_URL"])
		}
		for _, dep := range []string{"postgres", "redis"} {
			if _, ok := app.DependsOn[dep]; !ok {
				t.Errorf("%s does not depend on %s", name, dep)
			}
		}
	}
	for _, name := range []string{"postgres", "redis", "lb"} {
		if _, ok := doc.Services[name]; !ok {
			t.Errorf("no service %s", name)
		}
	}
	if lb := doc.Services["lb"]; len(lb.Ports) != 1 || lb.Ports[0] != "8080:80" {
		t.Errorf("lb ports %v", lb.Ports)
	}
	// Redis is a bounded cache (issue 15): a memory cap and an eviction
	// policy that may drop any key (every key is recomputable or has a TTL).
	redisCmd := strings.Join(doc.Services["redis"].Command, " ")
	if !regexp.MustCompile(`--maxmemory \d+[kmg]b`).MatchString(redisCmd) || !strings.Contains(redisCmd, "--maxmemory-policy allkeys-lru") {
		t.Errorf("redis command %q: want --maxmemory and --maxmemory-policy allkeys-lru", redisCmd)
	}
	for _, name := range []string{"app1", "app2"} {
		tp := doc.Services[name].Environment["TRUSTED_PROXIES"]
		def := tp[strings.LastIndex(tp, ":-")+2 : len(tp)-1]
		if _, err := server.ParseTrustedProxies(def); !strings.HasPrefix(tp, "${TRUSTED_PROXIES:-") || def == "" || err != nil {
			t.Errorf("%s: TRUSTED_PROXIES %q: want a default naming the proxy network (%v)", name, tp, err)
		}
	}
	// Websockets are refused from any origin but PUBLIC_URL's (and
	// ALLOWED_ORIGINS): nginx passes the Host without its port, so not even
	// a browser on the same machine got through with PUBLIC_URL empty. The
	// default is the origin of the port the load balancer publishes.
	lbPort := strings.Split(doc.Services["lb"].Ports[0], ":")[0]
	for _, name := range []string{"app1", "app2"} {
		pu := doc.Services[name].Environment["PUBLIC_URL"]
		def := strings.TrimSuffix(strings.TrimPrefix(pu, "${PUBLIC_URL:-"), "}")
		if !strings.HasPrefix(pu, "${PUBLIC_URL:-") || def != "http://localhost:"+lbPort || checkPublicURL(def) != nil {
			t.Errorf("%s: PUBLIC_URL %q: want ${PUBLIC_URL:-http://localhost:%s}, the origin of the published port", name, pu, lbPort)
		}
	}
	conf, err := os.ReadFile("deploy/nginx.conf")
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []string{"proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;", "proxy_set_header X-Real-IP $remote_addr;"} {
		if !strings.Contains(string(conf), h) {
			t.Errorf("nginx.conf lacks %q, which the trusted-proxy setting reads", h)
		}
	}
	var upstreams []string
	for _, m := range regexp.MustCompile(`server (\w+):8080`).FindAllStringSubmatch(string(conf), -1) {
		upstreams = append(upstreams, m[1])
	}
	sort.Strings(upstreams)
	if strings.Join(upstreams, ",") != "app1,app2" || !strings.Contains(string(conf), "$http_upgrade") {
		t.Errorf("nginx upstreams %v (want app1, app2) or websocket upgrade missing", upstreams)
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	env := map[string]string{"ADDR": ":9999", "DATABASE_URL": "postgres://x", "REDIS_URL": "redis://y", "ADMIN_TOKEN": "t",
		"DATA_DIR": "/d", "ALLOWED_ORIGINS": "https://a", "EMBED_ORIGINS": "https://b", "LOG_LEVEL": "debug",
		"CACHE_LOCAL_ENTRIES": "0", "REDIS_PREFIX": "bench:", "WS_MAX_PER_ADDRESS": "1000", "WRITE_RATE": "6000", "CACHE_LOCAL_MB": "32",
		"PUBLIC_URL": "https://hwf.example.org", "TRUSTED_PROXIES": "10.0.0.0/8", "MAX_HTTP_CONNS_PER_ADDRESS": "9", "AUTH_FAILURE_RATE": "7", "WS_IO_URING": "off"}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c, err := parseConfig(fs, []string{"-addr", ":7777"}, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	want := config{Addr: ":7777", DataDir: "/d", DatabaseURL: "postgres://x", RedisURL: "redis://y", AdminToken: "t",
		AllowedOrigins: "https://a", EmbedOrigins: "https://b", LogLevel: "debug", CacheLocal: 0,
		RedisPrefix: "bench:", CacheLocalMB: 32, WSPerAddress: 1000, WriteRate: 6000, PublicURL: "https://hwf.example.org",
		TrustedProxies: "10.0.0.0/8", HTTPPerAddress: 9, AuthFailureRate: 7, WSRing: false}
	if c != want {
		t.Fatalf("got %+v, want %+v (flags override the environment)", c, want)
	}
	for _, bad := range []string{"hwf.example.org", "ftp://hwf.example.org", "https://hwf.example.org/?x=1"} {
		env["PUBLIC_URL"] = bad
		if _, err := parseConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "PUBLIC_URL") {
			t.Errorf("PUBLIC_URL=%s: err %v, want one naming PUBLIC_URL", bad, err)
		}
	}
	env["PUBLIC_URL"] = ""
	env["TRUSTED_PROXIES"] = "10.0.0.0/33"
	if _, err := parseConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") {
		t.Errorf("TRUSTED_PROXIES=10.0.0.0/33: err %v, want one naming TRUSTED_PROXIES", err)
	}
	env["TRUSTED_PROXIES"] = ""
	env["WS_IO_URING"] = "sometimes"
	if _, err := parseConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "WS_IO_URING") {
		t.Errorf("WS_IO_URING=sometimes: err %v, want one naming WS_IO_URING", err)
	}
	env["WS_IO_URING"] = ""
	env["WRITE_RATE"] = "many"
	if _, err := parseConfig(flag.NewFlagSet("t", flag.ContinueOnError), nil, func(k string) string { return env[k] }); err == nil || !strings.Contains(err.Error(), "WRITE_RATE") {
		t.Fatalf("WRITE_RATE=many: err %v, want one naming WRITE_RATE", err)
	}
}

func TestCacheLocalEntriesRejected(t *testing.T) {
	for _, v := range []string{"many", "-1"} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		_, err := parseConfig(fs, nil, func(k string) string {
			if k == "CACHE_LOCAL_ENTRIES" {
				return v
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), "CACHE_LOCAL_ENTRIES") {
			t.Errorf("CACHE_LOCAL_ENTRIES=%s: err %v, want one naming the variable", v, err)
		}
	}
}

// TestLimitDefaultsAndZero checks that the limits default to their named
// constants and that 0, which used to stand for the default, is refused with
// the flag or variable named.
func TestLimitDefaultsAndZero(t *testing.T) {
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	c, err := parseConfig(fs, nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	if !c.WSRing || c.WriteRate != server.DefaultWriteRate || c.WSPerAddress != server.DefaultMaxConnsPerAddress || c.CacheLocalMB != cache.DefaultLocalMaxBytes>>20 {
		t.Errorf("defaults: got %+v", c)
	}
	for _, tc := range []struct {
		args []string
		env  map[string]string
		want string
	}{
		{args: []string{"-write-rate", "0"}, want: "write-rate (WRITE_RATE)"},
		{args: []string{"-ws-max-per-address", "0"}, want: "ws-max-per-address (WS_MAX_PER_ADDRESS)"},
		{args: []string{"-cache-local-mb", "0"}, want: "cache-local-mb (CACHE_LOCAL_MB)"},
		{env: map[string]string{"WRITE_RATE": "0"}, want: "WRITE_RATE"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		_, err := parseConfig(fs, tc.args, func(k string) string { return tc.env[k] })
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v %v: err %v, want one naming %s", tc.args, tc.env, err, tc.want)
		}
	}
}
