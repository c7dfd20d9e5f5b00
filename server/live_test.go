package server_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/hwfdash/hwfdash/indicators"
)

// wsClient is a test websocket client.
type wsClient struct {
	t    testing.TB
	conn *websocket.Conn
}

// wsMessage is any message the server sends.
type wsMessage struct {
	Type    string          `json:"type"`
	Topic   string          `json:"topic"`
	Version int64           `json:"version"`
	Error   string          `json:"error"`
	Payload json.RawMessage `json:"payload"`
	Topics  []string        `json:"topics"`
}

func dialWS(t testing.TB, base string, header http.Header) *wsClient {
	t.Helper()
	u := "ws" + strings.TrimPrefix(base, "http") + "/ws"
	conn, resp, err := websocket.DefaultDialer.Dial(u, header)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial %s: %v (status %d)", u, err, status)
	}
	t.Cleanup(func() { conn.Close() })
	c := &wsClient{t: t, conn: conn}
	c.await(func(m wsMessage) bool { return m.Type == "hello" })
	return c
}

func (c *wsClient) send(v any) {
	c.t.Helper()
	if err := c.conn.WriteJSON(v); err != nil {
		c.t.Fatal(err)
	}
}

// await reads messages until one matches, failing after a generous
// timeout with the messages it read instead (type, topic, version), so a
// failure says whether an update came late, stale or not at all. The
// timeout only detects a missing update: under the race detector on a
// loaded 2-core machine the first payload an instance computes (every
// series read from the store) takes seconds.
func (c *wsClient) await(match func(wsMessage) bool) wsMessage {
	c.t.Helper()
	start := time.Now()
	deadline := start.Add(30 * time.Second)
	var seen []string
	for {
		_ = c.conn.SetReadDeadline(deadline)
		var m wsMessage
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			c.t.Fatalf("websocket read after %v: %v; read before it: %v", time.Since(start).Round(time.Millisecond), err, seen)
		}
		if err := json.Unmarshal(data, &m); err != nil {
			c.t.Fatalf("websocket message %q: %v", data, err)
		}
		if match(m) {
			return m
		}
		if len(seen) < 20 {
			seen = append(seen, fmt.Sprintf("%s %s v%d %s", m.Type, m.Topic, m.Version, m.Error))
		}
	}
}

func (c *wsClient) subscribe(topics ...string) {
	c.t.Helper()
	c.send(map[string]any{"subscribe": topics})
	c.await(func(m wsMessage) bool { return m.Type == "subscribed" })
}

// createToken makes a ministry token through the API.
func createToken(t testing.TB, base string, label string, countries ...string) (id, secret string) {
	t.Helper()
	var res struct {
		Token string `json:"token"`
		ID    string `json:"id"`
	}
	resp := call(t, http.MethodPost, base+"/api/v1/tokens", adminToken, "application/json",
		mustJSON(map[string]any{"label": label, "countries": countries}), &res)
	if resp.StatusCode != http.StatusCreated || res.Token == "" {
		t.Fatalf("create token: status %d %s", resp.StatusCode, readBody(t, resp))
	}
	return res.ID, res.Token
}

type obsRow struct {
	Indicator string  `json:"indicator"`
	ISO3      string  `json:"iso3"`
	Year      int     `json:"year"`
	Value     float64 `json:"value"`
	Source    string  `json:"source"`
	Note      string  `json:"note,omitempty"`
}

func submit(t testing.TB, base, token string, rows ...obsRow) (status int, version int64) {
	t.Helper()
	var res struct {
		Accepted int   `json:"accepted"`
		Version  int64 `json:"version"`
	}
	resp := call(t, http.MethodPost, base+"/api/v1/observations", token, "application/json", mustJSON(rows), &res)
	return resp.StatusCode, res.Version
}

func latestValue(t testing.TB, base, ind, iso3 string, year int) (float64, bool) {
	t.Helper()
	var res struct {
		Rows []struct {
			Value float64 `json:"value"`
		} `json:"rows"`
	}
	getJSON(t, fmt.Sprintf("%s/api/v1/indicators/%s/data?countries=%s&time=%d", base, ind, iso3, year), &res)
	if len(res.Rows) == 0 {
		return 0, false
	}
	return res.Rows[0].Value, true
}

