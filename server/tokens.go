package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
)

// tokenRequest is the body of POST /api/v1/tokens.
type tokenRequest struct {
	Label     string   `json:"label"`
	Countries []string `json:"countries"`
	Admin     bool     `json:"admin"`
}

// ValidateTokenRequest checks a token request against the Member States.
func ValidateTokenRequest(label string, countries []string, known func(string) bool) ([]string, error) {
	if strings.TrimSpace(label) == "" || len(label) > 200 {
		return nil, badParam("label", errors.New("required, at most 200 characters"))
	}
	if len(countries) == 0 {
		return nil, badParam("countries", errors.New("at least one ISO3 code is required"))
	}
	out := make([]string, 0, len(countries))
	for _, c := range countries {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !known(c) {
			return nil, badParam("countries", fmt.Errorf("unknown country %q", truncate(c, 20)))
		}
		out = append(out, c)
	}
	return out, nil
}

func (s *Server) postToken(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	_, body, err := s.readBody(c, fiber.MIMEApplicationJSON)
	if err != nil {
		return err
	}
	var req tokenRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return badParam("body", errors.New("malformed JSON: "+jsonErr(err)))
	}
	countries, err := ValidateTokenRequest(req.Label, req.Countries, s.ref.Known)
	if err != nil && !(req.Admin && len(req.Countries) == 0) {
		return err
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	tok, secret, err := s.deps.Tokens.CreateToken(ctx, strings.TrimSpace(req.Label), countries, req.Admin)
	if err != nil {
		return err
	}
	s.log.Info("token created", "id", tok.ID, "label", tok.Label, "countries", tok.Countries)
	return c.Status(fiber.StatusCreated).JSON(fiber.Map{
		"token": secret, "id": tok.ID, "label": tok.Label, "countries": tok.Countries, "admin": tok.Admin,
		"note": "the token is shown once: store it now",
	})
}

func (s *Server) getTokens(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	toks, err := s.deps.Tokens.ListTokens(ctx)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"tokens": toks})
}

func (s *Server) deleteToken(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	id := c.Params("id")
	if err := s.deps.Tokens.RevokeToken(ctx, id); err != nil {
		if errors.Is(err, indicators.ErrNotFound) {
			return notFound("id", "no token %q", truncate(id, 40))
		}
		return err
	}
	s.log.Info("token revoked", "id", id)
	return c.SendStatus(fiber.StatusNoContent)
}
