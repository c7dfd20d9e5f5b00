package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
)

// authenticate resolves the bearer token of a write request. The admin
// token is compared in constant time; other tokens are looked up by hash.
// Secrets are never logged.
func (s *Server) authenticate(c *fiber.Ctx) (indicators.Token, error) {
	auth := c.Get(fiber.HeaderAuthorization)
	secret, ok := strings.CutPrefix(auth, "Bearer ")
	secret = strings.TrimSpace(secret)
	if !ok || secret == "" {
		c.Set(fiber.HeaderWWWAuthenticate, `Bearer realm="hwfdash"`)
		return indicators.Token{}, &apiError{Status: fiber.StatusUnauthorized, Message: "missing bearer token", Field: "Authorization"}
	}
	if s.cfg.AdminToken != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.AdminToken)) == 1 {
		return indicators.Token{ID: "admin", Label: "admin", Admin: true}, nil
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	tok, err := s.deps.Tokens.Authenticate(ctx, secret)
	switch {
	case errors.Is(err, indicators.ErrNotFound):
		return tok, &apiError{Status: fiber.StatusUnauthorized, Message: "invalid token", Field: "Authorization"}
	case errors.Is(err, indicators.ErrRevoked):
		return tok, &apiError{Status: fiber.StatusUnauthorized, Message: "token revoked", Field: "Authorization"}
	case err != nil:
		return tok, err
	}
	return tok, nil
}

// writer authenticates a write and applies the token's rate limit. A valid
// token is limited per token only: other clients' failures, counted per
// client address (checkAuth), never block it.
func (s *Server) writer(c *fiber.Ctx) (indicators.Token, error) {
	tok, err := s.checkAuth(c)
	if err != nil {
		return tok, err
	}
	return tok, s.limitWrite(c.UserContext(), "token:"+tok.ID)
}

func (s *Server) requireAdmin(c *fiber.Ctx) (indicators.Token, error) {
	tok, err := s.checkAuth(c)
	if err != nil {
		return tok, err
	}
	if !tok.Admin {
		return tok, &apiError{Status: fiber.StatusForbidden, Message: "this needs an admin token", Field: "Authorization"}
	}
	return tok, nil
}

// checkAuth is authenticate with failures counted per client address: past
// the failed-authentication rate, that address's failures answer 429. The
// token is checked first, so a valid one always passes; tokens are random
// 256-bit secrets, so the limit bounds the work of a flood, not the odds of
// a guess.
func (s *Server) checkAuth(c *fiber.Ctx) (indicators.Token, error) {
	tok, err := s.authenticate(c)
	var ae *apiError
	if err != nil && errors.As(err, &ae) && ae.Status == fiber.StatusUnauthorized {
		if lerr := s.authFailed(c.UserContext(), s.clientAddr(c.Context())); lerr != nil {
			return tok, lerr
		}
	}
	return tok, err
}

// authFailed counts a failed authentication from addr (HTTP or websocket);
// past the rate it answers 429.
func (s *Server) authFailed(ctx context.Context, addr string) error {
	if !s.authFailures.allow(ctx, "authfail:"+addr) {
		return &apiError{Status: fiber.StatusTooManyRequests, Message: "too many failed authentications from this address: retry in a minute", Field: "Authorization"}
	}
	return nil
}

// viewerIsAdmin says whether a read request carries the admin token (or an
// admin ministry token). No Authorization header means a public reader; a
// bad one is refused rather than silently ignored.
func (s *Server) viewerIsAdmin(c *fiber.Ctx) (bool, error) {
	if c.Get(fiber.HeaderAuthorization) == "" {
		return false, nil
	}
	tok, err := s.checkAuth(c)
	if err != nil {
		return false, err
	}
	return tok.Admin, nil
}
