package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestPresentBadInterval: the projector page never shows a JSON error; an
// interval out of range runs the deck at the default and says so on screen.
func TestPresentBadInterval(t *testing.T) {
	a := startApp(t, appOptions{})
	for _, q := range []string{"2", "601", "abc"} {
		resp, body := getPage(t, a.URL+"/present?interval="+q)
		if resp.StatusCode != http.StatusOK {
			t.Errorf("interval=%s: status %d", q, resp.StatusCode)
		}
		checkPageHeaders(t, resp)
		if !strings.Contains(body, `data-interval="20"`) || !strings.Contains(body, `class="present-notice"`) || !strings.Contains(body, "5 to 600") {
			t.Errorf("interval=%s: no default interval or no notice in the page", q)
		}
	}
	_, body := getPage(t, a.URL+"/present?interval=30")
	if !strings.Contains(body, `data-interval="30"`) || strings.Contains(body, `class="present-notice"`) {
		t.Error("interval=30: not used, or a notice shown")
	}
}

// TestPresentDeckOverWebsocket: a screen asking for the deck gets the
// server's state with the page's slides in the page's order; an operator's
// command needs the admin token, a typo is refused with its name, and a
// good command reaches every subscriber of the control topic.
func TestPresentDeckOverWebsocket(t *testing.T) {
	a := startApp(t, appOptions{})
	_, body := getPage(t, a.URL+"/present")
	var pageSlides []string
	for _, m := range regexp.MustCompile(`data-slide="([a-z]+)"`).FindAllStringSubmatch(body, -1) {
		pageSlides = append(pageSlides, m[1])
	}
	type deck struct {
		Kind  string `json:"kind"`
		State struct {
			Seq       int64  `json:"seq"`
			Slide     int    `json:"slide"`
			Paused    bool   `json:"paused"`
			Indicator string `json:"indicator"`
			Country   string `json:"country"`
		} `json:"state"`
		Slides []string `json:"slides"`
		Now    int64    `json:"now"`
	}
	decode := func(m wsMessage) deck {
		var d deck
		if err := json.Unmarshal(m.Payload, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	screen := dialWS(t, a.URL, nil)
	screen.subscribe("control")
	screen.send(map[string]any{"control": map[string]any{"cmd": "state"}})
	first := decode(screen.await(func(m wsMessage) bool { return m.Type == "control" }))
	if strings.Join(first.Slides, " ") != strings.Join(pageSlides, " ") || first.Kind != "state" || first.Now == 0 || first.State.Indicator != "hwf_dnm" {
		t.Fatalf("deck %+v; the page's slides %v", first, pageSlides)
	}
	op := dialWS(t, a.URL, nil)
	for _, tc := range []struct {
		token string
		cmd   map[string]any
		want  string
	}{
		{"wrong", map[string]any{"cmd": "next"}, "control: admin token required"},
		{adminToken, map[string]any{"cmd": "indicator", "indicator": "Doctors"}, `control: unknown indicator "Doctors"`},
		{adminToken, map[string]any{"cmd": "country", "iso3": "XYZ"}, `control: unknown country "XYZ"`},
		{adminToken, map[string]any{"cmd": "interval", "interval": 3}, "control: interval must be 5 to 600 seconds"},
	} {
		op.send(map[string]any{"control": tc.cmd, "token": tc.token})
		m := op.await(func(m wsMessage) bool { return m.Type == "error" })
		if m.Error != tc.want {
			t.Errorf("%v: error %q, want %q", tc.cmd, m.Error, tc.want)
		}
	}
	op.send(map[string]any{"control": map[string]any{"cmd": "country", "iso3": "MLT"}, "token": adminToken})
	op.await(func(m wsMessage) bool { return m.Type == "control-sent" })
	got := decode(screen.await(func(m wsMessage) bool { return m.Type == "control" && decode(m).State.Seq > first.State.Seq }))
	if got.State.Country != "MLT" || !got.State.Paused || got.Slides[got.State.Slide] != "focus" {
		t.Errorf("after country MLT the screens got %+v", got.State)
	}
}
