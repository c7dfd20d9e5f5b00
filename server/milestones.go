package server

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) getMilestones(c *fiber.Ctx) error {
	return s.sendJSON(c, s.eng.MilestonesKey(), func(ctx context.Context) (any, error) {
		return s.eng.Milestones(ctx, s.version.Load())
	})
}

func (s *Server) getRounds(c *fiber.Ctx) error {
	return s.sendJSON(c, s.eng.RoundsKey(), func(ctx context.Context) (any, error) {
		return s.eng.Rounds(ctx, s.version.Load())
	})
}

func (s *Server) getRoadmap(c *fiber.Ctx) error {
	if s.ref.Roadmap == nil {
		return notFound("roadmap", "no Roadmap document is loaded")
	}
	return s.sendJSON(c, s.eng.RoadmapKey(), func(ctx context.Context) (any, error) {
		return s.eng.Roadmap(ctx, s.version.Load())
	})
}
