package server

import (
	"strings"

	"github.com/gofiber/fiber/v2"
)

// securityHeaders sets the headers every answer carries. Pages forbid
// framing except under /embed/, which ministries frame on their own sites.
func (s *Server) securityHeaders(c *fiber.Ctx) error {
	h := func(k, v string) { c.Set(k, v) }
	h(fiber.HeaderXContentTypeOptions, "nosniff")
	h(fiber.HeaderReferrerPolicy, "strict-origin-when-cross-origin")
	frame := "'none'"
	if strings.HasPrefix(c.Path(), "/embed/") {
		frame = "*"
		if len(s.cfg.EmbedOrigins) > 0 {
			frame = strings.Join(s.cfg.EmbedOrigins, " ")
		}
	} else {
		h(fiber.HeaderXFrameOptions, "DENY")
	}
	h(fiber.HeaderContentSecurityPolicy, "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "+
		"connect-src 'self' ws: wss:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors "+frame)
	return c.Next()
}

// corsReads opens the read API to any origin, for GET only: writes need a
// token and are never made from another site's pages.
func (s *Server) corsReads(c *fiber.Ctx) error {
	switch c.Method() {
	case fiber.MethodGet, fiber.MethodHead:
		c.Set(fiber.HeaderAccessControlAllowOrigin, "*")
		c.Set(fiber.HeaderAccessControlExposeHeaders, "ETag")
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
