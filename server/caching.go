package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/hwfdash/hwfdash/server/engine"
)

func reqCtx(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), requestTimeout)
}

// etag names a representation: the version of the data it depends on and
// the request's path and query as sent (the query includes the format), so
// a write changes the ETag of exactly what it affects. The URI is taken as
// sent, not as fasthttp re-encodes it once the query has been parsed: the
// first answer to a query (which parses it) and later ones (which find it
// memoised) must carry the same ETag.
func etag(version int64, uri *fasthttp.URI) string {
	return string(appendETag(nil, version, uri.PathOriginal(), uri.QueryString()))
}

// appendETag appends etag's value to b. Every read makes one, so it is built
// without fmt or hash/fnv's allocating constructor: the hash is FNV-1a
// written out.
func appendETag(b []byte, version int64, path, query []byte) []byte {
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	add := func(p []byte) {
		for _, c := range p {
			h ^= uint64(c)
			h *= prime64
		}
	}
	add(path)
	if len(query) > 0 {
		add([]byte{'?'})
		add(query)
	}
	b = append(b, `W/"`...)
	b = strconv.AppendInt(b, version, 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, h, 16)
	return append(b, '"')
}

var etagKey = []byte(fiber.HeaderETag)

// cachedHit answers a read from what the process already holds: a 304 when
// the client's copy is current, else the payload from the in-process cache.
// It reports whether it answered; handlers call it before building their
// computation, which most reads do not need.
func (s *Server) cachedHit(c *fiber.Ctx, key engine.Key, contentType string) bool {
	v := key.Version()
	var buf [64]byte
	uri := c.Request().URI()
	tag := appendETag(buf[:0], v, uri.PathOriginal(), uri.QueryString())
	if m := c.Request().Header.Peek(fiber.HeaderIfNoneMatch); len(m) > 0 && bytes.Contains(m, tag) {
		setHeaders(c, cachingHeaders(key))
		c.Response().Header.SetCanonical(etagKey, tag)
		c.Status(fiber.StatusNotModified)
		return true
	}
	full := key.String()
	body, ok := s.deps.Cache.Peek(full)
	if !ok {
		return false
	}
	coding := s.encodingFor(c.Request().Header.Peek(fiber.HeaderAcceptEncoding), len(body))
	if coding != "" {
		z, ok := s.deps.Cache.Peek(encodedKey(full, coding))
		if !ok {
			return false // cachedBytes compresses it once and stores it
		}
		body = z
	}
	setHeaders(c, cachingHeaders(key))
	c.Set(fiber.HeaderContentType, contentType)
	c.Response().Header.SetCanonical(etagKey, tag)
	if coding != "" {
		c.Set(fiber.HeaderContentEncoding, coding)
	}
	c.Response().SetBodyRaw(body)
	return true
}

// cacheHeaders are the caching headers of every computed payload.
var cacheHeaders = []header{
	{[]byte(fiber.HeaderCacheControl), []byte("public, max-age=10, stale-while-revalidate=30")},
	{[]byte(fiber.HeaderVary), []byte("Accept-Encoding")},
}

// cachedBytes serves a computed payload from the version-keyed cache, with
// ETag and Cache-Control so browsers and CDNs can reuse it, compressed as
// the client accepts (compression.go). The ETag names the representation
// before its content coding (weak, so one ETag for every coding; Vary:
// Accept-Encoding keeps the codings apart in caches).
func (s *Server) cachedBytes(c *fiber.Ctx, key engine.Key, contentType string, compute func(ctx context.Context) ([]byte, error)) error {
	v := key.Version()
	tag := etag(v, c.Request().URI())
	c.Response().Header.SetCanonical(etagKey, []byte(tag)) // as cachedHit names it
	setHeaders(c, cachingHeaders(key))
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && strings.Contains(match, tag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	full := key.String()
	ctx, cancel := reqCtx(c)
	defer cancel()
	body, ok := s.deps.Cache.Peek(full)
	if !ok {
		var err error
		compute = s.budgeted(s.budgetAddr(c), compute)
		if body, err = s.deps.Cache.GetOrCompute(ctx, full, s.counted(compute)); err != nil {
			return err
		}
	}
	body, coding, err := s.encoded(ctx, c, full, body)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	if coding != "" {
		c.Set(fiber.HeaderContentEncoding, coding)
	}
	return c.Send(body)
}

func (s *Server) sendJSON(c *fiber.Ctx, key engine.Key, compute func(ctx context.Context) (any, error)) error {
	return s.cachedBytes(c, key, fiber.MIMEApplicationJSONCharsetUTF8, func(ctx context.Context) ([]byte, error) {
		v, err := compute(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
}

func (s *Server) sendCSV(c *fiber.Ctx, key engine.Key, filename string, compute func(ctx context.Context) ([]byte, error)) error {
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename=%q`, filename))
	return s.cachedBytes(c, key, "text/csv; charset=utf-8", compute)
}

// sendPrivate answers what only an admin may see: computed afresh, never
// cached nor stored by a browser or proxy.
func (s *Server) sendPrivate(c *fiber.Ctx, compute func(ctx context.Context) (any, error)) error {
	ctx, cancel := reqCtx(c)
	defer cancel()
	v, err := compute(ctx)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(v)
}
