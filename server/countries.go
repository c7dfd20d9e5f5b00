package server

import (
	"context"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/server/engine"
)

func (s *Server) getCountries(c *fiber.Ctx) error {
	return s.sendJSON(c, s.eng.CountriesKey(), func(context.Context) (any, error) {
		return fiber.Map{"countries": s.ref.Countries, "groups": s.ref.GroupNames}, nil
	})
}

func (s *Server) getSummary(c *fiber.Ctx) error {
	iso3 := strings.ToUpper(c.Params("iso3"))
	if !s.ref.Known(iso3) {
		return notFound("iso3", "unknown country %q: not a Member State of the WHO European Region", truncate(c.Params("iso3"), 20))
	}
	lang, err := engine.ParseLang(c.Query("lang"))
	if err != nil {
		return err
	}
	eng, version, err := s.view(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, eng.SummaryKey(iso3, lang), func(ctx context.Context) (any, error) {
		res, err := eng.Summary(ctx, iso3, version)
		if err != nil || lang == "en" {
			return res, err
		}
		res.Country.Name = s.msgs.Country(lang, iso3, res.Country.Name)
		for i := range res.Items {
			it := &res.Items[i]
			// The citations were made in English: hwfdash's words in them
			// are said again in the page's language.
			local := eng.CitationIn(lang, it.Indicator)
			if it.Latest != nil && it.Latest.Source == it.Citation {
				it.Latest.Source = local
			}
			it.Citation = local
			it.Indicator = s.eng.LocalIndicator(lang, it.Indicator)
		}
		return res, nil
	})
}
