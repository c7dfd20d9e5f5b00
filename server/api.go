package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
)

// routes is the one route table.
func (s *Server) routes() {
	a := s.app
	a.Use(s.securityHeaders)
	a.Get("/healthz", s.getHealth)
	a.Get("/readyz", s.getReady)

	api := a.Group("/api/v1", s.corsReads)
	api.Get("/version", s.getVersion)
	api.Get("/countries", s.getCountries)
	api.Get("/countries/:iso3/summary", s.getSummary)
	api.Get("/indicators", s.getIndicators)
	api.Get("/indicators/:id", s.getIndicator)
	api.Get("/indicators/:id/data", s.getData)
	api.Get("/indicators/:id/regional", s.getRegional)
	api.Get("/indicators/:id/history", s.getHistory)
	api.Get("/milestones", s.getMilestones)
	api.Get("/charts/:chart", s.getChart)

	api.Get("/code/rounds", s.getRounds)
	api.Get("/provenance", s.getProvenance)
	api.Post("/observations", s.postObservations)
	api.Get("/tokens", s.getTokens)
	api.Post("/tokens", s.postToken)
	api.Delete("/tokens/:id", s.deleteToken)
	api.Get("/admin/stats", s.getStats)

	a.Get("/ws", s.hub.handler())
	s.pageRoutes()
}

// requestTimeout bounds the work of one request, so a stalled store cannot
// hold a connection forever.
const requestTimeout = 10 * time.Second

func reqCtx(c *fiber.Ctx) (context.Context, context.CancelFunc) {
	return context.WithTimeout(c.UserContext(), requestTimeout)
}

func (s *Server) getHealth(c *fiber.Ctx) error {
	return c.JSON(fiber.Map{"status": "ok"})
}

func (s *Server) getReady(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(c.UserContext(), 2*time.Second)
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
		"clients": s.hub.count(),
	})
}

func (s *Server) getVersion(c *fiber.Ctx) error {
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{"version": s.version.Load()})
}

func (s *Server) getCountries(c *fiber.Ctx) error {
	return s.sendJSON(c, "countries", func(context.Context) (any, error) {
		return fiber.Map{"countries": s.ref.Countries, "groups": s.ref.groupNames}, nil
	})
}

func (s *Server) indicatorParam(c *fiber.Ctx) (indicators.Indicator, error) {
	id := c.Params("id")
	ind, ok := s.ref.byID[id]
	if !ok {
		return ind, notFound("id", "unknown indicator %q", truncate(id, 60))
	}
	return ind, nil
}

func (s *Server) getIndicators(c *fiber.Ctx) error {
	return s.sendJSON(c, "indicators", func(context.Context) (any, error) {
		return fiber.Map{"indicators": s.ref.catalogue}, nil
	})
}

func (s *Server) getIndicator(c *fiber.Ctx) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, "indicator:"+ind.ID, func(context.Context) (any, error) {
		ms := s.ref.measured(ind.ID)
		if ms == nil {
			ms = []indicators.Milestone{}
		}
		return fiber.Map{"indicator": ind, "milestones": ms}, nil
	})
}

// dataQuery is the parsed query of the data endpoints.
type dataQuery struct {
	countries []string
	time      TimeRange
}

func (s *Server) parseDataQuery(c *fiber.Ctx) (dataQuery, error) {
	var q dataQuery
	var err error
	if q.countries, err = ParseCountries(c.Query("countries"), s.ref.expand); err != nil {
		return q, badParam("countries", err)
	}
	if q.time, err = ParseTime(c.Query("time"), s.cfg.CurrentYear()); err != nil {
		return q, badParam("time", err)
	}
	return q, nil
}

