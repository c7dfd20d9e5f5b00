// Package public serves the dashboard's front-end assets — ECharts, the map of
// the WHO European Region, axe-core and the page CSS/JS — embedded in the
// binary under content-hashed names, so browsers may cache them forever.
//
// The files come from scripts/build-assets.mjs (`npm ci && npm run build`),
// which writes public/dist and its manifest.json; nothing is fetched from
// another host at run time.
package public

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"sort"
	"strconv"
	"strings"

	"github.com/andybalholm/brotli"
	"golang.org/x/sync/errgroup"
)

// dist holds what the asset build wrote; .keep lets this compile before one.
//
//go:embed all:dist
var dist embed.FS

// URLPrefix is the path under which the server mounts Assets; Path builds on it.
const URLPrefix = "/assets/"

// CacheControl is the header every asset is served with: a hashed name's
// content never changes, so browsers need not revalidate it.
const CacheControl = "public, max-age=31536000, immutable"

// ErrNotBuilt is returned by Load when public/dist holds no manifest.json.
var ErrNotBuilt = errors.New("public: assets not built: run `make assets` (npm ci && npm run build)")

// hashLen is how many hex digits of the SHA-256 the build puts in a name.
const hashLen = 10

// Compression levels are a start-up cost paid once per Load: brotli 11 would
// take seconds for ECharts alone and saves only ~8% over 9.
const (
	brotliLevel = 9
	gzipLevel   = gzip.BestCompression
)

// Assets is the loaded, immutable set of embedded assets with their
// precomputed compressed variants; it is safe for concurrent use.
type Assets struct {
	paths map[string]string // logical name → hashed name
	files map[string]*asset // hashed name → content
}

type asset struct {
	body        []byte
	contentType string
	gzip        []byte // nil when not worth it
	br          []byte // nil when not worth it
}

// Load reads the embedded manifest and assets, checks that each file's bytes
// match the hash in its name, and compresses the text assets with gzip and
// brotli.
func Load() (*Assets, error) {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		return nil, fmt.Errorf("public: %w", err)
	}
	return load(sub)
}

