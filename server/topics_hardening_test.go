package server_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hwfdash/hwfdash/server"
)

// europe are Member States to build many distinct chart views from.
var europe = []string{"AUT", "BEL", "CYP", "DEU", "DNK", "ESP", "FIN", "FRA", "GRC", "IRL", "ITA", "LUX", "MLT", "NLD", "POL", "PRT", "SWE", "SMR"}

// chartTopics are n distinct trend chart topics on indicator, in canonical
// form (countries sorted).
func chartTopics(indicator string, n int) []string {
	var out []string
	for i := 0; len(out) < n; i++ {
		a, b := europe[i%len(europe)], europe[(i/len(europe)+i+1)%len(europe)]
		if a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		t := fmt.Sprintf("chart:trend?countries=%s%%2C%s&indicator=%s&time=%d..2024", a, b, indicator, 2000+i/len(europe))
		dup := false
		for _, o := range out {
			dup = dup || o == t
		}
		if !dup {
			out = append(out, t)
		}
	}
	return out
}

// TestChartTopicsCanonical: a chart topic with an unknown parameter is
// refused, naming it; equal views written differently (order, duplicates,
// 1.50 for 1.5) are one topic.
func TestChartTopicsCanonical(t *testing.T) {
	a := startApp(t, appOptions{})
	ws := dialWS(t, a.URL, nil)

	for topic, param := range map[string]string{
		"chart:trend?indicator=HWF_0001&countries=AUT&cachebuster=1":     "cachebuster",
		"chart:trend?indicator=HWF_0001&countries=AUT&countries=DEU":     "countries",
		"chart:trend?indicator=HWF_0001&countries=AUT&scale=1.51":        "scale",
		"chart:map?indicator=HWF_0001&x=HWF_0002":                        "x",
		"chart:trend?indicator=HWF_0001&countries=AUT&time=2000..2020&z": "z",
	} {
		ws.send(map[string]any{"subscribe": []string{topic}})
		m := ws.await(func(m wsMessage) bool { return m.Type == "error" || m.Type == "subscribed" })
		if m.Type != "error" || !strings.Contains(m.Error, param) {
			t.Errorf("%s: got %s %q, want an error naming %q", topic, m.Type, m.Error, param)
		}
	}

	variants := []string{
		"chart:trend?indicator=HWF_0001&countries=DEU,AUT&scale=1.50",
		"chart:trend?scale=1.5&countries=AUT,DEU,AUT&indicator=HWF_0001",
		"chart:trend?countries=AUT%2CDEU&indicator=HWF_0001&scale=1.5",
	}
	var topics []string
	for _, v := range variants {
		ws.send(map[string]any{"subscribe": []string{v}})
		m := ws.await(func(m wsMessage) bool { return m.Type == "error" || m.Type == "subscribed" })
		if m.Type != "subscribed" {
			t.Fatalf("%s: %s %q", v, m.Type, m.Error)
		}
		topics = m.Topics
	}
	var res struct {
		Topic string `json:"topic"`
	}
	getJSON(t, a.URL+"/api/v1/charts/trend?countries=DEU,AUT&indicator=HWF_0001&scale=1.50", &res)
	if len(topics) != 1 || topics[0] != res.Topic {
		t.Errorf("three spellings of one view subscribe %q, want the one topic %q", topics, res.Topic)
	}
}

// TestLiveTopicsBounded: beyond the instance's bound on distinct live
// topics a subscription is refused with an error message, and the
// connection stays usable.
func TestLiveTopicsBounded(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) { c.MaxLiveTopics = 5 }})
	topics := chartTopics("HWF_0001", 6)
	one, two := dialWS(t, a.URL, nil), dialWS(t, a.URL, nil)
	one.subscribe(topics[:3]...)
	two.subscribe(topics[3:5]...)
	two.send(map[string]any{"subscribe": []string{topics[5]}})
	m := two.await(func(m wsMessage) bool { return m.Type == "error" || m.Type == "subscribed" })
	if m.Type != "error" || !strings.Contains(m.Error, "topics") {
		t.Fatalf("a sixth distinct topic: got %s %q, want an error", m.Type, m.Error)
	}
	if m := two.await(func(m wsMessage) bool { return m.Type == "subscribed" }); len(m.Topics) != 2 {
		t.Fatalf("after the refusal, subscribed %q; want the two topics before it", m.Topics)
	}
	subscribed := func(c *wsClient, msg map[string]any) []string {
		t.Helper()
		c.send(msg)
		return c.await(func(m wsMessage) bool { return m.Type == "subscribed" }).Topics
	}
	// The connection stays; a topic already live is shared, not counted
	// again.
	if got := subscribed(two, map[string]any{"subscribe": []string{topics[0]}}); len(got) != 3 {
		t.Fatalf("after the refusal, subscribed %q; want the two topics and %s", got, topics[0])
	}
	subscribed(one, map[string]any{"unsubscribe": topics[:3]})
	if got := subscribed(two, map[string]any{"subscribe": []string{topics[5]}}); len(got) != 4 {
		t.Fatalf("after others left: subscribed %q, want 4 topics", got)
	}
}

