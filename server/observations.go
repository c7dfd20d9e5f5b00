package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
)

func (s *Server) parseDataQuery(c *fiber.Ctx) (engine.DataQuery, error) {
	countries, err := engine.ParseCountries(c.Query("countries"), s.ref.Expand)
	if err != nil {
		return engine.DataQuery{}, badParam("countries", err)
	}
	tr, err := engine.ParseTime(c.Query("time"), s.cfg.CurrentYear())
	if err != nil {
		return engine.DataQuery{}, badParam("time", err)
	}
	return engine.NewDataQuery(countries, tr), nil
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
	key := s.eng.DataKey(ind, q, format)
	if format == "csv" {
		return s.sendCSV(c, key, fmt.Sprintf("hwfdash-%s.csv", ind.ID), func(ctx context.Context) ([]byte, error) {
			res, err := s.eng.Data(ctx, ind, q.Countries, q.Time, s.version.Load())
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
		return s.eng.Data(ctx, ind, q.Countries, q.Time, s.version.Load())
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
	q      engine.DataQuery
	format string
}

const queryMemoMax = 4096

func (m *queryMemo) get(raw []byte, year int) (engine.DataQuery, string, bool) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	if m.year != year {
		return engine.DataQuery{}, "", false
	}
	e, ok := m.m[string(raw)]
	return e.q, e.format, ok
}

func (m *queryMemo) put(raw string, year int, q engine.DataQuery, format string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.year != year || len(m.m) >= queryMemoMax || m.m == nil {
		m.year, m.m = year, make(map[string]memoQuery)
	}
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

// csvHeader is the tidy CSV layout of exports, also accepted by submissions
// (which ignore the flag column): flag is "unverified_jump" where the figure
// is an unverified jump (indicators.JumpRule), else empty.
var csvHeader = []string{"iso3", "country", "indicator", "year", "value", "unit", "source", "flag"}

func rowsCSV(rows []engine.DataRow) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader)
	for _, r := range rows {
		_ = w.Write([]string{r.ISO3, r.Country, r.Indicator, strconv.Itoa(r.Year),
			strconv.FormatFloat(r.Value, 'f', -1, 64), r.Unit, r.Source, r.Flag})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

func (s *Server) getHistory(c *fiber.Ctx) error {
	ind, err := s.indicatorParam(c)
	if err != nil {
		return err
	}
	iso3 := strings.ToUpper(c.Query("iso3"))
	if !s.ref.Known(iso3) {
		return badParam("iso3", fmt.Errorf("unknown country %q", truncate(c.Query("iso3"), 20)))
	}
	year, err := engine.ParseYear(c.Query("year"), s.cfg.CurrentYear())
	if err != nil {
		return badParam("year", err)
	}
	return s.sendJSON(c, s.eng.HistoryKey(ind, iso3, year), func(ctx context.Context) (any, error) {
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

// SubmitResult is the answer to a successful submission.
type SubmitResult struct {
	Accepted int   `json:"accepted"`
	Version  int64 `json:"version"`
}

func (s *Server) postObservations(c *fiber.Ctx) error {
	tok, err := s.writer(c)
	if err != nil {
		return err
	}
	obs, errs := s.parseSubmission(c)
	if errs == nil {
		errs = s.validate(obs, tok)
	}
	if errs != nil {
		status := fiber.StatusBadRequest
		if allScope(errs) {
			status = fiber.StatusForbidden
		}
		return &apiError{Status: status, Message: submissionMessage(errs), Field: errs[0].Field, Rows: errs}
	}
	ctx, cancel := reqCtx(c)
	defer cancel()
	res, err := s.submit(ctx, obs, tok)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(res)
}

func (s *Server) parseSubmission(c *fiber.Ctx) ([]indicators.Observation, []indicators.FieldError) {
	ct := strings.ToLower(c.Get(fiber.HeaderContentType))
	switch {
	case strings.HasPrefix(ct, "text/csv"):
		return ParseSubmissionCSV(c.Body())
	case ct == "" || strings.HasPrefix(ct, "application/json"):
		return ParseSubmissionJSON(c.Body())
	default:
		return nil, []indicators.FieldError{{Field: "Content-Type", Message: "send application/json or text/csv"}}
	}
}

const scopeMessage = "this token may not write this country"

// validate checks every row; rows are numbered from 1.
func (s *Server) validate(obs []indicators.Observation, tok indicators.Token) []indicators.FieldError {
	var errs []indicators.FieldError
	allowed := map[string]bool{}
	for _, c := range tok.Countries {
		allowed[c] = true
	}
	seen := map[indicators.Key]int{}
	for i, o := range obs {
		row := i + 1
		for _, fe := range indicators.ValidateObservation(o, s.ref.Known, s.cfg.CurrentYear()) {
			fe.Row = row
			errs = append(errs, fe)
		}
		if first, dup := seen[o.Key()]; dup {
			errs = append(errs, indicators.FieldError{Row: row, Field: "year",
				Message: fmt.Sprintf("same indicator, country and year as row %d", first)})
		}
		seen[o.Key()] = row
		if !tok.Admin && s.ref.Known(o.ISO3) && !allowed[o.ISO3] {
			errs = append(errs, indicators.FieldError{Row: row, Field: "iso3", Message: scopeMessage})
		}
	}
	return errs
}

// allScope says whether the only problem is the token's scope, which is a
// 403 rather than a 400.
func allScope(errs []indicators.FieldError) bool {
	for _, e := range errs {
		if e.Message != scopeMessage {
			return false
		}
	}
	return true
}

func submissionMessage(errs []indicators.FieldError) string {
	if len(errs) == 1 {
		e := errs[0]
		if e.Row > 0 {
			return fmt.Sprintf("row %d: %s: %s; nothing was stored", e.Row, e.Field, e.Message)
		}
		return fmt.Sprintf("%s: %s; nothing was stored", e.Field, e.Message)
	}
	return fmt.Sprintf("%d problems in the submission; nothing was stored", len(errs))
}

// submit stores validated observations as one all-or-nothing revision set
// and announces the change on the bus.
func (s *Server) submit(ctx context.Context, obs []indicators.Observation, tok indicators.Token) (SubmitResult, error) {
	version, err := s.deps.Store.Append(ctx, obs, tok.Label)
	if err != nil {
		return SubmitResult{}, fmt.Errorf("server: store submission: %w", err)
	}
	s.log.Info("observations stored", "rows", len(obs), "version", version, "token", tok.ID)
	s.eng.MarkChanged(version, engine.IndicatorIDs(obs))
	s.advance(version)
	ev := indicators.Update{Version: version, Topics: s.eng.DataTopics(obs), Origin: s.cfg.InstanceID, Kind: "data"}
	if len(obs) <= eventRowsMax {
		ev.Payload, _ = json.Marshal(obs)
	}
	// The bus delivers the event to this instance too; a failure to reach
	// the other instances is not the submitter's problem (they catch up by
	// polling the version), so it is logged, not returned.
	ev.Published = time.Now().UnixMicro()
	if err := s.deps.Bus.Publish(context.WithoutCancel(ctx), ev); err != nil {
		s.log.Warn("publish update", "err", err)
	}
	return SubmitResult{Accepted: len(obs), Version: version}, nil
}
