package server_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// TestPagesReferenceServedAssets loads every page and fetches every
// /assets/ URL it references: each must be served, long-cached, compressed
// when asked, and no page may reference another host or carry inline script.
func TestPagesReferenceServedAssets(t *testing.T) {
	a := startApp(t, appOptions{})
	ref := regexp.MustCompile(`(?:src|href|data-geo)="([^"]+)"`)
	inline := regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`)
	seen := map[string]bool{}
	for _, path := range languagePages {
		resp := getJSON(t, a.URL+path, nil)
		body := readBody(t, resp)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: %d", path, resp.StatusCode)
		}
		if inline.MatchString(body) {
			t.Errorf("%s has an inline script", path)
		}
		for _, m := range ref.FindAllStringSubmatch(body, -1) {
			u := m[1]
			if strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "//") {
				t.Errorf("%s references another host: %s", path, u)
			}
			if strings.HasPrefix(u, "/assets/") {
				seen[u] = true
			}
		}
	}
	if len(seen) < 4 {
		t.Fatalf("only %d assets referenced", len(seen))
	}
	for u := range seen {
		req, _ := http.NewRequest(http.MethodGet, a.URL+u, nil)
		req.Header.Set("Accept-Encoding", "br, gzip")
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
			t.Errorf("%s: %d %q", u, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
		if strings.HasSuffix(u, ".js") && resp.Header.Get("Content-Encoding") != "br" {
			t.Errorf("%s: Content-Encoding %q, want br", u, resp.Header.Get("Content-Encoding"))
		}
	}
	if resp := getJSON(t, a.URL+"/assets/nope.js", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("unknown asset: %d", resp.StatusCode)
	}
}
