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
	eng, _, err := s.view(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, eng.IndicatorsKey(), func(ctx context.Context) (any, error) {
		last, err := s.lastUpdated(ctx, eng.AsOf())
		if err != nil {
			return nil, err
		}
		list := make([]freshIndicator, len(s.ref.Catalogue))
		for i, ind := range s.ref.Catalogue {
			list[i] = freshIndicator{ind, last[ind.ID], eng.Citation(ind)}
		}
		return fiber.Map{"indicators": list}, nil
	})
}

func (s *Server) getIndicator(c *fiber.Ctx) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	eng, _, err := s.view(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, eng.IndicatorKey(ind), func(ctx context.Context) (any, error) {
		ms := s.ref.Measured(ind.ID)
		if ms == nil {
			ms = []indicators.Milestone{}
		}
		last, err := s.lastUpdated(ctx, eng.AsOf())
		if err != nil {
			return nil, err
		}
		return fiber.Map{"indicator": freshIndicator{ind, last[ind.ID], eng.Citation(ind)}, "milestones": ms}, nil
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
	eng, version, err := s.view(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, eng.RegionalKey(ind, year), func(ctx context.Context) (any, error) {
		return eng.Regional(ctx, ind, year, version)
	})
}

func (s *Server) getProvenance(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(s.ref.Provenance)
}