// checkCrossInstance posts to instance A and expects B's websocket client
// and B's API to see the new figure.
func checkCrossInstance(t *testing.T, a, b *app) {
	_, secret := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	ws := dialWS(t, b.URL, nil)
	ws.subscribe("indicator:code_nri_report", "rounds", "country:AUT")

	status, version := submit(t, a.URL, secret, obsRow{Indicator: "code_nri_report", ISO3: "AUT", Year: 2024, Value: 1,
		Source: "National report submitted to WHO, NRI round 5"})
	if status != http.StatusCreated {
		t.Fatalf("submit: status %d", status)
	}
	m := ws.await(func(m wsMessage) bool { return m.Type == "update" && m.Topic == "rounds" && m.Version >= version })
	var rounds struct {
		Rounds []struct {
			Round    int      `json:"round"`
			Reported []string `json:"reported"`
		} `json:"rounds"`
	}
	if err := json.Unmarshal(m.Payload, &rounds); err != nil {
		t.Fatal(err)
	}
	if r5 := rounds.Rounds[4]; r5.Round != 5 || len(r5.Reported) != 1 || r5.Reported[0] != "AUT" {
		t.Fatalf("round 5 after the submission: %+v", r5)
	}
	if v, ok := latestValue(t, b.URL, "code_nri_report", "AUT", 2024); !ok || v != 1 {
		t.Fatalf("instance B serves %v (found %v), want 1", v, ok)
	}
}

func TestCrossInstanceWithRedis(t *testing.T) {
	requireRedis(t)
	dsn := pgSchemaDSN(t)
	prefix := "hwfdash-test-" + randHex(4) + ":"
	a := startApp(t, appOptions{dsn: dsn, redisURL: redisURL, prefix: prefix, poll: time.Hour})
	b := startApp(t, appOptions{dsn: dsn, redisURL: redisURL, prefix: prefix, poll: time.Hour})
	checkCrossInstance(t, a, b)
}

func TestSingleInstanceWithoutRedis(t *testing.T) {
	a := startApp(t, appOptions{})
	checkCrossInstance(t, a, a)
}

// TestMissedEventsCaughtUp runs two instances on one database with no
// shared bus at all: B learns of A's write only by noticing the version
// jump, and still pushes it.
func TestMissedEventsCaughtUp(t *testing.T) {
	dsn := pgSchemaDSN(t)
	a := startApp(t, appOptions{dsn: dsn, poll: time.Hour})
	b := startApp(t, appOptions{dsn: dsn, poll: 100 * time.Millisecond})
	_, secret := createToken(t, a.URL, "Ministry of Health, Germany", "DEU")
	ws := dialWS(t, b.URL, nil)
	ws.subscribe("indicator:HWF_0001")
	_, version := submit(t, a.URL, secret, obsRow{Indicator: "HWF_0001", ISO3: "DEU", Year: 2024, Value: 46.1, Source: "Federal Statistical Office"})
	ws.await(func(m wsMessage) bool {
		return m.Type == "update" && m.Topic == "indicator:HWF_0001" && m.Version >= version
	})
	if v, _ := latestValue(t, b.URL, "HWF_0001", "DEU", 2024); v != 46.1 {
		t.Fatalf("B serves %v, want 46.1", v)
	}
}

