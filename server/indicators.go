package server

import (
	"context"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
)

func (s *Server) indicatorParam(c *fiber.Ctx) (indicators.Indicator, error) {
	id := c.Params("id")
	ind, ok := s.ref.ByID[id]
	if !ok {
		return ind, notFound("id", "unknown indicator %q", truncate(id, 60))
	}
	return ind, nil
}

func (s *Server) getIndicators(c *fiber.Ctx) error {
	return s.sendJSON(c, s.eng.IndicatorsKey(), func(context.Context) (any, error) {
		return fiber.Map{"indicators": s.ref.Catalogue}, nil
	})
}

func (s *Server) getIndicator(c *fiber.Ctx) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, s.eng.IndicatorKey(ind), func(context.Context) (any, error) {
		ms := s.ref.Measured(ind.ID)
		if ms == nil {
			ms = []indicators.Milestone{}
		}
		return fiber.Map{"indicator": ind, "milestones": ms}, nil
	})
}

func (s *Server) getRegional(c *fiber.Ctx) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	year := 0
	if y := c.Query("year"); y != "" {
		if year, err = engine.ParseYear(y, s.cfg.CurrentYear()); err != nil {
			return badParam("year", err)
		}
	}
	return s.sendJSON(c, s.eng.RegionalKey(ind, year), func(ctx context.Context) (any, error) {
		return s.eng.Regional(ctx, ind, year, s.version.Load())
	})
}

func (s *Server) getProvenance(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(s.ref.Provenance)
}
