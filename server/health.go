package server

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) getHealth(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) getReady(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), readyTimeout)
	defer cancel()
	storeState := "ok"
	status := fiber.StatusOK
	if err := s.deps.Store.Ping(ctx); err != nil {
		storeState = "unavailable"
		status = fiber.StatusServiceUnavailable
	}
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Status(status).JSON(fiber.Map{
		"status":  map[bool]string{true: "ok", false: "degraded"}[status == fiber.StatusOK],
		"store":   fiber.Map{"kind": s.deps.Store.Kind(), "state": storeState},
		"cache":   s.deps.Cache.State(),
		"bus":     s.deps.Bus.State(),
		"version": s.version.Load(),
		"clients": s.hub.Count(),
	})
}

func (s *Server) getVersion(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"version": s.version.Load()})
}
