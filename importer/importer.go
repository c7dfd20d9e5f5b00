// Package importer reads publishers' own export formats — WHO GHO OData
// JSON, World Bank API v2 JSON, SDMX-CSV 1.0/2.0 (OECD Data Explorer,
// Eurostat) and Eurostat JSON-stat 2.0 — and maps their rows to the
// catalogue's indicators through a small mapping file per dataset. A parse
// never guesses: a row it cannot map is rejected with the field named, a row
// outside the WHO European Region is ignored and counted. Diff compares the
// result with the store, and Apply writes it as one revision.
//
// The flow the CLI and an admin page share:
//
//	res, err := importer.Parse(ctx, file, importer.Options{Format: f, Mapping: m, Countries: cs})
//	plan, err := importer.Diff(ctx, db, res)
//	rev, err := importer.Apply(ctx, db, plan, importer.ApplyOptions{Author: "admin"})
package importer

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/hwfdash/hwfdash/indicators"
)

// Format is a publisher's file format.
type Format string

// The formats the importer reads.
const (
	FormatGHO       Format = "gho"
	FormatWorldBank Format = "worldbank"
	FormatSDMXCSV   Format = "sdmx-csv"
	FormatJSONStat  Format = "jsonstat"
)

// Formats lists the formats, in the order the CLI names them.
func Formats() []Format { return []Format{FormatGHO, FormatWorldBank, FormatSDMXCSV, FormatJSONStat} }

// ParseFormat checks a format name.
func ParseFormat(s string) (Format, error) {
	for _, f := range Formats() {
		if string(f) == s {
			return f, nil
		}
	}
	return "", fmt.Errorf("format: %q is not one of gho, worldbank, sdmx-csv, jsonstat", s)
}

// Fields names a format's fields, so that a problem names the field as the
// publisher spells it.
type Fields struct {
	Area, Period, Value, Unit, Flag string
}

// Record is one row as a reader found it, before mapping: values are kept as
// written.
type Record struct {
	// Line is the file's line (CSV) or the row's 1-based position in the
	// data array (JSON).
	Line int
	// Dataset is the file's dataset id where the format carries one
	// (DATAFLOW, STRUCTURE_ID, the JSON-stat extension's id).
	Dataset string
	// Series is the values of the mapping's series fields, joined by ".".
	Series                          string
	Area, Period, Value, Unit, Flag string
	Comment                         string
	// Vintage is the publisher's date of this row or file, where it gives
	// one.
	Vintage string
	// Ignore, when set (its Code), says why the reader skips the row (a
	// GHO region).
	Ignore Why
	// Problem, when set, is why the reader could not read the row.
	Problem *Problem
	// Fields, when set, names this file's fields where they differ from the
	// format's usual names (geo and OBS_FLAG in Eurostat's SDMX-CSV).
	Fields *Fields
}

// Problem is a rejected row: the line, the field as the publisher names it,
// the value found and what is wrong with it.
type Problem struct {
	Line    int    `json:"line"`
	Field   string `json:"field"`
	Value   string `json:"value,omitempty"`
	Message string `json:"message"`
	// Code names the problem (ProblemCodes) for the pages, which say it in
	// the reader's language with Params and Value; Message is the English.
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
}

func (p Problem) Error() string {
	if p.Value != "" {
		return fmt.Sprintf("line %d: %s %q: %s", p.Line, p.Field, clip(p.Value), p.Message)
	}
	return fmt.Sprintf("line %d: %s: %s", p.Line, p.Field, p.Message)
}

// Ignored counts skipped rows by reason and area code.
type Ignored struct {
	Reason string `json:"reason"`
	// Code names the reason (WhyCodes) for the pages, as a Problem's does.
	Code   string            `json:"code"`
	Params map[string]string `json:"params,omitempty"`
	Area   string            `json:"area"`
	Rows   int               `json:"rows"`
}

