package server_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/server"
)

// TestAdminEndpoints: the operator endpoints answer an admin token only,
// and say what they measure.
func TestAdminEndpoints(t *testing.T) {
	a := startApp(t, appOptions{})
	do := func(method, path, token string) (*http.Response, string) {
		t.Helper()
		resp := call(t, method, a.URL+path, token, "", nil, nil)
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	_, ministry := createToken(t, a.URL, "AUT ministry", "AUT")
	for _, ep := range []struct{ method, path, want string }{
		{http.MethodGet, "/api/v1/admin/stats", `"goroutines"`},
		{http.MethodPost, "/api/v1/admin/settle", `"heap_inuse_bytes"`},
		{http.MethodPost, "/api/v1/admin/recompute", `"payloads"`},
	} {
		t.Run(ep.path, func(t *testing.T) {
			for token, status := range map[string]int{"": http.StatusUnauthorized, "wrong": http.StatusUnauthorized, ministry: http.StatusForbidden} {
				if resp, body := do(ep.method, ep.path, token); resp.StatusCode != status || !strings.Contains(body, "Authorization") {
					t.Errorf("token %q: %d %s, want %d naming Authorization", token, resp.StatusCode, body, status)
				}
			}
			resp, body := do(ep.method, ep.path, adminToken)
			if resp.StatusCode != http.StatusOK || !strings.Contains(body, ep.want) || resp.Header.Get("Cache-Control") != "no-store" {
				t.Errorf("admin: %d %s (Cache-Control %q), want 200 with %s", resp.StatusCode, body, resp.Header.Get("Cache-Control"), ep.want)
			}
		})
	}
	// The stats say what the in-process cache holds: a read's payload
	// counts for at least its own bytes.
	var data []byte
	if resp, body := do(http.MethodGet, "/api/v1/indicators/HWF_0001/data?countries=AUT", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("data read: %d", resp.StatusCode)
	} else {
		data = []byte(body)
	}
	var st server.Stats
	call(t, http.MethodGet, a.URL+"/api/v1/admin/stats", adminToken, "", nil, &st)
	if st.CacheEntries < 1 || st.CacheBytes < int64(len(data)) {
		t.Fatalf("stats after a %d-byte read: %d cache entries, %d bytes", len(data), st.CacheEntries, st.CacheBytes)
	}
}
