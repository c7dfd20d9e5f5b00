package server

import (
	"bytes"
	"sync"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// fastRead answers the read that embeds, the explorer and news pages make
// most — GET or HEAD /api/v1/indicators/{id}/data in JSON, for a query
// already parsed once and a payload already in the process's cache —
// straight from fasthttp, before Fiber builds its context, routes and runs
// the middleware. Under load that work cost as much again as the read
// itself. The answer is the one Fiber's route gives, header for header in
// the same order (security headers, CORS, ETag, caching, type; a 304 when
// the client's copy is current), which TestFastReadMatchesRoute checks. It
// reports whether it answered; anything else (another path, a query not
// yet seen, CSV, a payload not cached) goes through Fiber unchanged.
func (s *Server) fastRead(ctx *fasthttp.RequestCtx) bool {
	if !ctx.IsGet() && !ctx.IsHead() {
		return false
	}
	// Fiber routes on the path as sent, and getData memoises the query as
	// sent; both are read here from the request line, without parsing the
	// URI. An absolute URI or a fragment goes the long way.
	uri := ctx.Request.Header.RequestURI()
	if len(uri) == 0 || uri[0] != '/' || bytes.IndexByte(uri, '#') >= 0 {
		return false
	}
	path, query, _ := bytes.Cut(uri, []byte{'?'})
	id, ok := dataPathID(path)
	if !ok {
		return false
	}
	ind, ok := s.ref.ByID[string(id)]
	if !ok {
		return false
	}
	q, format, ok := s.dataQueries.get(query, s.cfg.CurrentYear())
	if !ok || format != "json" {
		return false
	}
	key := s.eng.DataKey(ind, q, format)
	v := key.Version()
	var tb [64]byte
	tag := appendETag(tb[:0], v, path, query)
	h := &ctx.Response.Header
	if m := ctx.Request.Header.Peek(fiber.HeaderIfNoneMatch); len(m) > 0 && bytes.Contains(m, tag) {
		setResponseHeaders(h, s.apiHeaders)
		setResponseHeaders(h, corsHeaders)
		setResponseHeaders(h, cacheHeaders)
		h.SetCanonical(etagKey, tag)
		ctx.SetStatusCode(fiber.StatusNotModified)
		return true
	}
	// The cache key getData builds, written in a pooled buffer (one on the
	// stack would escape through the interface).
	kb := keyBufs.Get().(*[]byte)
	defer keyBufs.Put(kb)
	*kb = key.AppendTo((*kb)[:0])
	body, ok := s.deps.Cache.PeekBytes(*kb)
	if !ok {
		return false
	}
	// Compressed as the route would: the variant the route stored beside
	// the raw bytes, or the route itself when there is none yet.
	coding := s.encodingFor(ctx.Request.Header.Peek(fiber.HeaderAcceptEncoding), len(body))
	if coding != "" {
		if body, ok = s.deps.Cache.PeekBytes(appendEncodedKey(*kb, coding)); !ok {
			return false
		}
	}
	// The headers every such answer shares are copied in one go: setting
	// them one by one has fasthttp check every byte of every value again.
	s.fastHeaders.CopyTo(h)
	h.SetCanonical(etagKey, tag)
	if coding != "" {
		h.SetContentEncoding(coding)
	}
	ctx.Response.SetBodyRaw(body)
	return true
}

// buildFastHeaders makes the headers fastRead copies into a cached JSON
// answer: what securityHeaders, corsReads and cachedHit set, in that
// order, and the content type. (A ResponseHeader's other state — status
// 200, default Date and content type on — is what the server leaves a
// fresh response with; Fiber's config keeps fasthttp's defaults.)
func (s *Server) buildFastHeaders() {
	h := &s.fastHeaders
	setResponseHeaders(h, s.apiHeaders)
	setResponseHeaders(h, corsHeaders)
	setResponseHeaders(h, cacheHeaders)
	h.SetContentType(fiber.MIMEApplicationJSONCharsetUTF8)
}

var keyBufs = sync.Pool{New: func() any { b := make([]byte, 0, 256); return &b }}

// dataPathID is the indicator ID in /api/v1/indicators/{id}/data.
func dataPathID(path []byte) ([]byte, bool) {
	rest, ok := bytes.CutPrefix(path, []byte("/api/v1/indicators/"))
	if !ok {
		return nil, false
	}
	id, ok := bytes.CutSuffix(rest, []byte("/data"))
	if !ok || len(id) == 0 || bytes.IndexByte(id, '/') >= 0 {
		return nil, false
	}
	return id, true
}