// holdingCache holds every chart push computation until released, and
// counts them.
type holdingCache struct {
	server.Cache
	release  chan struct{}
	computes atomic.Int64
}

func (h *holdingCache) GetOrCompute(ctx context.Context, key string, compute func(ctx context.Context) ([]byte, error)) ([]byte, error) {
	if strings.Contains(key, ":push:chart:") {
		h.computes.Add(1)
		select {
		case <-h.release:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	return h.Cache.GetOrCompute(ctx, key, compute)
}

// TestChartRecomputeNeverDelaysOtherTopics: many connections subscribe to
// many distinct charts of an indicator; while their recomputation is held,
// a legitimate subscriber of the indicator still gets each write's update,
// and the charts queued behind a newer write are computed once, for it.
func TestChartRecomputeNeverDelaysOtherTopics(t *testing.T) {
	hold := &holdingCache{release: make(chan struct{})}
	// No version poll: its catch-up would push beside the held loop.
	a := startApp(t, appOptions{poll: time.Hour, wrapCache: func(c server.Cache) server.Cache { hold.Cache = c; return hold }})
	var once sync.Once
	release := func() { once.Do(func() { close(hold.release) }) }
	t.Cleanup(release)
	_, secret := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")

	const conns, perConn = 8, 8
	topics := chartTopics("HWF_0001", conns*perConn)
	var clients []*wsClient
	for i := range conns {
		c := dialWS(t, a.URL, nil)
		c.subscribe(topics[i*perConn : (i+1)*perConn]...)
		clients = append(clients, c)
	}
	legit := dialWS(t, a.URL, nil)
	legit.subscribe("indicator:HWF_0001")

	var last int64
	for i, value := range []float64{41.5, 42.5} {
		status, v := submit(t, a.URL, secret, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: value, Source: "Statistik Austria"})
		if status != http.StatusCreated {
			t.Fatalf("write %d: status %d", i, status)
		}
		legit.await(func(m wsMessage) bool { return m.Type == "update" && m.Topic == "indicator:HWF_0001" && m.Version >= v })
		last = v
	}
	// Both updates came while every chart computation was held: at most
	// the chart workers' computations had started.
	if n := hold.computes.Load(); n > 2 {
		t.Errorf("%d chart computations had started when the indicator's update came; want at most the workers'", n)
	}
	release()
	for i, c := range clients {
		want := map[string]bool{}
		for _, tp := range topics[i*perConn : (i+1)*perConn] {
			want[tp] = true
		}
		for len(want) > 0 {
			m := c.await(func(m wsMessage) bool { return m.Type == "update" && m.Version >= last })
			delete(want, m.Topic)
		}
	}
	// The first write's queued charts were superseded by the second's: each
	// chart computed once, plus what was in flight.
	if n := hold.computes.Load(); n > int64(len(topics))+2 {
		t.Errorf("%d chart computations for %d topics and two writes: superseded work was not dropped", n, len(topics))
	}
}

// TestSinceResendOncePerVersion: 32 chart subscriptions with since:0 sent
// five times send each chart's payload once.
func TestSinceResendOncePerVersion(t *testing.T) {
	a := startApp(t, appOptions{})
	_, secret := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	// The write's own push must be over before the charts are subscribed,
	// or it would reach them too (a push, not a resend): a watcher sees the
	// write's update once the server has handled its event.
	watch := dialWS(t, a.URL, nil)
	watch.subscribe("indicator:HWF_0001")
	if status, _ := submit(t, a.URL, secret, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 41.5, Source: "Statistik Austria"}); status != http.StatusCreated {
		t.Fatalf("write: status %d", status)
	}
	watch.await(func(m wsMessage) bool { return m.Type == "update" && m.Topic == "indicator:HWF_0001" })
	ws := dialWS(t, a.URL, nil)
	topics := chartTopics("HWF_0001", 32)
	for range 5 {
		ws.send(map[string]any{"subscribe": topics, "since": 0})
	}
	// Messages are answered in order: once this sixth one is, every
	// resend of the five before it has come.
	ws.send(map[string]any{"subscribe": []string{"milestones"}})
	counts, answered := map[string]int{}, 0
	ws.await(func(m wsMessage) bool {
		switch m.Type {
		case "update":
			counts[m.Topic]++
		case "subscribed":
			answered++
		}
		return answered == 6
	})
	for _, tp := range topics {
		if counts[tp] != 1 {
			t.Errorf("%s sent %d times, want once", tp, counts[tp])
		}
	}
}

