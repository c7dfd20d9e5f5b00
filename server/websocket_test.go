package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func TestWebsocketProtocol(t *testing.T) {
	a := startApp(t, appOptions{})
	t.Run("malformed message answered, connection kept", func(t *testing.T) {
		ws := dialWS(t, a.URL, nil)
		if err := ws.conn.WriteMessage(websocket.TextMessage, []byte("{not json")); err != nil {
			t.Fatal(err)
		}
		ws.await(func(m wsMessage) bool { return m.Type == "error" && m.Error != "" })
		ws.send(map[string]any{"subscribe": []string{"indicator:NOPE"}})
		ws.await(func(m wsMessage) bool { return m.Type == "error" && strings.Contains(m.Error, "NOPE") })
		ws.subscribe("milestones")
	})
	t.Run("frame over the limit closed with 1009", func(t *testing.T) {
		ws := dialWS(t, a.URL, nil)
		_ = ws.conn.WriteMessage(websocket.TextMessage, []byte(`{"subscribe":["`+strings.Repeat("x", 10000)+`"]}`))
		_ = ws.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			_, _, err := ws.conn.ReadMessage()
			if err != nil {
				if !websocket.IsCloseError(err, websocket.CloseMessageTooBig) {
					t.Fatalf("got %v, want close 1009", err)
				}
				return
			}
		}
	})
	t.Run("subscription cap", func(t *testing.T) {
		ws := dialWS(t, a.URL, nil)
		var topics []string
		for _, c := range []string{"ALB", "AND", "ARM", "AUT", "AZE", "BEL", "BGR", "BIH", "BLR", "CHE", "CYP", "CZE",
			"DEU", "DNK", "ESP", "EST", "FIN", "FRA", "GBR", "GEO", "GRC", "HRV", "HUN", "IRL", "ISL", "ISR", "ITA",
			"KAZ", "KGZ", "LTU", "LUX", "LVA", "MCO"} {
			topics = append(topics, "country:"+c)
		}
		ws.send(map[string]any{"subscribe": topics})
		ws.await(func(m wsMessage) bool { return m.Type == "error" && strings.Contains(m.Error, "at most") })
	})
	t.Run("foreign origin refused", func(t *testing.T) {
		u := "ws" + strings.TrimPrefix(a.URL, "http") + "/ws"
		_, resp, err := websocket.DefaultDialer.Dial(u, http.Header{"Origin": {"https://evil.example"}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("foreign origin: err %v resp %v, want 403", err, resp)
		}
	})
	t.Run("a client's ping is answered in order", func(t *testing.T) {
		ws := dialWS(t, a.URL, nil)
		var pong string
		ws.conn.SetPongHandler(func(data string) error { pong = data; return nil })
		if err := ws.conn.WriteControl(websocket.PingMessage, []byte("p1"), time.Now().Add(5*time.Second)); err != nil {
			t.Fatal(err)
		}
		ws.subscribe("milestones") // the pong is queued before the answer
		if pong != "p1" {
			t.Fatalf("pong %q, want p1", pong)
		}
	})
	t.Run("reconnect with since gets a snapshot", func(t *testing.T) {
		ws := dialWS(t, a.URL, nil)
		ws.send(map[string]any{"subscribe": []string{"milestones"}, "since": 0})
		ws.await(func(m wsMessage) bool { return m.Type == "update" && m.Topic == "milestones" })
	})
}

// TestSlowClientDropped fills a client's queue by never reading, and checks
// that a fast client keeps receiving meanwhile.
func TestSlowClientDropped(t *testing.T) {
	a := startApp(t, appOptions{rate: 10000})
	slow := dialWS(t, a.URL, nil)
	slow.send(map[string]any{"subscribe": []string{"indicator:HWF_0014"}})
	fast := dialWS(t, a.URL, nil)
	fast.subscribe("indicator:HWF_0014")
	// The slow client stops reading; its socket buffers fill, then its queue.
	// Large frames (each update carries the changed rows and their notes)
	// fill the socket buffers in a few dozen writes.
	note := strings.Repeat("n", 1500)
	big := make([]obsRow, 0, 70)
	for i := 0; i < 70; i++ {
		big = append(big, obsRow{Indicator: "HWF_0014", ISO3: "AUT", Year: 1950 + i, Value: float64(i), Source: "test load", Note: note})
	}
	var last int64
	deadline := time.Now().Add(60 * time.Second)
	for a.Srv.Version() > 0 && time.Now().Before(deadline) {
		_, v := submit(t, a.URL, adminToken, big...)
		last = v
		fast.await(func(m wsMessage) bool { return m.Type == "update" && m.Version >= last })
		if clientsNow(t, a) == 1 {
			return // the slow client was dropped while the fast one kept up
		}
	}
	t.Fatalf("slow client never dropped (clients %d)", clientsNow(t, a))
}
