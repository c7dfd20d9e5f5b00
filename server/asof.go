package server

import (
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/server/engine"
)

// pinnedHeaders are the caching headers of a view pinned to a data version
// (as_of): the revision history is never overwritten, so its answer never
// changes and may be kept for good.
var pinnedHeaders = []header{
	{[]byte(fiber.HeaderCacheControl), []byte("public, max-age=31536000, immutable")},
	{[]byte(fiber.HeaderVary), []byte("Accept-Encoding")},
}

// asOfParam parses the as_of query parameter: empty is live (0); otherwise a
// data version from 1 to the current one. A version not yet written would
// answer "live" today and something else tomorrow, so it is refused.
func (s *Server) asOfParam(c *fiber.Ctx) (int64, error) {
	raw := c.Query("as_of")
	if raw == "" {
		return 0, nil
	}
	v, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || v < 1 {
		return 0, badParam("as_of", fmt.Errorf("%q is not a data version (a whole number from 1; omit as_of for the live view)", truncate(raw, 20)))
	}
	cur := s.version.Load()
	if v > cur {
		// Another instance may have written since this one last heard.
		ctx, cancel := reqCtx(c)
		defer cancel()
		if stored, err := s.deps.Store.Version(ctx); err == nil {
			cur = max(cur, stored)
		}
	}
	if v > cur {
		return 0, badParam("as_of", fmt.Errorf("version %d is above the current data version %d", v, cur))
	}
	return v, nil
}

// view is the engine a read answers from, pinned when the request asks for
// as_of, and the data version its payload reports.
func (s *Server) view(c *fiber.Ctx) (*engine.Engine, int64, error) {
	asOf, err := s.asOfParam(c)
	if err != nil {
		return nil, 0, err
	}
	if asOf == 0 {
		return s.eng, s.version.Load(), nil
	}
	return s.eng.At(asOf), asOf, nil
}

// cachingHeaders are the caching headers of a payload named by key.
func cachingHeaders(key engine.Key) []header {
	if key.Pinned() {
		return pinnedHeaders
	}
	return cacheHeaders
}
