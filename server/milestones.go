package server

import (
	"context"

	"github.com/gofiber/fiber/v2"
)

func (s *Server) getMilestones(c *fiber.Ctx) error {
	eng, version, err := s.view(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, eng.MilestonesKey(), func(ctx context.Context) (any, error) {
		return eng.Milestones(ctx, version)
	})
}

func (s *Server) getRounds(c *fiber.Ctx) error {
	eng, version, err := s.view(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, eng.RoundsKey(), func(ctx context.Context) (any, error) {
		return eng.Rounds(ctx, version)
	})
}

func (s *Server) getRoadmap(c *fiber.Ctx) error {
	if s.ref.Roadmap == nil {
		return notFound("roadmap", "no Roadmap document is loaded")
	}
	eng, version, err := s.view(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, eng.RoadmapKey(), func(ctx context.Context) (any, error) {
		return eng.Roadmap(ctx, version)
	})
}