func (s *Server) getData(c *fiber.Ctx) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	q, err := s.parseDataQuery(c)
	if err != nil {
		return err
	}
	format, err := formatParam(c)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("data:%s:%s:%d-%d", ind.ID, strings.Join(q.countries, ","), q.time.From, q.time.To)
	if format == "csv" {
		return s.sendCSV(c, key, fmt.Sprintf("hwfdash-%s.csv", ind.ID), func(ctx context.Context) ([]byte, error) {
			res, err := s.eng.data(ctx, ind, q.countries, q.time, s.version.Load())
			if err != nil {
				return nil, err
			}
			return rowsCSV(res.Rows)
		})
	}
	return s.sendJSON(c, key, func(ctx context.Context) (any, error) {
		return s.eng.data(ctx, ind, q.countries, q.time, s.version.Load())
	})
}

func formatParam(c *fiber.Ctx) (string, error) {
	switch f := c.Query("format"); f {
	case "", "json":
		return "json", nil
	case "csv":
		return "csv", nil
	default:
		return "", badParam("format", fmt.Errorf("%q is not json or csv", truncate(f, 20)))
	}
}

// csvHeader is the tidy CSV layout of exports, also accepted by submissions.
var csvHeader = []string{"iso3", "country", "indicator", "year", "value", "unit", "source"}

func rowsCSV(rows []DataRow) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader)
	for _, r := range rows {
		_ = w.Write([]string{r.ISO3, r.Country, r.Indicator, strconv.Itoa(r.Year),
			strconv.FormatFloat(r.Value, 'f', -1, 64), r.Unit, r.Source})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func (s *Server) getRegional(c *fiber.Ctx) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	year := 0
	if y := c.Query("year"); y != "" {
		if year, err = ParseYear(y, s.cfg.CurrentYear()); err != nil {
			return badParam("year", err)
		}
	}
	return s.sendJSON(c, fmt.Sprintf("regional:%s:%d", ind.ID, year), func(ctx context.Context) (any, error) {
		return s.eng.regional(ctx, ind, year, s.version.Load())
	})
}

func (s *Server) getMilestones(c *fiber.Ctx) error {
	return s.sendJSON(c, "milestones", func(ctx context.Context) (any, error) {
		return s.eng.milestones(ctx, s.version.Load())
	})
}

func (s *Server) getSummary(c *fiber.Ctx) error {
	iso3 := strings.ToUpper(c.Params("iso3"))
	if !s.ref.known(iso3) {
		return notFound("iso3", "unknown country %q: not a Member State of the WHO European Region", truncate(c.Params("iso3"), 20))
	}
	lang := "en"
	if l := c.Query("lang"); l != "" {
		if lang = public.Negotiate(l, ""); lang != strings.ToLower(l) {
			return badParam("lang", fmt.Errorf("%q: use one of %s", truncate(l, 10), strings.Join(public.Languages(), ", ")))
		}
	}
	return s.sendJSON(c, "summary:"+iso3+":"+lang, func(ctx context.Context) (any, error) {
		res, err := s.eng.summary(ctx, iso3, s.version.Load())
		if err != nil || lang == "en" {
			return res, err
		}
		res.Country.Name = s.msgs.Country(lang, iso3, res.Country.Name)
		for i := range res.Items {
			res.Items[i].Indicator = s.localIndicator(lang, res.Items[i].Indicator)
		}
		return res, nil
	})
}

func (s *Server) getRounds(c *fiber.Ctx) error {
	return s.sendJSON(c, "rounds", func(ctx context.Context) (any, error) {
		return s.eng.rounds(ctx, s.version.Load())
	})
}

func (s *Server) getProvenance(c *fiber.Ctx) error {
	c.Set(fiber.HeaderContentType, "text/markdown; charset=utf-8")
	c.Set(fiber.HeaderCacheControl, "public, max-age=3600")
	return c.Send(s.ref.Provenance)
}

func (s *Server) getHistory(c *fiber.Ctx) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	iso3 := strings.ToUpper(c.Query("iso3"))
	if !s.ref.known(iso3) {
		return badParam("iso3", fmt.Errorf("unknown country %q", truncate(c.Query("iso3"), 20)))
	}
	year, err := ParseYear(c.Query("year"), s.cfg.CurrentYear())
	if err != nil {
		return badParam("year", err)
	}
	return s.sendJSON(c, fmt.Sprintf("history:%s:%s:%d", ind.ID, iso3, year), func(ctx context.Context) (any, error) {
		revs, err := s.deps.Store.History(ctx, ind.ID, iso3, year)
		if err != nil {
			return nil, err
		}
		if revs == nil {
			revs = []indicators.Observation{}
		}
		return fiber.Map{"indicator": ind.ID, "iso3": iso3, "year": year, "revisions": revs}, nil
	})
}

