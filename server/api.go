package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/valyala/fasthttp"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
)

// routes is the one route table.
func (s *Server) routes() {
	s.buildSecurityHeaders()
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
	api.Get("/roadmap", s.getRoadmap)
	api.Get("/charts/:chart", s.getChart)

	api.Get("/code/rounds", s.getRounds)
	api.Get("/provenance", s.getProvenance)
	api.Post("/observations", s.postObservations)
	api.Get("/tokens", s.getTokens)
	api.Post("/tokens", s.postToken)
	api.Delete("/tokens/:id", s.deleteToken)
	api.Get("/experiences", s.getExperiences)
	api.Post("/experiences", s.postExperience)
	api.Get("/experiences/:id", s.getExperience)
	api.Post("/experiences/:id/hide", s.postHideExperience(true))
	api.Post("/experiences/:id/unhide", s.postHideExperience(false))
	api.Get("/admin/stats", s.getStats)
	api.Post("/admin/recompute", s.postRecompute)
	api.Post("/admin/settle", s.postSettle)

	a.Get("/ws", s.serveWS())
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
		"clients": s.hub.Count(),
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
	// cacheKey is key's answer, kept when the query is memoised.
	cacheKey string
}

// key is the query's part of a cache key.
func (q dataQuery) key() string {
	if q.cacheKey != "" {
		return q.cacheKey
	}
	return strings.Join(q.countries, ",") + ":" + strconv.Itoa(q.time.From) + "-" + strconv.Itoa(q.time.To)
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
	raw := c.Request().URI().QueryString()
	q, format, ok := s.dataQueries.get(raw, s.cfg.CurrentYear())
	if !ok {
		if q, err = s.parseDataQuery(c); err != nil {
			return err
		}
		if format, err = formatParam(c); err != nil {
			return err
		}
		s.dataQueries.put(string(raw), s.cfg.CurrentYear(), q, format)
	}
	key := "data:" + ind.ID + ":" + q.key()
	if format == "csv" {
		return s.sendCSV(c, key, fmt.Sprintf("hwfdash-%s.csv", ind.ID), func(ctx context.Context) ([]byte, error) {
			res, err := s.eng.data(ctx, ind, q.countries, q.time, s.version.Load())
			if err != nil {
				return nil, err
			}
			return rowsCSV(res.Rows)
		})
	}
	if s.cachedHit(c, key, fiber.MIMEApplicationJSONCharsetUTF8) {
		return nil
	}
	return s.sendJSON(c, key, func(ctx context.Context) (any, error) {
		return s.eng.data(ctx, ind, q.countries, q.time, s.version.Load())
	})
}

// queryMemo remembers parsed data queries by their raw query string: the
// same few queries (an embed's, the explorer's defaults) arrive thousands of
// times a second, and parsing them was a third of a cached read's handler.
// Only valid queries are kept; the map is cleared when full or when the
// year changes (open time ranges end at the current year).
type queryMemo struct {
	mu   sync.RWMutex
	year int
	m    map[string]memoQuery
}

type memoQuery struct {
	q      dataQuery
	format string
}

const queryMemoMax = 4096

func (m *queryMemo) get(raw []byte, year int) (dataQuery, string, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.year != year {
		return dataQuery{}, "", false
	}
	e, ok := m.m[string(raw)]
	return e.q, e.format, ok
}

func (m *queryMemo) put(raw string, year int, q dataQuery, format string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.year != year || len(m.m) >= queryMemoMax || m.m == nil {
		m.year, m.m = year, make(map[string]memoQuery)
	}
	q.cacheKey = q.key()
	m.m[raw] = memoQuery{q, format}
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
// the request's path and query as sent (the query includes the format), so
// a write changes the ETag of exactly what it affects. The URI is taken as
// sent, not as fasthttp re-encodes it once the query has been parsed: the
// first answer to a query (which parses it) and later ones (which find it
// memoised) must carry the same ETag.
func etag(version int64, uri *fasthttp.URI) string {
	return string(appendETag(nil, version, uri.PathOriginal(), uri.QueryString()))
}

// appendETag appends etag's value to b. Every read makes one, so it is built
// without fmt or hash/fnv's allocating constructor: the hash is FNV-1a
// written out.
func appendETag(b []byte, version int64, path, query []byte) []byte {
	const offset64, prime64 = 14695981039346656037, 1099511628211
	h := uint64(offset64)
	add := func(p []byte) {
		for _, c := range p {
			h ^= uint64(c)
			h *= prime64
		}
	}
	add(path)
	if len(query) > 0 {
		add([]byte{'?'})
		add(query)
	}
	b = append(b, `W/"`...)
	b = strconv.AppendInt(b, version, 10)
	b = append(b, '-')
	b = strconv.AppendUint(b, h, 16)
	return append(b, '"')
}

var etagKey = []byte(fiber.HeaderETag)

// cachedHit answers a read from what the process already holds: a 304 when
// the client's copy is current, else the payload from the in-process cache.
// It reports whether it answered; handlers call it before building their
// computation, which most reads do not need.
func (s *Server) cachedHit(c *fiber.Ctx, key, contentType string) bool {
	v := s.versionForKey(key)
	var buf [64]byte
	uri := c.Request().URI()
	tag := appendETag(buf[:0], v, uri.PathOriginal(), uri.QueryString())
	if m := c.Request().Header.Peek(fiber.HeaderIfNoneMatch); len(m) > 0 && bytes.Contains(m, tag) {
		setHeaders(c, cacheHeaders)
		c.Response().Header.SetCanonical(etagKey, tag)
		c.Status(fiber.StatusNotModified)
		return true
	}
	body, ok := s.deps.Cache.Peek("v" + strconv.FormatInt(v, 10) + ":" + key)
	if !ok {
		return false
	}
	setHeaders(c, cacheHeaders)
	c.Set(fiber.HeaderContentType, contentType)
	c.Response().Header.SetCanonical(etagKey, tag)
	c.Response().SetBodyRaw(body)
	return true
}

// cacheHeaders are the caching headers of every computed payload.
var cacheHeaders = []header{
	{[]byte(fiber.HeaderCacheControl), []byte("public, max-age=10, stale-while-revalidate=30")},
	{[]byte(fiber.HeaderVary), []byte("Accept-Encoding")},
}

// cachedBytes serves a computed payload from the version-keyed cache, with
// ETag and Cache-Control so browsers and CDNs can reuse it. A payload held
// in process is sent without a deadline or a flight: that is most reads.
func (s *Server) cachedBytes(c *fiber.Ctx, key, contentType string, compute func(ctx context.Context) ([]byte, error)) error {
	v := s.versionForKey(key)
	tag := etag(v, c.Request().URI())
	c.Response().Header.SetCanonical(etagKey, []byte(tag)) // as cachedHit names it
	setHeaders(c, cacheHeaders)
	if match := c.Get(fiber.HeaderIfNoneMatch); match != "" && strings.Contains(match, tag) {
		return c.SendStatus(fiber.StatusNotModified)
	}
	full := "v" + strconv.FormatInt(v, 10) + ":" + key
	body, ok := s.deps.Cache.Peek(full)
	if !ok {
		ctx, cancel := reqCtx(c)
		defer cancel()
		var err error
		if body, err = s.deps.Cache.GetOrCompute(ctx, full, s.counted(compute)); err != nil {
			return err
		}
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
