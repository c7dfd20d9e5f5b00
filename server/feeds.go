package server

import (
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/feed"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
	"github.com/hwfdash/hwfdash/server/engine"
)

// seedAuthor is the author of the shipped data load: thousands of figures
// at once, which would flood a feed of changes, so feeds leave it out.
const seedAuthor = "seed"

// getFeed answers /changes.atom (optionally ?country=…&indicator=…),
// /countries/{iso3}/changes.atom and /indicators/{id}/changes.atom: the
// newest accepted submissions and imports as Atom 1.0, cached by data
// version like every payload (ETag, 304), so it changes with the next write.
// ?lang= gives its words, country and indicator names in another of the
// site's languages.
func (s *Server) getFeed(c *fiber.Ctx) error {
	f, err := s.feedFilter(c)
	if err != nil {
		return err
	}
	lang, err := engine.ParseLang(c.Query("lang"))
	if err != nil {
		return err
	}
	base := s.publicURL(c)
	return s.cachedBytes(c, s.eng.FeedKey(f, base, lang), feed.ContentType, func(ctx context.Context) ([]byte, error) {
		changes, err := s.deps.Store.Changes(ctx, f, feed.DefaultLimit)
		if err != nil {
			return nil, err
		}
		body, _, err := feed.Render(changes, f, feed.Options{BaseURL: base, Lang: lang, DecimalMark: public.DecimalMark(lang),
			Text:          func(key string) string { return s.msgs.T(lang, key) },
			CountryName:   func(iso3 string) string { return s.msgs.Country(lang, iso3, s.ref.CountryName(iso3)) },
			IndicatorName: func(id string) string { return s.eng.LocalIndicator(lang, s.ref.ByID[id]).Name }})
		return body, err
	})
}

// feedFilter reads what a feed selects from its path or, on /changes.atom,
// from the country and indicator parameters.
func (s *Server) feedFilter(c *fiber.Ctx) (indicators.ChangeFilter, error) {
	f := indicators.ChangeFilter{ExcludeAuthor: seedAuthor}
	country, countryField := c.Query("country"), "country"
	if p := c.Params("iso3"); p != "" {
		country, countryField = p, "iso3"
	}
	indicator, indicatorField := c.Query("indicator"), "indicator"
	if p := c.Params("id"); p != "" {
		indicator, indicatorField = p, "id"
	}
	if country != "" {
		f.Country = strings.ToUpper(country)
		if !s.ref.Known(f.Country) {
			return f, notFound(countryField, "unknown country %q: not a Member State of the WHO European Region", truncate(country, 20))
		}
	}
	if indicator != "" {
		if _, ok := s.ref.ByID[indicator]; !ok {
			return f, notFound(indicatorField, "unknown indicator %q", truncate(indicator, 60))
		}
		f.Indicator = indicator
	}
	return f, nil
}

// publicURL is the origin feed links start with: the configured public URL,
// else the request's own origin when the configuration trusts it (it is
// listed in AllowedOrigins), else http://localhost. A Host header alone
// never decides it: the feed is cached and served to every reader.
func (s *Server) publicURL(c *fiber.Ctx) string {
	if s.cfg.PublicURL != "" {
		return strings.TrimSuffix(s.cfg.PublicURL, "/")
	}
	origin := fmt.Sprintf("%s://%s", c.Protocol(), c.Hostname())
	for _, o := range s.cfg.AllowedOrigins {
		if o == origin {
			return origin
		}
	}
	return "http://localhost"
}
