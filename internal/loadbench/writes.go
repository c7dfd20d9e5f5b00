package loadbench

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

func init() {
	register(Target{Order: 5, Name: "5. recompute", Run: runRecompute})
	register(Target{Order: 6, Name: "6. stampede", Run: runStampede})
}

// admin talks to a server started with an admin token.
type admin struct {
	url, token string
	client     *http.Client
}

func startAdmin(ctx context.Context, o Options, name string, env ...string) (*Proc, *admin, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	tok := hex.EncodeToString(b)
	p, err := StartServer(ctx, o, name, "", append(env, "ADMIN_TOKEN="+tok)...)
	if err != nil {
		return nil, nil, err
	}
	return p, &admin{url: p.URL, token: tok, client: &http.Client{Timeout: time.Minute}}, nil
}

// do sends a request with the admin token and decodes a 2xx JSON answer
// into out.
func (a *admin) do(ctx context.Context, method, path string, body any, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.url+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, bytes.TrimSpace(b))
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(b, out)
}

const (
	recomputeWrites  = 10
	recomputeTopic   = "indicator:HWF_0001"
	recomputeRepeats = 3
)

// runRecompute compares one posted observation, from the POST to its
// update arriving on a subscribed websocket (store write, recompute of what
// it affects, cache, publish, push), with the server recomputing every
// indicator's payloads from scratch (POST /api/v1/admin/recompute, timed in
// the server). Both run on the same server and store.
func runRecompute(ctx context.Context, o Options) ([]Result, error) {
	srv, adm, err := startAdmin(ctx, o, "recompute")
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+srv.Addr+"/ws", nil)
	if err != nil {
		return nil, err
	}
	defer ws.Close()
	if err := ws.WriteJSON(map[string]any{"subscribe": []string{recomputeTopic}}); err != nil {
		return nil, err
	}
	if _, err := awaitFrame(ws, func(f frame) bool { return f.Type == "subscribed" }); err != nil {
		return nil, err
	}

	var one []time.Duration
	for i := range recomputeWrites {
		// A scratch store, written with a figure marked as the bench's own.
		obs := []map[string]any{{"indicator": "HWF_0001", "iso3": "AUT", "year": 2020,
			"value": 50 + float64(i)/100, "source": "hwfdash bench (scratch store)"}}
		var res struct {
			Version int64 `json:"version"`
		}
		start := time.Now()
		if err := adm.do(ctx, http.MethodPost, "/api/v1/observations", obs, &res); err != nil {
			return nil, err
		}
		if _, err := awaitFrame(ws, func(f frame) bool {
			return f.Type == "update" && f.Topic == recomputeTopic && f.Version >= res.Version
		}); err != nil {
			return nil, fmt.Errorf("write %d: %w", i+1, err)
		}
		one = append(one, time.Since(start))
	}

	var full []time.Duration
	var payloads, size int
	for range recomputeRepeats {
		var res struct {
			Payloads int     `json:"payloads"`
			Bytes    int     `json:"bytes"`
			Seconds  float64 `json:"seconds"`
		}
		if err := adm.do(ctx, http.MethodPost, "/api/v1/admin/recompute", nil, &res); err != nil {
			return nil, err
		}
		full = append(full, time.Duration(res.Seconds*float64(time.Second)))
		payloads, size = res.Payloads, res.Bytes
	}
	oneMed, fullMed := median(one), median(full)
	ratio := float64(fullMed) / float64(oneMed)
	return []Result{{
		Target: "5. recompute: one write vs all",
		Figure: fmt.Sprintf("%.0f× (one write to push %s; every indicator from scratch %s)", ratio, ms(oneMed), ms(fullMed)),
		Goal:   "≥ 20×", Checked: true, Pass: ratio >= 20,
		Note: fmt.Sprintf("medians: %d writes timed from POST to the websocket update of %s (store write, recompute, cache, publish, push); "+
			"the full recompute (%d payloads, %d KB: data and regional of every indicator, milestones, rounds) timed in the server by POST /api/v1/admin/recompute, %d runs",
			recomputeWrites, recomputeTopic, payloads, size/1024, recomputeRepeats),
	}}, nil
}