// Result is a parsed file: accepted observations (in file order), the rows
// ignored and rejected, and what identifies the file.
type Result struct {
	Format  Format `json:"format"`
	Mapping string `json:"mapping"`
	// Source is the mapping's source; Vintage the publisher's date (the
	// newest in the file) or, where it gives none, "accessed <date>".
	Source       string                   `json:"source"`
	Vintage      string                   `json:"vintage"`
	File         string                   `json:"file"`
	SHA256       string                   `json:"sha256"`
	Rows         int                      `json:"rows"`
	Observations []indicators.Observation `json:"-"`
	// Lines holds each observation's line, for the diff's detail.
	Lines    []int     `json:"-"`
	Ignored  []Ignored `json:"ignored"`
	Rejected []Problem `json:"rejected"`
}

// IgnoredRows is the number of ignored rows.
func (r *Result) IgnoredRows() int {
	n := 0
	for _, ig := range r.Ignored {
		n += ig.Rows
	}
	return n
}

// Options configure Parse.
type Options struct {
	Format Format
	// Mapping maps the file's series; nil picks the embedded mapping for the
	// format (and, for SDMX-CSV and JSON-stat, the file's dataset).
	Mapping *Mapping
	// Countries are the Member States; rows for any other area are ignored.
	Countries []indicators.Country
	// File is the name recorded in the revision.
	File string
	// Vintage overrides the date found in the file; Now gives the access
	// date where neither exists (time.Now when zero).
	Vintage string
	Now     time.Time
	// Progress, when set, is called with the rows read so far every
	// ProgressEvery rows (an admin page's progress bar).
	Progress func(rows int)
}

// ProgressEvery is how often Parse reports progress, in rows.
const ProgressEvery = 1024

// MaxProblems bounds the rejected rows a Result lists; the rest are counted
// in a last problem, so a wrong file cannot fill memory with errors.
const MaxProblems = 1000

// reader streams a file's rows to emit. It calls pick once, with the
// file's dataset id where the format has one ("" otherwise), before its
// first row: pick returns the mapping whose series fields the reader reads.
type reader func(r io.Reader, pick func(dataset string) (*Mapping, error), emit func(Record) error) error

func readerFor(f Format) (reader, Fields) {
	switch f {
	case FormatGHO:
		return readGHO, ghoFields
	case FormatWorldBank:
		return readWorldBank, worldBankFields
	case FormatSDMXCSV:
		return readSDMXCSV, sdmxFields
	default:
		return readJSONStat, jsonStatFields
	}
}

// Parse reads one file. An error means the file as a whole could not be
// read (not the format, cut short, no mapping): nothing of it may be
// applied. Row problems are in Result.Rejected.
func Parse(ctx context.Context, r io.Reader, opt Options) (*Result, error) {
	if _, err := ParseFormat(string(opt.Format)); err != nil {
		return nil, fmt.Errorf("importer: %w", err)
	}
	if len(opt.Countries) == 0 {
		return nil, errors.New("importer: no Member States given")
	}
	if opt.Now.IsZero() {
		opt.Now = time.Now()
	}
	read, fields := readerFor(opt.Format)
	h := sha256.New()
	p := &mapper{opt: opt, fields: fields, areas: newAreas(opt.Countries), seen: map[seenKey]int{},
		res: &Result{Format: opt.Format, File: opt.File}, ignored: map[ignoredKey]int{}}
	pick := func(dataset string) (*Mapping, error) {
		m := opt.Mapping
		if m == nil {
			var err error
			if m, err = DefaultMapping(opt.Format, dataset); err != nil {
				return nil, err
			}
		}
		if !m.reads(opt.Format, dataset) {
			return nil, fmt.Errorf("mapping %s reads %s files of %s, not a %s file of %q",
				m.Name, strings.Join(formatNames(m.Formats), "/"), strings.Join(m.Datasets, ", "), opt.Format, dataset)
		}
		p.setMapping(m)
		return m, nil
	}
	err := read(io.TeeReader(r, h), pick, func(rec Record) error {
		if p.res.Rows%ProgressEvery == 0 && p.res.Rows > 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
			if opt.Progress != nil {
				opt.Progress(p.res.Rows)
			}
		}
		p.add(rec)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("importer: %s: %w", opt.Format, err)
	}
	if p.m == nil {
		if _, err := pick(""); err != nil {
			return nil, fmt.Errorf("importer: %w", err)
		}
	}
	// Read what a reader left unread (trailing whitespace), so the hash is
	// the whole file's.
	if _, err := io.Copy(h, r); err != nil {
		return nil, fmt.Errorf("importer: %w", err)
	}
	p.finish()
	res := p.res
	res.SHA256 = hex.EncodeToString(h.Sum(nil))
	switch {
	case opt.Vintage != "":
		res.Vintage = opt.Vintage
	case p.vintage != "":
		res.Vintage = p.vintage
	default:
		res.Vintage = "accessed " + opt.Now.UTC().Format(time.DateOnly)
	}
	for i := range res.Observations {
		o := &res.Observations[i]
		o.Source = fmt.Sprintf("%s, %s (%s)", res.Source, o.Source, res.Vintage)
	}
	return res, nil
}