// TestWriteSeenTwicePushedOnce: a write the version poll catches up with
// before its bus event arrives (the poll ran between the commit and the
// event, or the event came late from Redis) goes out once, not once for
// each. The catch-up and the event are driven in order on the bus, and a
// later write closes the check: a second copy would come before it.
func TestWriteSeenTwicePushedOnce(t *testing.T) {
	a := startApp(t, appOptions{poll: time.Hour})
	_, secret := createToken(t, a.URL, "Ministry of Health, Germany", "DEU")
	ws := dialWS(t, a.URL, nil)
	ws.subscribe("indicator:HWF_0001")
	ctx := context.Background()
	// A write stored without its event, as when the poll gets there first.
	v, err := a.Store.Append(ctx, []indicators.Observation{{Indicator: "HWF_0001", ISO3: "DEU", Year: 2024, Value: 46.1, Source: "Federal Statistical Office"}}, "test")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Bus.Publish(ctx, indicators.Update{Kind: "resync"}); err != nil {
		t.Fatal(err)
	}
	ws.await(func(m wsMessage) bool { return m.Type == "update" && m.Topic == "indicator:HWF_0001" && m.Version == v })
	// Then the write's own event.
	if err := a.Bus.Publish(ctx, indicators.Update{Kind: "data", Version: v, Topics: []string{"indicator:HWF_0001"}, Origin: "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	_, next := submit(t, a.URL, secret, obsRow{Indicator: "HWF_0001", ISO3: "DEU", Year: 2024, Value: 46.2, Source: "Federal Statistical Office"})
	again := 0
	ws.await(func(m wsMessage) bool {
		if m.Type == "update" && m.Topic == "indicator:HWF_0001" && m.Version == v {
			again++
		}
		return m.Type == "update" && m.Topic == "indicator:HWF_0001" && m.Version == next
	})
	if again > 0 {
		t.Errorf("version %d pushed %d more times after the catch-up pushed it", v, again)
	}
}

func clientsNow(t testing.TB, a *app) int {
	var res struct {
		Clients int `json:"clients"`
	}
	getJSON(t, a.URL+"/readyz", &res)
	return res.Clients
}

// postOversized sends a raw request announcing a body over the 1 MiB limit
// and returns the status: the server answers before reading the body, as a
// client waiting for the answer sees.
func postOversized(t *testing.T, base, path, token string) int {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n", path, token, 1<<20+10)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestIndicatorFrame: the frame every subscriber of an indicator receives on
// every write carries the Region's figure for the default year with its
// coverage, the changed rows and where the full answer is — not every
// year's coverage, which made it 9 KB (the broadcast writes it once per
// screen) and is in the API answer it names.
func TestIndicatorFrame(t *testing.T) {
	a := startApp(t, appOptions{})
	_, secret := createToken(t, a.URL, "Ministry of Health, Germany", "DEU")
	ws := dialWS(t, a.URL, nil)
	ws.subscribe("indicator:HWF_0001")
	_, version := submit(t, a.URL, secret, obsRow{Indicator: "HWF_0001", ISO3: "DEU", Year: 2023, Value: 45.9, Source: "Federal Statistical Office"})
	m := ws.await(func(m wsMessage) bool {
		return m.Type == "update" && m.Topic == "indicator:HWF_0001" && m.Version >= version
	})
	var p struct {
		Regional map[string]json.RawMessage `json:"regional"`
		Changed  []struct {
			ISO3  string  `json:"iso3"`
			Value float64 `json:"value"`
		} `json:"changed"`
	}
	if err := json.Unmarshal(m.Payload, &p); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"year", "count", "median", "coverage", "default_year", "detail"} {
		if _, ok := p.Regional[field]; !ok {
			t.Errorf("frame has no regional.%s: %s", field, m.Payload)
		}
	}
	for _, field := range []string{"years", "rules", "countries"} {
		if _, ok := p.Regional[field]; ok {
			t.Errorf("frame carries regional.%s, which is the API answer's", field)
		}
	}
	// The rules' and the year's English sentences are the API answer's too.
	var cov, year map[string]json.RawMessage
	if err := json.Unmarshal(p.Regional["coverage"], &cov); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(p.Regional["default_year"], &year); err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{"countries", "member_states", "population_share", "low_coverage"} {
		if _, ok := cov[field]; !ok {
			t.Errorf("frame has no regional.coverage.%s", field)
		}
	}
	if _, ok := cov["coverage_rule"]; ok {
		t.Error("frame carries the coverage rule's text")
	}
	if _, ok := year["year"]; !ok || len(year) != 1 {
		t.Errorf("frame's default_year %s, want the year alone", p.Regional["default_year"])
	}
	if len(p.Changed) != 1 || p.Changed[0].ISO3 != "DEU" || p.Changed[0].Value != 45.9 {
		t.Errorf("changed rows %+v", p.Changed)
	}
	if n := len(m.Payload); n > 1024 {
		t.Errorf("frame payload is %d bytes, want the default year's figures only (≤ 1 KB)", n)
	}
	var detail string
	_ = json.Unmarshal(p.Regional["detail"], &detail)
	var full struct {
		Years []json.RawMessage `json:"years"`
	}
	getJSON(t, a.URL+detail, &full)
	if len(full.Years) < 10 {
		t.Errorf("%s has %d years", detail, len(full.Years))
	}
}
