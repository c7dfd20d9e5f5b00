package server

import (
	"context"
	"sync"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/public"
)

// API answers are compressed when the client accepts it: an indicator's
// data is hundreds of kilobytes of JSON, most of a phone's first load. Each
// payload is compressed once per version and coding, and the compressed
// bytes are kept in the payload cache beside the raw ones (under the raw
// key and the coding), so a cached read stays a copy whatever the client
// accepts.

// minCompressSize is the smallest payload worth compressing: below it the
// saving is less than a packet.
const minCompressSize = 1024

// Compression levels: payloads are compressed once per version, on the
// first read that asks, so the level is a write-time cost; brotli 5 and
// gzip 6 take a few milliseconds on the largest payload and give most of
// what the best levels give.
const (
	apiBrotliLevel = 5
	apiGzipLevel   = 6
)

// encodedKey is the cache key of a payload's compressed variant.
func encodedKey(full, coding string) string { return full + "#" + coding }

// appendEncodedKey is encodedKey for a key built in a buffer.
func appendEncodedKey(b []byte, coding string) []byte {
	return append(append(b, '#'), coding...)
}

// compressBody compresses body with coding ("br" or "gzip") at the API's
// levels.
func compressBody(body []byte, coding string) ([]byte, error) {
	return public.Compress(body, coding, apiBrotliLevel, apiGzipLevel)
}

// encodingFor is the coding a payload of size bytes is sent with for an
// Accept-Encoding value: "" (identity) when the client takes neither, or
// the payload is small.
func (s *Server) encodingFor(acceptEncoding []byte, size int) string {
	if len(acceptEncoding) == 0 || size < minCompressSize {
		return ""
	}
	return s.codings.negotiate(acceptEncoding)
}

// codingMemo remembers the coding chosen for each Accept-Encoding value:
// browsers send a handful of distinct values, and parsing one costs more
// than the cached read it precedes. It is bounded; past the bound values
// are parsed each time.
type codingMemo struct {
	mu sync.RWMutex
	m  map[string]string
}

const codingMemoMax = 64

func (m *codingMemo) negotiate(acceptEncoding []byte) string {
	m.mu.RLock()
	c, ok := m.m[string(acceptEncoding)] // a lookup by a converted slice does not allocate
	m.mu.RUnlock()
	if ok {
		return c
	}
	c = public.NegotiateEncoding(string(acceptEncoding))
	m.mu.Lock()
	if m.m == nil {
		m.m = make(map[string]string)
	}
	if len(m.m) < codingMemoMax {
		m.m[string(acceptEncoding)] = c
	}
	m.mu.Unlock()
	return c
}

// encoded returns the bytes to send for a payload under the cache key full
// and the coding they are in: the compressed variant from the cache, made
// and stored on its first request.
func (s *Server) encoded(ctx context.Context, c *fiber.Ctx, full string, body []byte) ([]byte, string, error) {
	coding := s.encodingFor(c.Request().Header.Peek(fiber.HeaderAcceptEncoding), len(body))
	if coding == "" {
		return body, "", nil
	}
	z, err := s.deps.Cache.GetOrCompute(ctx, encodedKey(full, coding), func(context.Context) ([]byte, error) {
		return compressBody(body, coding)
	})
	if err != nil {
		return nil, "", err
	}
	return z, coding, nil
}
