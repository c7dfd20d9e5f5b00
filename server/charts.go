package server

import (
	"context"
	"errors"
	"net/url"

	"github.com/gofiber/fiber/v2"
)

// getChart answers /api/v1/charts/{chart}: the engine parses the query and
// builds the chart, cached under the chart's key.
func (s *Server) getChart(c *fiber.Ctx) error {
	q, err := url.ParseQuery(string(c.Request().URI().QueryString()))
	if err != nil {
		return badParam("query", errors.New("malformed query string"))
	}
	eng, version, err := s.view(c)
	if err != nil {
		return err
	}
	r, err := eng.ParseChart(c.Params("chart"), q)
	if err != nil {
		return err
	}
	return s.sendJSON(c, eng.ChartKey(r), func(ctx context.Context) (any, error) {
		return eng.BuildChart(ctx, r, version)
	})
}