// TestResendFloodClosed: a connection that keeps asking for resends of new
// views past its outbound budget is closed with 1008.
func TestResendFloodClosed(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) { c.ResendBytes = 256 << 10 }})
	ws := dialWS(t, a.URL, nil)
	topics := chartTopics("HWF_0001", 320)
	_ = ws.conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	var prev []string
	for i := 0; i < len(topics); i += 32 {
		batch := topics[i : i+32]
		// Each message is read to its answer and resends before the next
		// is sent, so the server never closes with our messages unread
		// (which would reset the connection instead of closing it).
		if err := ws.conn.WriteJSON(map[string]any{"unsubscribe": prev, "subscribe": batch, "since": 0}); err != nil {
			break
		}
		prev = batch
		for updates := 0; updates < len(batch); {
			_, data, err := ws.conn.ReadMessage()
			if err != nil {
				var ce *websocket.CloseError
				if !errors.As(err, &ce) || ce.Code != websocket.ClosePolicyViolation {
					t.Fatalf("flood ended with %v, want a close with code 1008", err)
				}
				return
			}
			if strings.Contains(string(data), `"type":"update"`) {
				updates++
			}
		}
	}
	t.Fatalf("%d views resent: the connection is still open", len(topics))
}

// TestChartKeysCanonical: 400 spellings of few views (reordered and
// repeated countries, scale variants) make few cache entries; a scale
// outside the fixed set is refused naming scale.
func TestChartKeysCanonical(t *testing.T) {
	a := startApp(t, appOptions{})
	before, _ := a.Cache.LocalSize()
	perms := permutations([]string{"AUT", "DEU", "FRA", "ITA", "ESP"})
	scales := []string{"1.5", "1.50", "1.500", "2", "2.0", "1", ""}
	n := 0
	for i := 0; n < 400; i++ {
		p := perms[i%len(perms)]
		countries := strings.Join(p, ",")
		if i%3 == 0 {
			countries += "," + p[0] // a repeated entry
		}
		u := "/api/v1/charts/trend?indicator=HWF_0001&countries=" + countries
		if sc := scales[i%len(scales)]; sc != "" {
			u += "&scale=" + sc
		}
		if resp := call(t, http.MethodGet, a.URL+u, "", "", nil, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d %s", u, resp.StatusCode, readBody(t, resp))
		}
		u = "/api/v1/indicators/HWF_0001/data?countries=" + countries
		if resp := call(t, http.MethodGet, a.URL+u, "", "", nil, nil); resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d %s", u, resp.StatusCode, readBody(t, resp))
		}
		n += 2
	}
	after, _ := a.Cache.LocalSize()
	// Three chart scales and one data view, with room for what a request
	// computes beside them (population, series).
	if grown := after - before; grown > 12 {
		t.Errorf("400 spellings of 4 views made %d cache entries", grown)
	}
	for _, sc := range []string{"1.51", "0.6", "3.9", "1e0x"} {
		resp := call(t, http.MethodGet, a.URL+"/api/v1/charts/trend?indicator=HWF_0001&countries=AUT&scale="+sc, "", "", nil, nil)
		if body := readBody(t, resp); resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"field":"scale"`) {
			t.Errorf("scale=%s: status %d %s, want 400 naming scale", sc, resp.StatusCode, truncate([]byte(body)))
		}
	}
}

func permutations(s []string) [][]string {
	if len(s) <= 1 {
		return [][]string{append([]string{}, s...)}
	}
	var out [][]string
	for i := range s {
		rest := append(append([]string{}, s[:i]...), s[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]string{s[i]}, p...))
		}
	}
	return out
}

// TestComputeBudgetPerClient: a client past its budget of uncached
// computations gets 429 with Retry-After; its cached reads, and another
// client's computations, are still answered.
func TestComputeBudgetPerClient(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) { c.ComputeBurst = 5; c.ComputeRate = 0.01 }})
	get := func(client *http.Client, path string) *http.Response {
		t.Helper()
		resp, err := client.Get(a.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	first := fromAddress(t, "127.0.0.1")
	chart := func(i int) string {
		return fmt.Sprintf("/api/v1/charts/trend?indicator=HWF_0001&countries=%s&time=%d..2024", europe[i%len(europe)], 2000+i)
	}
	limited := -1
	for i := range 20 {
		if resp := get(first, chart(i)); resp.StatusCode == http.StatusTooManyRequests {
			if resp.Header.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			limited = i
			break
		}
	}
	if limited < 0 {
		t.Fatal("20 uncached charts from one client were all computed")
	}
	for range 10 {
		if resp := get(first, chart(0)); resp.StatusCode != http.StatusOK {
			t.Fatalf("a cached read past the budget: status %d", resp.StatusCode)
		}
	}
	if resp := get(fromAddress(t, "127.0.0.2"), chart(limited)); resp.StatusCode != http.StatusOK {
		t.Fatalf("another client's computation: status %d", resp.StatusCode)
	}
}

// fromAddress is an HTTP client whose connections come from a loopback
// address of its own, a client address the server tells apart.
func fromAddress(t *testing.T, ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}}
	tr := &http.Transport{DialContext: d.DialContext}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}
