package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"
)

// header is a response header with its name in canonical form, so it is set
// without fasthttp normalising the name on every answer.
type header struct{ key, value []byte }

func setHeaders(c *fiber.Ctx, hs []header) { setResponseHeaders(&c.Response().Header, hs) }

func setResponseHeaders(h *fasthttp.ResponseHeader, hs []header) {
	for _, x := range hs {
		h.SetCanonical(x.key, x.value)
	}
}

// buildSecurityHeaders computes the headers securityHeaders sets. Pages
// forbid framing except under /embed/, which ministries frame on their own
// sites.
func (s *Server) buildSecurityHeaders() {
	csp := func(frame string) header {
		return header{[]byte(fiber.HeaderContentSecurityPolicy), []byte("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
			"connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors " + frame)}
	}
	common := []header{
		{[]byte(fiber.HeaderXContentTypeOptions), []byte("nosniff")},
		{[]byte(fiber.HeaderReferrerPolicy), []byte("strict-origin-when-cross-origin")},
	}
	frame := "*"
	if len(s.cfg.EmbedOrigins) > 0 {
		frame = strings.Join(s.cfg.EmbedOrigins, " ")
	}
	s.embedHeaders = append(append([]header{}, common...), csp(frame))
	s.pageHeaders = append(append([]header{}, common...),
		header{[]byte(fiber.HeaderXFrameOptions), []byte("DENY")}, csp("'none'"))
	// An API answer is data, never a document: the strictest policy, which
	// is also short (fasthttp checks every header value it sets, byte by
	// byte, and the read API is the hot path).
	s.apiHeaders = append(append([]header{}, common...),
		header{[]byte(fiber.HeaderXFrameOptions), []byte("DENY")},
		header{[]byte(fiber.HeaderContentSecurityPolicy), []byte("default-src 'none'; frame-ancestors 'none'")})
}

// securityHeaders sets the headers every answer carries.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	switch p := c.Path(); {
	case strings.HasPrefix(p, "/api/"):
		setHeaders(c, s.apiHeaders)
	case strings.HasPrefix(p, "/embed/"):
		setHeaders(c, s.embedHeaders)
	case p == "/ws":
		// The upgrade answer is no document, and whatever is set here stays
		// in memory for the connection's whole life (fasthttp keeps the
		// request context of a hijacked connection).
	default:
		setHeaders(c, s.pageHeaders)
	}
	return c.Next()
}

// corsHeaders open a read to any origin.
var corsHeaders = []header{
	{[]byte(fiber.HeaderAccessControlAllowOrigin), []byte("*")},
	{[]byte(fiber.HeaderAccessControlExposeHeaders), []byte("ETag")},
}

// corsReads opens the read API to any origin, for GET only: writes need a
// token and are never made from another site's pages.
func (s *Server) corsReads(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead:
		setHeaders(c, corsHeaders)
	case fiber.MethodOptions:
		if c.Get(fiber.HeaderAccessControlRequestMethod) == fiber.MethodGet {
			c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
			c.Set(fiber.HeaderAccessControlAllowMethods, "GET, HEAD")
			c.Set(fiber.HeaderAccessControlMaxAge, "86400")
		}
		return c.SendStatus(fiber.StatusNoContent)
	}
	return c.Next()
}