func formatNames(fs []Format) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

type seenKey struct {
	indicator, iso3 string
	year            int
	region          string
}

// mapper turns records into observations with one mapping.
type mapper struct {
	opt     Options
	fields  Fields
	m       *Mapping
	areas   areas
	res     *Result
	seen    map[seenKey]int // first line of each key, for duplicates
	ignored map[ignoredKey]int
	agg     map[aggKey]*aggState
	tainted map[aggKey]bool
	vintage string
	// dropped counts problems beyond MaxProblems.
	dropped int
}

func (p *mapper) setMapping(m *Mapping) {
	p.m = m
	p.res.Mapping, p.res.Source = m.Name, m.Source
}

func (p *mapper) reject(pr *Problem) {
	if len(p.res.Rejected) >= MaxProblems {
		p.dropped++
		return
	}
	p.res.Rejected = append(p.res.Rejected, *pr)
}

// ignoredKey counts the rows ignored for one reason in one area.
type ignoredKey struct {
	why  Why
	area string
}

func (p *mapper) ignore(why Why, area string) { p.ignored[ignoredKey{why, area}]++ }

func (p *mapper) add(rec Record) {
	p.res.Rows++
	if rec.Problem != nil {
		p.reject(rec.Problem)
		return
	}
	if rec.Ignore.Code != "" {
		p.ignore(rec.Ignore, rec.Area)
		return
	}
	if rec.Vintage > p.vintage {
		p.vintage = rec.Vintage
	}
	m, f := p.m, p.fields
	if rec.Fields != nil {
		f = *rec.Fields
	}
	series, ok := m.Series[rec.Series]
	if !ok {
		if m.Skip[rec.Series] {
			p.ignore(whySeriesSkipped(rec.Series), "")
			return
		}
		p.reject(problem(rec.Line, strings.Join(m.SeriesFields, "."), rec.Series, "unknown_series",
			fmt.Sprintf("unknown series code: the mapping %s does not map it", m.Name), "mapping", m.Name))
		return
	}
	iso3, region, why := p.areas.resolve(m.Areas, rec.Area)
	switch why {
	case Why{}:
	case areaUnknown:
		p.reject(problem(rec.Line, f.Area, rec.Area, areaUnknown.Code, areaUnknown.Text))
		return
	default:
		p.ignore(why, rec.Area)
		return
	}
	year, err := parseYear(rec.Period)
	if err != nil {
		p.reject(problem(rec.Line, f.Period, rec.Period, "not_annual", "not an annual period (YYYY)"))
		return
	}
	if year < indicators.MinYear || year > p.opt.Now.Year() {
		lo, hi := strconv.Itoa(indicators.MinYear), strconv.Itoa(p.opt.Now.Year())
		p.reject(problem(rec.Line, f.Period, rec.Period, "year_range", "not a year between "+lo+" and "+hi, "min", lo, "max", hi))
		return
	}
	// From here the row has a country-year: a rejected regional row spoils
	// its country-year's ratio, which is then not computed.
	fail := func(pr *Problem) {
		p.reject(pr)
		if series.Aggregate != "" {
			if p.tainted == nil {
				p.tainted = map[aggKey]bool{}
			}
			p.tainted[aggKey{series.Indicator, iso3, year}] = true
		}
	}
	if strings.TrimSpace(rec.Value) == "" {
		p.ignore(whyNoValue, rec.Area)
		return
	}
	v, err := parseNumber(rec.Value)
	if err != nil {
		fail(problem(rec.Line, f.Value, rec.Value, "not_number", "not a number"))
		return
	}
	if series.Unit != "" && rec.Unit != series.Unit {
		fail(problem(rec.Line, f.Unit, rec.Unit, "unit_mismatch",
			fmt.Sprintf("unit mismatch: the mapping %s expects %s for %s", m.Name, series.Unit, rec.Series),
			"mapping", m.Name, "unit", series.Unit, "series", rec.Series))
		return
	}
	fl, bad := m.flags(rec.Flag)
	if bad != "" {
		fail(problem(rec.Line, f.Flag, rec.Flag, "unknown_flag",
			fmt.Sprintf("flag %q is not in the mapping %s", bad, m.Name), "flag", bad, "mapping", m.Name))
		return
	}
	fl.add(m.commentFlags(rec.Comment))
	// The key keeps the mapping's and the Member States' strings and a copy
	// of the region's: nothing of the reader's line stays referenced.
	key := seenKey{series.Indicator, iso3, year, strings.Clone(region)}
	if first, dup := p.seen[key]; dup {
		fail(problem(rec.Line, f.Period, rec.Period, "duplicate_key",
			fmt.Sprintf("duplicate key: %s %s %d already on line %d", series.Indicator, rec.Area, year, first),
			"indicator", series.Indicator, "area", rec.Area, "year", strconv.Itoa(year), "line", strconv.Itoa(first)))
		return
	}
	p.seen[key] = rec.Line
	if series.Aggregate != "" {
		p.aggregate(rec, series, iso3, year, v, fl)
		return
	}
	if pr := outOfRange(rec.Line, f.Value, rec.Value, series.Indicator, v); pr != nil {
		p.reject(pr)
		return
	}
	p.res.Observations = append(p.res.Observations, indicators.Observation{
		Indicator: series.Indicator, ISO3: iso3, Year: year, Value: v, Source: rec.Series,
		Break: fl.brk, Estimate: fl.est, Note: fl.note(),
	})
	p.res.Lines = append(p.res.Lines, rec.Line)
}

