package server

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
)

// freshIndicator is an indicator as the API describes it, with its
// freshness: last_updated, when its data last changed (the date of its
// latest revision, null if it has none), beside the publisher's vintage
// and next_expected_update (null where no source states a schedule);
// and citation, the series as a reader cites it (publisher, database,
// code, vintage: the words the pages print), where source is the
// catalogue's note of the file it comes from.
type freshIndicator struct {
	ind      indicators.Indicator
	last     time.Time
	citation string
}

func (f freshIndicator) MarshalJSON() ([]byte, error) {
	b, err := json.Marshal(f.ind)
	if err != nil || len(b) < 2 || b[len(b)-1] != '}' {
		return b, err
	}
	// Indicator marshals itself (with its valid range), so the freshness
	// fields are spliced in rather than embedded; its own
	// next_expected_update is omitted when empty, and shown here as null.
	extra := map[string]any{"last_updated": nil, "citation": f.citation}
	if !f.last.IsZero() {
		extra["last_updated"] = f.last.UTC().Format(time.RFC3339)
	}
	if f.ind.NextExpectedUpdate == "" {
		extra["next_expected_update"] = nil
	}
	if f.ind.Vintage == "" {
		extra["vintage"] = nil
	}
	more, err := json.Marshal(extra)
	if err != nil {
		return nil, fmt.Errorf("server: indicator freshness: %w", err)
	}
	out := append(b[:len(b)-1:len(b)-1], ',')
	return append(out, more[1:]...), nil
}

// lastUpdated is when each indicator's data last changed, as the data
// stood at asOf (0: live), derived indicators included.
func (s *Server) lastUpdated(ctx context.Context, asOf int64) (map[string]time.Time, error) {
	latest, err := s.deps.Store.LastUpdated(ctx, asOf)
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(s.ref.Catalogue))
	for _, ind := range s.ref.Catalogue {
		if t := indicators.LastUpdated(ind, latest); !t.IsZero() {
			out[ind.ID] = t
		}
	}
	return out, nil
}

// nextBasisKeys are the messages that say the catalogue's stated release
// schedules in a page's language.
var nextBasisKeys = map[string]string{indicators.NextNRIRoundBasis: "fresh.basis_nri"}

// freshnessData gives the country page each indicator's freshness: when its
// data last changed (as the page's version stood), the publisher's vintage
// and the next release where a source states it.
func (s *Server) freshnessData(c *fiber.Ctx, d *pageData) error {
	ctx, cancel := reqCtx(c)
	defer cancel()
	last, err := s.lastUpdated(ctx, d.AsOf)
	if err != nil {
		return err
	}
	never := s.msgs.T(d.Lang, "fresh.never")
	for _, ind := range s.ref.Catalogue {
		row := freshnessRow{ID: ind.ID, Name: s.eng.LocalIndicator(d.Lang, ind).Name, LastUpdated: never,
			Vintage: s.eng.VintageIn(d.Lang, ind), NextUpdate: ind.NextExpectedUpdate}
		if b := ind.NextUpdateBasis; b != "" {
			row.NextBasis = s.msgs.Optional(d.Lang, nextBasisKeys[b], b)
		}
		if t, ok := last[ind.ID]; ok {
			row.LastUpdated = t.UTC().Format(time.DateOnly)
		}
		d.Freshness = append(d.Freshness, row)
	}
	return nil
}
