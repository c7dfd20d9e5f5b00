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
	eng, version, err := s.view(c)
	if err != nil {
		return err
	}
	raw := c.Request().URI().QueryString()
	q, format, ok := s.dataQueries.get(raw, s.cfg.CurrentYear())
	if pinned := eng.AsOf() > 0; !ok || pinned {
		if q, err = s.parseDataQuery(c); err != nil {
			return err
		}
		if format, err = formatParam(c); err != nil {
			return err
		}
		// A pinned query is not memoised: fastRead answers memoised
		// queries only, from the live cache.
		if !pinned {
			s.dataQueries.put(string(raw), s.cfg.CurrentYear(), q, format)
		}
	}
	key := eng.DataKey(ind, q, format)
	if format == "csv" {
		return s.sendCSV(c, key, fmt.Sprintf("hwfdash-%s.csv", ind.ID), func(ctx context.Context) ([]byte, error) {
			res, err := eng.Data(ctx, ind, q.Countries, q.Time, version)
			if err != nil {
				return nil, err
			}
			return rowsCSV(res.Rows, res.Cited)
		})
	}
	if s.cachedHit(c, key, fiber.MIMEApplicationJSONCharsetUTF8) {
		return nil
	}
	return s.sendJSON(c, key, func(ctx context.Context) (any, error) {
		return eng.Data(ctx, ind, q.Countries, q.Time, version)
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
// (which ignore the flag and citation columns): flag is "unverified_jump"
// where the figure is an unverified jump (indicators.JumpRule), else empty;
// source is the figure's provenance as stored (a shipped figure's names the
// mirror and commit it was copied from), citation how a reader cites it
// (engine.DataResult.Cited; a submission's or an import's source as given).
var csvHeader = []string{"iso3", "country", "indicator", "year", "value", "unit", "source", "flag", "citation"}

func rowsCSV(rows []engine.DataRow, cited map[string]string) ([]byte, error) {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	_ = w.Write(csvHeader)
	for _, r := range rows {
		// Text cells through engine.CSVText (formula injection); the
		// numbers are written from numbers.
		_ = w.Write([]string{engine.CSVText(r.ISO3), engine.CSVText(r.Country), engine.CSVText(r.Indicator), strconv.Itoa(r.Year),
			strconv.FormatFloat(r.Value, 'f', -1, 64), engine.CSVText(r.Unit), engine.CSVText(r.Source), engine.CSVText(r.Flag),
			engine.CSVText(citation(cited, r.Source))})
	}
	w.Flush()
	return buf.Bytes(), w.Error()
}

// citation is how a reader cites a row's source: its citation where the
// source is a shipped series' provenance, else the source as given.
func citation(cited map[string]string, source string) string {
	if c, ok := cited[source]; ok {
		return c
	}
	return source
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
	eng, _, err := s.view(c)
	if err != nil {
		return err
	}
	return s.sendJSON(c, eng.HistoryKey(ind, iso3, year), func(ctx context.Context) (any, error) {
		revs, err := s.deps.Store.HistoryAsOf(ctx, ind.ID, iso3, year, eng.AsOf())
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
	rows, errs, err := s.parseSubmission(c)
	if err != nil {
		return err
	}
	if errs = report(append(errs, s.validate(rows, tok)...)); errs != nil {
		status := fiber.StatusBadRequest
		if allScope(errs) {
			status = fiber.StatusForbidden
		}
		return &apiError{Status: status, Message: submissionMessage(errs), Field: errs[0].Field, Rows: errs}
	}
	obs := readable(rows)
	ctx, cancel := reqCtx(c)
	defer cancel()
	res, err := s.submit(ctx, obs, tok)
	if err != nil {
		return err
	}
	return c.Status(fiber.StatusCreated).JSON(res)
}

// parseSubmission reads a submission as JSON, CSV or an Excel workbook.
func (s *Server) parseSubmission(c *fiber.Ctx) ([]submittedRow, []indicators.FieldError, error) {
	mt, body, err := s.readBody(c, fiber.MIMEApplicationJSON, "text/csv", MIMEXLSX)
	if err != nil {
		return nil, nil, err
	}
	var rows []submittedRow
	var errs []indicators.FieldError
	switch mt {
	case "text/csv":
		rows, errs = parseCSVRows(body)
	case MIMEXLSX:
		rows, errs = parseXLSXRows(body)
	default:
		rows, errs = parseJSONRows(body)
	}
	return rows, errs, nil
}

const scopeMessage = "this token may not write this country"

// validate checks every row that could be read, leaving alone the fields
// the parser refused; rows are numbered from 1.
func (s *Server) validate(rows []submittedRow, tok indicators.Token) []indicators.FieldError {
	var errs []indicators.FieldError
	allowed := map[string]bool{}
	for _, c := range tok.Countries {
		allowed[c] = true
	}
	type first struct{ row, line int }
	seen := map[indicators.Key]first{}
	for i := range rows {
		r := &rows[i]
		if r.unread {
			continue
		}
		at := func(fe indicators.FieldError) {
			fe.Row, fe.Line = r.row, r.line
			errs = append(errs, fe)
		}
		for _, fe := range indicators.ValidateObservation(r.obs, s.ref.Known, s.cfg.CurrentYear()) {
			if r.refused[fe.Field] {
				continue
			}
			if fe.Code == "unknown_country" { // the country as the clerk wrote it
				fe.Params["value"] = truncate(r.country, 40)
				fe.Message = fmt.Sprintf("unknown country %q: not a Member State of the WHO European Region", truncate(r.country, 40))
			}
			at(fe)
		}
		if r.refused["indicator"] || r.refused["iso3"] || r.refused["year"] {
			continue
		}
		if f, dup := seen[r.obs.Key()]; dup {
			fe := indicators.Problem("year", "duplicate_row", fmt.Sprintf("same indicator, country and year as row %d", f.row), "row", strconv.Itoa(f.row))
			if f.line > 0 {
				fe.Params["line"] = strconv.Itoa(f.line)
			}
			at(fe)
		} else {
			seen[r.obs.Key()] = first{r.row, r.line}
		}
		if !tok.Admin && s.ref.Known(r.obs.ISO3) && !allowed[r.obs.ISO3] {
			at(indicators.Problem("iso3", "scope", scopeMessage, "value", truncate(r.country, 40)))
		}
	}
	return errs
}

// report orders problems by row and gives each once: a parser and the
// validator may both see the same thing, and a page lists them by row.
func report(errs []indicators.FieldError) []indicators.FieldError {
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
	type key struct {
		row        int
		field, msg string
	}
	seen := map[key]bool{}
	out := errs[:0]
	for _, e := range errs {
		k := key{e.Row, e.Field, e.Message}
		if !seen[k] {
			seen[k] = true
			out = append(out, e)
		}
	}
	return out
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
	s.announce(ctx, version, obs)
	return SubmitResult{Accepted: len(obs), Version: version}, nil
}

// announce publishes a stored write (a submission, an applied import) as
// one data event naming every topic it affects, so each open page gets one
// update per topic however many rows the write has.
func (s *Server) announce(ctx context.Context, version int64, obs []indicators.Observation) {
	s.eng.MarkChanged(version, engine.IndicatorIDs(obs))
	s.advance(version)
	ev := indicators.Update{Version: version, Topics: s.eng.DataTopics(obs), Origin: s.cfg.InstanceID, Kind: "data"}
	if len(obs) <= eventRowsMax {
		ev.Payload, _ = json.Marshal(obs)
	}
	// The bus delivers the event to this instance too; a failure to reach
	// the other instances is not the writer's problem (they catch up by
	// polling the version), so it is logged, not returned.
	ev.Published = time.Now().UnixMicro()
	if err := s.deps.Bus.Publish(context.WithoutCancel(ctx), ev); err != nil {
		s.log.Warn("publish update", "err", err)
	}
}