func (p *mapper) finish() {
	p.finishAggregates()
	for k, n := range p.ignored {
		p.res.Ignored = append(p.res.Ignored, Ignored{Reason: k.why.Text, Code: k.why.Code, Params: k.why.params(), Area: k.area, Rows: n})
	}
	sortIgnored(p.res.Ignored)
	if p.dropped > 0 {
		n := strconv.Itoa(p.dropped)
		p.res.Rejected = append(p.res.Rejected, *problem(0, "file", "", "more_rejected", n+" more rejected rows not listed", "count", n))
	}
}

// outOfRange checks v against the indicator's valid range.
// outOfRange is the problem of a value its indicator cannot take, or nil.
func outOfRange(line int, field, value, id string, v float64) *Problem {
	ind, _ := indicators.Lookup(id)
	lo, hi := ind.ValidRange()
	if ind.Kind == indicators.KindYesNo && v != 0 && v != 1 {
		return problem(line, field, value, "yes_no", fmt.Sprintf("%g: %s takes 0 or 1", v, id), "indicator", id)
	}
	if (lo != nil && v < *lo) || (hi != nil && v > *hi) {
		r := rangeText(lo, hi)
		return problem(line, field, value, "value_range", fmt.Sprintf("%g is outside the valid range of %s (%s)", v, id, r),
			"indicator", id, "range", r)
	}
	return nil
}

func rangeText(lo, hi *float64) string {
	switch {
	case lo != nil && hi != nil:
		return fmt.Sprintf("%g..%g", *lo, *hi)
	case lo != nil:
		return fmt.Sprintf(">= %g", *lo)
	default:
		return fmt.Sprintf("<= %g", *hi)
	}
}

func parseYear(s string) (int, error) {
	if len(s) != 4 {
		return 0, errors.New("not a year")
	}
	return strconv.Atoi(s)
}

// parseNumber accepts finite decimal numbers only (ParseFloat alone would
// also take "NaN", "Inf" and hex floats).
func parseNumber(s string) (float64, error) {
	s = strings.TrimSpace(s)
	if s == "" || strings.ContainsAny(s, "xXpPnNiI_") {
		return 0, errors.New("not a decimal number")
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, errors.New("not a finite number")
	}
	return v, nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "…"
	}
	return s
}
