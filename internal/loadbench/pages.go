package loadbench

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/andybalholm/brotli"
)

func init() {
	register(Target{Order: 8, Name: "8. pages", Run: runPages})
}

// browserAcceptEncoding is what Chromium sends.
const browserAcceptEncoding = "gzip, deflate, br, zstd"

var (
	// What the overview loads: its scripts and styles, what it prefetches
	// (ECharts, fetched at idle for a reader's first touch of a chart), the
	// map the page script fetches from the body's data-geo (it draws the map
	// at once) and the first-frame worker's script (data-frames).
	scriptRE = regexp.MustCompile(`<script[^>]*\ssrc="([^"]+)"`)
	styleRE  = regexp.MustCompile(`<link[^>]*rel="(?:stylesheet|preload|prefetch|modulepreload)"[^>]*href="([^"]+)"`)
	geoRE    = regexp.MustCompile(`data-geo="([^"]+)"`)
	framesRE = regexp.MustCompile(`data-frames="([^"]+)"`)
	// A content-hashed asset name: 10 hex digits before the extension.
	hashedRE = regexp.MustCompile(`\.[0-9a-f]{10}\.[a-z0-9]+$`)
)

// countingConn counts the bytes a connection reads: the transfer of every
// answer, headers included, as it crossed the wire.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// runPages loads the overview as a first-time visitor's browser would ask
// for it (compressed) and sums what crossed the wire, per resource; it also
// checks that ECharts is loaded once, under a content-hashed name, cached
// long-term.
func runPages(ctx context.Context, o Options) ([]Result, error) {
	srv, err := StartServer(ctx, o, "pages", "")
	if err != nil {
		return nil, err
	}
	defer srv.Stop()
	var wire atomic.Int64
	d := &net.Dialer{Timeout: 5 * time.Second}
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		// The bytes must arrive as sent: no transparent decompression.
		DisableCompression: true,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return countingConn{c, &wire}, nil
		},
	}}
	type loaded struct {
		path, encoding, cacheControl string
		bytes                        int64
	}
	load := func(path string) (loaded, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+path, nil)
		if err != nil {
			return loaded{}, nil, err
		}
		req.Header.Set("Accept-Encoding", browserAcceptEncoding)
		req.Header.Set("Accept-Language", "en")
		before := wire.Load()
		resp, err := client.Do(req)
		if err != nil {
			return loaded{}, nil, err
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return loaded{}, nil, err
		}
		if resp.StatusCode != http.StatusOK {
			return loaded{}, nil, fmt.Errorf("GET %s: %s", path, resp.Status)
		}
		return loaded{path: path, encoding: resp.Header.Get("Content-Encoding"),
			cacheControl: resp.Header.Get("Cache-Control"), bytes: wire.Load() - before}, body, nil
	}

	page, html, err := load("/")
	if err != nil {
		return nil, err
	}
	if page.encoding != "" {
		// The template is matched against the plain page below.
		if html, err = decode(page.encoding, html); err != nil {
			return nil, err
		}
	}
	var paths []string
	for _, re := range []*regexp.Regexp{scriptRE, styleRE, geoRE, framesRE} {
		for _, m := range re.FindAllStringSubmatch(string(html), -1) {
			paths = append(paths, m[1])
		}
	}
	all := []loaded{page}
	echarts := 0
	var echartsRes loaded
	seen := map[string]bool{}
	for _, p := range paths {
		if strings.Contains(p, "echarts") {
			echarts++
		}
		if seen[p] {
			continue
		}
		seen[p] = true
		l, _, err := load(p)
		if err != nil {
			return nil, err
		}
		all = append(all, l)
		if strings.Contains(p, "echarts") {
			echartsRes = l
		}
	}
	var total int64
	var parts []string
	sort.SliceStable(all[1:], func(i, j int) bool { return all[1+i].bytes > all[1+j].bytes })
	for _, l := range all {
		total += l.bytes
		enc := l.encoding
		if enc == "" {
			enc = "identity"
		}
		parts = append(parts, fmt.Sprintf("%s %s %s", short(l.path), kb(l.bytes), enc))
	}
	out := []Result{{
		Target: "8. pages: overview transfer",
		Figure: fmt.Sprintf("%s in %d responses", kb(total), len(all)),
		Goal:   "reported",
		Note:   "first visit, Accept-Encoding: " + browserAcceptEncoding + ", bytes read off the socket (headers included): " + strings.Join(parts, "; "),
	}}
	immutable := strings.Contains(echartsRes.cacheControl, "immutable") && strings.Contains(echartsRes.cacheControl, "max-age=31536000")
	hashed := hashedRE.MatchString(echartsRes.path)
	out = append(out, Result{
		Target: "8. pages: ECharts once, cached long-term",
		Figure: fmt.Sprintf("loaded %d× as %s (%s of %s), Cache-Control: %s", echarts, short(echartsRes.path),
			kb(echartsRes.bytes), kb(total), echartsRes.cacheControl),
		Goal:    "once, content-hashed, immutable",
		Checked: true, Pass: echarts == 1 && hashed && immutable,
	})
	return out, nil
}

func short(path string) string {
	if path == "/" {
		return "HTML"
	}
	return strings.TrimPrefix(path, "/assets/")
}

func kb(n int64) string { return fmt.Sprintf("%.1f KB", float64(n)/1024) }

// decode undoes a Content-Encoding.
func decode(encoding string, b []byte) ([]byte, error) {
	var r io.Reader
	switch encoding {
	case "br":
		r = brotli.NewReader(bytes.NewReader(b))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		r = zr
	default:
		return nil, fmt.Errorf("unexpected Content-Encoding %q", encoding)
	}
	return io.ReadAll(r)
}
