package loadbench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/gorilla/websocket"
)

// Centrifugo v6 is the broadcast targets' second peer, run when its binary
// is found (-centrifugo, PATH, or $(go env GOPATH)/bin; `GOFLAGS=-mod=mod go
// install github.com/centrifugal/centrifugo/v6@v6.9.1` builds it). It runs
// with centrifugoConfig: the memory engine, clients and the HTTP API
// without authentication (loopback only), no history, no presence — the
// least work a publication can cost it.

const centrifugoChannel = "bench"

// CentrifugoVersion is the release the peer's figures were taken with.
const CentrifugoVersion = "v6.9.1"

// centrifugoConfig is the exact configuration the bench runs Centrifugo
// with; BENCHMARKS.md quotes it.
func centrifugoConfig(host string, port int) map[string]any {
	return map[string]any{
		"http_server": map[string]any{"address": host, "port": port},
		"log":         map[string]any{"level": "error"},
		"engine":      map[string]any{"type": "memory"},
		"health":      map[string]any{"enabled": true},
		"client":      map[string]any{"insecure": true, "allowed_origins": []string{"*"}},
		"http_api":    map[string]any{"insecure": true},
		"usage_stats": map[string]any{"disabled": true},
	}
}

// FindCentrifugo resolves the Centrifugo executable: the given path, else
// centrifugo in PATH, else in $(go env GOPATH)/bin (or ~/go/bin). It
// returns "" when there is none.
func FindCentrifugo(given string) (string, error) {
	if given != "" {
		abs, err := filepath.Abs(given)
		if err != nil {
			return "", err
		}
		if _, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("-centrifugo: %w", err)
		}
		return abs, nil
	}
	if p, err := exec.LookPath("centrifugo"); err == nil {
		return p, nil
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		if out, err := exec.Command("go", "env", "GOPATH").Output(); err == nil {
			gopath = strings.TrimSpace(string(out))
		}
	}
	if gopath == "" {
		if home, err := os.UserHomeDir(); err == nil {
			gopath = filepath.Join(home, "go")
		}
	}
	for _, dir := range filepath.SplitList(gopath) {
		p := filepath.Join(dir, "bin", "centrifugo")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, nil
		}
	}
	return "", nil
}

// StartCentrifugo runs Centrifugo with centrifugoConfig on a free port.
func StartCentrifugo(ctx context.Context, o Options, name string) (*Proc, error) {
	addr, err := FreeAddr()
	if err != nil {
		return nil, err
	}
	host, portS, _ := net.SplitHostPort(addr)
	port, _ := strconv.Atoi(portS)
	cfg, _ := json.MarshalIndent(centrifugoConfig(host, port), "", "  ")
	cfgPath := filepath.Join(o.WorkDir, name+".json")
	if err := os.WriteFile(cfgPath, cfg, 0o644); err != nil {
		return nil, err
	}
	return startReady(ctx, o, name, o.Centrifugo, addr, "/health", []string{"--config", cfgPath}, nil, 60*time.Second)
}

// centrifugoPeer speaks Centrifugo's JSON client protocol (connect, then
// subscribe, in one frame; its pings `{}` are answered `{}`) and publishes
// through its HTTP API.
func centrifugoPeer(p *Proc, size int) *peerSpec {
	client := &http.Client{Timeout: 30 * time.Second}
	return &peerSpec{
		name:  "Centrifugo",
		wsURL: "ws://" + p.Addr + "/connection/websocket",
		subscribe: func(conn *websocket.Conn) error {
			cmds := `{"id":1,"connect":{"name":"hwfdash-bench"}}` + "\n" + `{"id":2,"subscribe":{"channel":"` + centrifugoChannel + `"}}`
			if err := conn.WriteMessage(websocket.TextMessage, []byte(cmds)); err != nil {
				return err
			}
			for {
				_, data, err := conn.ReadMessage()
				if err != nil {
					return err
				}
				for _, line := range bytes.Split(data, []byte("\n")) {
					if bytes.Contains(line, []byte(`"error"`)) {
						return fmt.Errorf("centrifugo: %s", line)
					}
					if bytes.HasPrefix(line, []byte(`{"id":2,`)) {
						return nil
					}
				}
			}
		},
		// A ping may share a frame with replies or pushes (Centrifugo
		// batches them, one JSON object a line).
		pong: func(data []byte) []byte {
			for _, line := range bytes.Split(data, []byte("\n")) {
				if string(line) == "{}" {
					return []byte("{}")
				}
			}
			return nil
		},
		prepare: func(_ context.Context, u int) (int64, error) { return int64(u + 1), nil },
		trigger: func(ctx context.Context, u int) error {
			body := append(append([]byte(`{"channel":"`+centrifugoChannel+`","data":`), peerFrame(int64(u+1), size)...), '}')
			return postJSON(ctx, client, p.URL+"/api/publish", nil, body)
		},
	}
}
