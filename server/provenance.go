package server

import (
	"context"
	"slices"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
)

// ImportSource is an applied import whose figures an indicator shows now:
// the revision's source, vintage and file SHA-256, and how many of the
// indicator's current figures (country-years) come from it.
type ImportSource struct {
	indicators.Revision
	Figures int `json:"figures"`
}

// IndicatorProvenance is the answer to GET /api/v1/indicators/:id/provenance.
type IndicatorProvenance struct {
	Indicator string `json:"indicator"`
	// Source is the catalogue's source of the shipped series.
	Source string `json:"source"`
	// Imports are the imports the current figures come from, newest first;
	// figures from the shipped data or submissions are not listed.
	Imports []ImportSource `json:"imports"`
}

func (s *Server) getIndicatorProvenance(c *fiber.Ctx) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	imports, err := s.importSources(ctx, ind)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderCacheControl, "no-cache")
	return c.JSON(IndicatorProvenance{Indicator: ind.ID, Source: ind.Source, Imports: imports})
}

// importSources finds the imports among the data versions of ind's current
// figures (and, for a derived indicator, its inputs' figures). The
// revisions are read once and matched by version rather than one
// RevisionAt per version: an indicator's figures may come from hundreds of
// submissions, while imports are few.
func (s *Server) importSources(ctx context.Context, ind indicators.Indicator) ([]ImportSource, error) {
	out := []ImportSource{}
	if s.deps.Imports == nil {
		return out, nil
	}
	ids := []string{ind.ID}
	if ind.Derived != nil {
		ids = append(ids, ind.Derived.Inputs...)
	}
	// Most pages are of indicators no import touched: one small query.
	revs, err := s.deps.Imports.Revisions(ctx, 0)
	if err != nil {
		return nil, err
	}
	revs = slices.DeleteFunc(revs, func(r indicators.Revision) bool {
		return !slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(r.Indicators, id) })
	})
	if len(revs) == 0 {
		return out, nil
	}
	obs, err := s.deps.Store.Latest(ctx, indicators.Query{Indicators: ids})
	if err != nil {
		return nil, err
	}
	figures := map[int64]int{}
	for _, o := range obs {
		figures[o.Version]++
	}
	for _, r := range revs {
		if n := figures[r.Version]; n > 0 {
			out = append(out, ImportSource{Revision: r, Figures: n})
		}
	}
	return out, nil
}