func load(fsys fs.FS) (*Assets, error) {
	raw, err := fs.ReadFile(fsys, "manifest.json")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotBuilt
	}
	if err != nil {
		return nil, fmt.Errorf("public: read manifest: %w", err)
	}
	var manifest map[string]string
	if err := json.Unmarshal(raw, &manifest); err != nil {
		return nil, fmt.Errorf("public: parse manifest: %w", err)
	}
	if len(manifest) == 0 {
		return nil, fmt.Errorf("public: manifest lists no assets: %w", ErrNotBuilt)
	}

	a := &Assets{paths: make(map[string]string, len(manifest)), files: make(map[string]*asset, len(manifest))}
	for logical, hashed := range manifest {
		if !fs.ValidPath(hashed) || hashed == "manifest.json" {
			return nil, fmt.Errorf("public: manifest: %q maps to invalid name %q", logical, hashed)
		}
		if _, dup := a.files[hashed]; dup {
			return nil, fmt.Errorf("public: manifest: %q listed twice", hashed)
		}
		body, err := fs.ReadFile(fsys, hashed)
		if err != nil {
			return nil, fmt.Errorf("public: read %s: %w", hashed, err)
		}
		if want, got := nameHash(hashed), contentHash(body); want != got {
			return nil, fmt.Errorf("public: %s: content hash %s does not match its name: rebuild the assets", hashed, got)
		}
		a.paths[logical] = hashed
		a.files[hashed] = &asset{body: body, contentType: contentType(hashed)}
	}

	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for name, f := range a.files {
		if !compressible(name) {
			continue
		}
		// The build writes <name>.br and <name>.gz beside each text asset
		// (at brotli's best level, which takes seconds), so a start only
		// reads them; they carry the content hash in their name, so they
		// cannot be stale. Without them (a test's file system), the variant
		// is compressed here.
		g.Go(func() error {
			if z, err := fs.ReadFile(fsys, name+".gz"); err == nil {
				f.gzip = smaller(z, f.body)
				return nil
			}
			z, err := Compress(f.body, "gzip", brotliLevel, gzipLevel)
			if err != nil {
				return fmt.Errorf("public: gzip %s: %w", name, err)
			}
			f.gzip = smaller(z, f.body)
			return nil
		})
		g.Go(func() error {
			if z, err := fs.ReadFile(fsys, name+".br"); err == nil {
				f.br = smaller(z, f.body)
				return nil
			}
			z, err := Compress(f.body, "br", brotliLevel, gzipLevel)
			if err != nil {
				return fmt.Errorf("public: brotli %s: %w", name, err)
			}
			f.br = smaller(z, f.body)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return a, nil
}

// Path returns the URL path of a logical asset ("echarts.min.js" →
// "/assets/echarts.min.0123456789.js"), or "" when there is no such asset.
func (a *Assets) Path(logical string) string {
	hashed, ok := a.paths[logical]
	if !ok {
		return ""
	}
	return URLPrefix + hashed
}

// Logical returns the logical names of all assets, sorted.
func (a *Assets) Logical() []string {
	names := make([]string, 0, len(a.paths))
	for n := range a.paths {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Open returns the uncompressed bytes and content type of the asset with the
// given hashed name (the part of Path after URLPrefix). The bytes are shared:
// callers must not modify them.
func (a *Assets) Open(hashedName string) (body []byte, contentType string, ok bool) {
	f, ok := a.files[hashedName]
	if !ok {
		return nil, "", false
	}
	return f.body, f.contentType, true
}

// Get is Open with content negotiation: it returns the brotli or gzip variant
// when the Accept-Encoding header value allows it and one exists, with the
// Content-Encoding to send ("br", "gzip", or "" for the plain bytes). Callers
// should send "Vary: Accept-Encoding" and CacheControl, and must not modify
// the bytes.
func (a *Assets) Get(hashedName, acceptEncoding string) (body []byte, contentType, contentEncoding string, ok bool) {
	f, ok := a.files[hashedName]
	if !ok {
		return nil, "", "", false
	}
	switch negotiate(acceptEncoding, f.br != nil, f.gzip != nil) {
	case "br":
		return f.br, f.contentType, "br", true
	case "gzip":
		return f.gzip, f.contentType, "gzip", true
	default:
		return f.body, f.contentType, "", true
	}
}

// negotiate picks "br", "gzip" or "" (identity) from an Accept-Encoding value
// (RFC 9110 §12.5.3): the coding with the highest non-zero q-value wins, brotli
// on a tie because it is smaller; a coding only "*" covers counts too.
func negotiate(acceptEncoding string, haveBr, haveGzip bool) string {
	if acceptEncoding == "" || (!haveBr && !haveGzip) {
		return ""
	}
	qBr, qGzip, qStar := -1.0, -1.0, -1.0
	for rest := acceptEncoding; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		coding, params, _ := strings.Cut(part, ";")
		q := 1.0
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
			k, v, found := strings.Cut(strings.TrimSpace(p), "=")
			if !found || !strings.EqualFold(strings.TrimSpace(k), "q") {
				continue
			}
			parsed, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || parsed < 0 || parsed > 1 {
				parsed = 0 // a malformed weight accepts nothing
			}
			q = parsed
		}
		switch coding = strings.TrimSpace(coding); {
		case strings.EqualFold(coding, "br"):
			qBr = q
		case strings.EqualFold(coding, "gzip"), strings.EqualFold(coding, "x-gzip"):
			qGzip = q
		case coding == "*":
			qStar = q
		}
	}
	if qBr < 0 {
		qBr = qStar
	}
	if qGzip < 0 {
		qGzip = qStar
	}
	if !haveBr {
		qBr = 0
	}
	if !haveGzip {
		qGzip = 0
	}
	switch {
	case qBr > 0 && qBr >= qGzip:
		return "br"
	case qGzip > 0:
		return "gzip"
	default:
		return ""
	}
}

// nameHash extracts the hash the build put before the last extension
// ("europe.geo.0123456789.json" → "0123456789", "name.0123456789" for a
// logical name without an extension).
func nameHash(hashed string) string {
	parts := strings.Split(path.Base(hashed), ".")
	switch len(parts) {
	case 1:
		return ""
	case 2:
		return parts[1]
	default:
		return parts[len(parts)-2]
	}
}

func contentHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])[:hashLen]
}

// contentType is fixed here rather than taken from the mime package, whose
// answers depend on the host's /etc/mime.types.
func contentType(name string) string {
	switch strings.ToLower(path.Ext(name)) {
	case ".css":
		return "text/css; charset=utf-8"
	case ".html":
		return "text/html; charset=utf-8"
	case ".ico":
		return "image/x-icon"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".json", ".map":
		return "application/json"
	case ".png":
		return "image/png"
	case ".svg":
		return "image/svg+xml"
	case ".txt":
		return "text/plain; charset=utf-8"
	case ".webp":
		return "image/webp"
	case ".woff2":
		return "font/woff2"
	}
	return "application/octet-stream"
}

// compressible reports whether the asset is text; images and fonts are
// compressed already.
func compressible(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".css", ".html", ".js", ".json", ".map", ".mjs", ".svg", ".txt":
		return true
	}
	return false
}

func smaller(z, body []byte) []byte {
	if len(z) >= len(body) {
		return nil
	}
	return z
}

// Compress compresses body with coding ("br" or "gzip") at the given
// levels: the assets at their best once at start, the API's payloads
// faster, once per data version.
func Compress(body []byte, coding string, brotliLevel, gzipLevel int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(len(body) / 4)
	var w io.WriteCloser
	switch coding {
	case "br":
		w = brotli.NewWriterLevel(&buf, brotliLevel)
	case "gzip":
		z, err := gzip.NewWriterLevel(&buf, gzipLevel)
		if err != nil {
			return nil, err
		}
		w = z
	default:
		return nil, fmt.Errorf("public: compress: unknown coding %q", coding)
	}
	if _, err := w.Write(body); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// NegotiateEncoding picks "br", "gzip" or "" (identity) for an
// Accept-Encoding value, for bytes the caller can send in either coding.
func NegotiateEncoding(acceptEncoding string) string {
	return negotiate(acceptEncoding, true, true)
}