// etag names a representation: the version of the data it depends on and
// the request URI (which includes the format), so a write changes the ETag
// of exactly what it affects.
func etag(version int64, uri string) string {
	h := fnv.New64a()
	_, _ = h.Write([]byte(uri))
	return fmt.Sprintf(`W/"%d-%x"`, version, h.Sum64())
}

// cachedBytes serves a computed payload from the version-keyed cache, with
// ETag and Cache-Control so browsers and CDNs can reuse it.
func (s *Server) cachedBytes(c *fiber.Ctx, key, contentType string, compute func(ctx context.Context) ([]byte, error)) error {
	v := s.versionForKey(key)
	tag := etag(v, c.OriginalURL())
	c.Set(fiber.HeaderETag, tag)
	c.Set(fiber.HeaderCacheControl, "public, max-age=10, stale-while-revalidate=30")
	c.Set(fiber.HeaderVary, "Accept-Encoding")
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && strings.Contains(match, tag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	body, err := s.deps.Cache.GetOrCompute(ctx, fmt.Sprintf("v%d:%s", v, key), compute)
	if err != nil {
		return err
	}
	c.Set(fiber.HeaderContentType, contentType)
	return c.Send(body)
}

func (s *Server) sendJSON(c *fiber.Ctx, key string, compute func(ctx context.Context) (any, error)) error {
	return s.cachedBytes(c, key, fiber.MIMEApplicationJSONCharsetUTF8, func(ctx context.Context) ([]byte, error) {
		v, err := compute(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
}

func (s *Server) sendCSV(c *fiber.Ctx, key, filename string, compute func(ctx context.Context) ([]byte, error)) error {
	c.Set(fiber.HeaderContentDisposition, fmt.Sprintf(`attachment; filename=%q`, filename))
	return s.cachedBytes(c, key+":csv", "text/csv; charset=utf-8", compute)
}

// RoundResult is one reporting round of the Code's National Reporting
// Instrument: the counts cited in public sources and the submissions
// received by hwfdash.
type RoundResult struct {
	Round int `json:"round"`
	Year  int `json:"reporting_year"`
	// Reported lists the Member States with a national report recorded
	// for the round (code_nri_report = 1), NotReported those recorded as 0;
	// the rest have no answer yet.
	Reported    []string               `json:"reported"`
	NotReported []string               `json:"not_reported"`
	Members     int                    `json:"members"`
	Cited       []indicators.RoundFact `json:"cited"`
}

func (e *engine) rounds(ctx context.Context, version int64) (fiber.Map, error) {
	obs, err := e.series(ctx, e.ref.byID["code_nri_report"], nil, TimeRange{})
	if err != nil {
		return nil, err
	}
	out := []RoundResult{}
	for _, r := range indicators.NRIRounds() {
		rr := RoundResult{Round: r.Number, Year: r.Year, Reported: []string{}, NotReported: []string{},
			Members: len(e.ref.Countries), Cited: []indicators.RoundFact{}}
		for _, o := range obs {
			if o.Year != r.Year {
				continue
			}
			if o.Value == 1 {
				rr.Reported = append(rr.Reported, o.ISO3)
			} else {
				rr.NotReported = append(rr.NotReported, o.ISO3)
			}
		}
		for _, f := range e.ref.Rounds {
			if f.Round == r.Number {
				rr.Cited = append(rr.Cited, f)
			}
		}
		sort.Strings(rr.Reported)
		sort.Strings(rr.NotReported)
		out = append(out, rr)
	}
	return fiber.Map{"version": version, "rounds": out}, nil
}
