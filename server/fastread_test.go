package server

import (
	"bytes"
	"strings"
	"testing"

	"github.com/valyala/fasthttp"
)

// TestFastReadMatchesRoute checks that fastRead answers only the reads it
// is meant to, and with exactly the bytes Fiber's route sends for them.
func TestFastReadMatchesRoute(t *testing.T) {
	s := benchServer(t)
	routed := s.app.Handler()
	const data = "/api/v1/indicators/HWF_0001/data?countries=AUT,DEU&time=2000..2022"
	serve := func(h fasthttp.RequestHandler, method, uri string, header ...string) *fasthttp.RequestCtx {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod(method)
		ctx.Request.SetRequestURI(uri)
		for i := 0; i+1 < len(header); i += 2 {
			ctx.Request.Header.Set(header[i], header[i+1])
		}
		h(&ctx)
		return &ctx
	}
	// The route's first answer parses the query and fills the cache.
	first := serve(routed, "GET", data)
	if first.Response.StatusCode() != 200 {
		t.Fatalf("route: status %d: %s", first.Response.StatusCode(), first.Response.Body())
	}
	tag := etagOf(&first.Response)
	if tag == "" {
		t.Fatal("route: no ETag")
	}
	// The route compresses a payload once per coding and keeps it beside
	// the raw bytes; fastRead serves that copy from then on.
	for _, ae := range []string{"br", "gzip"} {
		if r := serve(routed, "GET", data, "Accept-Encoding", ae); string(r.Response.Header.ContentEncoding()) != ae {
			t.Fatalf("route: Content-Encoding %q for Accept-Encoding %s", r.Response.Header.ContentEncoding(), ae)
		}
	}
	for _, tc := range []struct {
		name, method, uri string
		header            []string
		answers           bool
		status            int
	}{
		// fastRead answers only when its key, written in a buffer, finds
		// the payload the route cached under the typed key's String.
		{"cached read", "GET", data, nil, true, 200},
		{"head", "HEAD", data, nil, true, 200},
		{"current copy", "GET", data, []string{"If-None-Match", tag}, true, 304},
		{"stale copy", "GET", data, []string{"If-None-Match", `W/"0-0"`}, true, 200},
		{"brotli", "GET", data, []string{"Accept-Encoding", "gzip, deflate, br, zstd"}, true, 200},
		{"gzip", "GET", data, []string{"Accept-Encoding", "gzip, deflate"}, true, 200},
		{"identity", "GET", data, []string{"Accept-Encoding", "identity"}, true, 200},
		{"brotli refused", "GET", data, []string{"Accept-Encoding", "br;q=0, gzip"}, true, 200},
		{"current copy, brotli", "GET", data, []string{"If-None-Match", tag, "Accept-Encoding", "br"}, true, 304},
		{"head, gzip", "HEAD", data, []string{"Accept-Encoding", "gzip"}, true, 200},
		{"query not seen before", "GET", "/api/v1/indicators/HWF_0001/data?countries=FRA", nil, false, 200},
		{"csv", "GET", data + "&format=csv", nil, false, 200},
		{"unknown indicator", "GET", "/api/v1/indicators/NOPE/data?countries=AUT,DEU&time=2000..2022", nil, false, 404},
		{"bad query", "GET", "/api/v1/indicators/HWF_0001/data?countries=XXX", nil, false, 400},
		{"trailing slash", "GET", "/api/v1/indicators/HWF_0001/data/?countries=AUT,DEU&time=2000..2022", nil, false, 200},
		{"double slash", "GET", "/api/v1//indicators/HWF_0001/data?countries=AUT,DEU&time=2000..2022", nil, false, 404},
		{"post", "POST", data, nil, false, 405},
		{"another endpoint", "GET", "/api/v1/indicators/HWF_0001/regional", nil, false, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got fasthttp.RequestCtx
			got.Request.Header.SetMethod(tc.method)
			got.Request.SetRequestURI(tc.uri)
			for i := 0; i+1 < len(tc.header); i += 2 {
				got.Request.Header.Set(tc.header[i], tc.header[i+1])
			}
			if answered := s.fastRead(&got); answered != tc.answers {
				t.Fatalf("fastRead answered %v, want %v", answered, tc.answers)
			}
			want := serve(routed, tc.method, tc.uri, tc.header...)
			if want.Response.StatusCode() != tc.status {
				t.Fatalf("route: status %d, want %d\n%s", want.Response.StatusCode(), tc.status, want.Response.Header.String())
			}
			if !tc.answers {
				return
			}
			if g, w := withoutDate(got.Response.String()), withoutDate(want.Response.String()); g != w {
				t.Fatalf("fastRead's answer differs from the route's:\n%s\n--- route:\n%s", g, w)
			}
		})
	}
	// The first answer to a query (which parses it) and later ones (which
	// find it memoised) name the same representation.
	if again := serve(routed, "GET", data); etagOf(&again.Response) != tag {
		t.Fatalf("ETag %s on a later answer, %s on the first", etagOf(&again.Response), tag)
	}
	// Through the server's own handler, the answer is the fast one.
	front := serve(s.app.Server().Handler, "GET", data)
	if !bytes.Equal(front.Response.Body(), first.Response.Body()) {
		t.Fatal("the server's handler answered other bytes than the route")
	}
}

// etagOf is a response's ETag, whatever the case of the header's name.
func etagOf(r *fasthttp.Response) string {
	var v string
	for name, value := range r.Header.All() {
		if strings.EqualFold(string(name), "ETag") {
			v = string(value)
		}
	}
	return v
}

// withoutDate drops the Date header, which may tick between two answers.
func withoutDate(resp string) string {
	var out []string
	for _, line := range strings.Split(resp, "\r\n") {
		if !strings.HasPrefix(line, "Date: ") {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}
