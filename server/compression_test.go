package server

import (
	"bytes"
	"compress/gzip"
	"io"
	"testing"

	"github.com/andybalholm/brotli"
	"github.com/valyala/fasthttp"
)

// TestAPICompression: API answers are compressed as Accept-Encoding asks,
// decode to the same bytes, keep one ETag across codings (and its 304),
// and say Vary: Accept-Encoding.
func TestAPICompression(t *testing.T) {
	s := benchServer(t)
	_ = s.app.Handler()         // builds Fiber's route tree, as Listen would
	h := s.app.Server().Handler // the server's own: fastRead, then Fiber
	get := func(uri string, header ...string) *fasthttp.Response {
		var ctx fasthttp.RequestCtx
		ctx.Request.Header.SetMethod("GET")
		ctx.Request.SetRequestURI(uri)
		for i := 0; i+1 < len(header); i += 2 {
			ctx.Request.Header.Set(header[i], header[i+1])
		}
		h(&ctx)
		var r fasthttp.Response
		ctx.Response.CopyTo(&r)
		return &r
	}
	decode := map[string]func(io.Reader) (io.Reader, error){
		"":     func(r io.Reader) (io.Reader, error) { return r, nil },
		"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
	}
	for _, uri := range []string{
		"/api/v1/indicators/HWF_0001/data?countries=AUT,DEU&time=2000..2022", // the fast path's read
		"/api/v1/indicators/HWF_0001/data?time=2000..2022",
		"/api/v1/indicators",
		"/api/v1/indicators/HWF_0001/data?countries=AUT&format=csv",
	} {
		raw := get(uri)
		if raw.StatusCode() != 200 || len(raw.Header.ContentEncoding()) != 0 {
			t.Fatalf("%s: status %d, Content-Encoding %q without Accept-Encoding: %s", uri, raw.StatusCode(), raw.Header.ContentEncoding(), raw.Body())
		}
		if len(raw.Body()) < minCompressSize {
			t.Fatalf("%s: %d bytes, under the compression threshold: pick a larger read", uri, len(raw.Body()))
		}
		tag := etagOf(raw)
		for _, tc := range []struct{ accept, want string }{
			{"br", "br"},
			{"gzip, deflate, br", "br"},
			{"gzip", "gzip"},
			{"br;q=0.5, gzip", "gzip"},
			{"identity", ""},
			{"br;q=0, gzip;q=0", ""},
			{"*", "br"},
		} {
			// Twice: the first answer compresses and stores, the second is
			// the cached copy (on the data read, through fastRead).
			for round := range 2 {
				r := get(uri, "Accept-Encoding", tc.accept)
				if got := string(r.Header.ContentEncoding()); got != tc.want || r.StatusCode() != 200 {
					t.Fatalf("%s, Accept-Encoding %q, round %d: status %d, Content-Encoding %q, want %q", uri, tc.accept, round, r.StatusCode(), got, tc.want)
				}
				if v := string(r.Header.Peek("Vary")); v != "Accept-Encoding" {
					t.Errorf("%s: Vary %q", uri, v)
				}
				if got := etagOf(r); got != tag {
					t.Errorf("%s, %q: ETag %s, %s without compression", uri, tc.accept, got, tag)
				}
				dr, err := decode[tc.want](bytes.NewReader(r.Body()))
				if err != nil {
					t.Fatal(err)
				}
				body, err := io.ReadAll(dr)
				if err != nil {
					t.Fatalf("%s, %q: decoding: %v", uri, tc.accept, err)
				}
				if !bytes.Equal(body, raw.Body()) {
					t.Fatalf("%s, %q: decoded %d bytes differ from the %d raw ones", uri, tc.accept, len(body), len(raw.Body()))
				}
				if tc.want != "" && len(r.Body()) >= len(raw.Body()) {
					t.Errorf("%s, %q: %d compressed bytes for %d raw", uri, tc.accept, len(r.Body()), len(raw.Body()))
				}
			}
		}
		// A current copy is current whatever the coding (fasthttp sends no
		// body with a 304, whatever the handler left in it).
		if r := get(uri, "Accept-Encoding", "br", "If-None-Match", tag); r.StatusCode() != 304 {
			t.Errorf("%s: status %d for a current copy, want 304", uri, r.StatusCode())
		}
	}
}