type frame struct {
	Type    string `json:"type"`
	Topic   string `json:"topic"`
	Version int64  `json:"version"`
}

// awaitFrame reads frames until one matches, within 30 s.
func awaitFrame(ws *websocket.Conn, match func(frame) bool) (frame, error) {
	_ = ws.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, b, err := ws.ReadMessage()
		if err != nil {
			return frame{}, err
		}
		var f frame
		if err := json.Unmarshal(b, &f); err != nil {
			return f, err
		}
		if f.Type == "error" {
			return f, fmt.Errorf("server: %s", b)
		}
		if match(f) {
			return f, nil
		}
	}
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}

const stampedeRequests = 1000

// stampedeURI is a key nobody has asked the server for before the
// stampede: one indicator, one country, one range.
const stampedeURI = "/api/v1/indicators/HWF_0006/data?countries=FRA&time=2001..2019"

// runStampede opens 1,000 connections, then sends the same uncached read on
// all of them at once, and counts the computations the server ran.
func runStampede(ctx context.Context, o Options) ([]Result, error) {
	// The 1,000 connections come from one address, as they would through
	// the nginx in front (a trusted proxy, exempt from the per-address
	// cap); without a proxy here, the cap is lifted instead, or how many
	// of them it refuses depends on how soon the first answers free their
	// places.
	srv, adm, err := startAdmin(ctx, o, "stampede", "MAX_HTTP_CONNS_PER_ADDRESS=100000")
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	var before, after serverStats
	if err := adm.do(ctx, http.MethodGet, "/api/v1/admin/stats", nil, &before); err != nil {
		return nil, err
	}
	conns := make([]net.Conn, 0, stampedeRequests)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	var d net.Dialer
	for range stampedeRequests {
		c, err := d.DialContext(ctx, "tcp", srv.Addr)
		if err != nil {
			return nil, fmt.Errorf("connection %d: %w", len(conns)+1, err)
		}
		conns = append(conns, c)
	}
	raw := []byte("GET " + stampedeURI + " HTTP/1.1\r\nHost: " + srv.Addr + "\r\nConnection: close\r\n\r\n")
	start := make(chan struct{})
	var wg sync.WaitGroup
	var mu sync.Mutex
	bodies := map[string]int{}
	var errs []error
	for _, c := range conns {
		wg.Go(func() {
			<-start
			_ = c.SetDeadline(time.Now().Add(time.Minute))
			body, err := roundTrip(c, raw)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			bodies[string(body)]++
		})
	}
	close(start)
	wg.Wait()
	if len(errs) > 0 {
		return nil, fmt.Errorf("%d of %d requests failed, first: %w", len(errs), stampedeRequests, errs[0])
	}
	if err := adm.do(ctx, http.MethodGet, "/api/v1/admin/stats", nil, &after); err != nil {
		return nil, err
	}
	n := after.Computes - before.Computes
	return []Result{{
		Target: "6. stampede: computations",
		Figure: fmt.Sprintf("%d computation(s) for %d concurrent requests", n, stampedeRequests),
		Goal:   "exactly 1", Checked: true, Pass: n == 1 && len(bodies) == 1,
		Note: fmt.Sprintf("GET %s on %d connections opened first, released at once; %d distinct bodies; "+
			"counter of GET /api/v1/admin/stats", stampedeURI, stampedeRequests, len(bodies)),
	}}, nil
}

// roundTrip writes one raw request and reads a 200 answer's body.
func roundTrip(c net.Conn, raw []byte) ([]byte, error) {
	if _, err := c.Write(raw); err != nil {
		return nil, err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, errors.New("status " + resp.Status + ": " + strings.TrimSpace(string(body)))
	}
	return body, nil
}
