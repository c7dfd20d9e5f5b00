package server_test

import (
	"net/http"
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
