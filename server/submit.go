package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

// MaxSubmissionRows bounds the rows of one submission.
const MaxSubmissionRows = 10000

// submittedRow is one row of a submission before validation: the
// observation as far as it could be read, where the clerk sees the row, and
// the fields the parser refused, which validation then leaves alone so that
// a problem is reported once and a value error hides nothing else.
type submittedRow struct {
	obs     indicators.Observation
	row     int    // 1 for the first row after the header (or of the JSON array)
	line    int    // line of the CSV or row of the sheet, counting the header; 0 for JSON
	country string // the country code as written
	refused map[string]bool
	unread  bool // the row as a whole could not be read (wrong field count)
}

// problem places fe on the row and marks its field refused.
func (r *submittedRow) problem(fe indicators.FieldError) indicators.FieldError {
	fe.Row, fe.Line = r.row, r.line
	if r.refused == nil {
		r.refused = map[string]bool{}
	}
	r.refused[fe.Field] = true
	return fe
}

// bodyProblem is a problem with the submission as a whole (row 0).
func bodyProblem(field, code, message string, params ...string) []indicators.FieldError {
	return []indicators.FieldError{indicators.Problem(field, code, message, params...)}
}

// readable keeps the observations of rows without a parse problem.
func readable(rows []submittedRow) []indicators.Observation {
	var out []indicators.Observation
	for _, r := range rows {
		if !r.unread && len(r.refused) == 0 {
			out = append(out, r.obs)
		}
	}
	return out
}

// ParseSubmissionJSON parses a JSON submission: an array of rows (or one
// row object). Every problem is reported with its 1-based row and field;
// rows with problems are left out of the result.
func ParseSubmissionJSON(body []byte) ([]indicators.Observation, []indicators.FieldError) {
	rows, errs := parseJSONRows(body)
	return readable(rows), errs
}

// ParseSubmissionCSV parses a CSV submission (see parseCSVRows); rows with
// problems are left out of the result.
func ParseSubmissionCSV(body []byte) ([]indicators.Observation, []indicators.FieldError) {
	rows, errs := parseCSVRows(body)
	return readable(rows), errs
}

func parseJSONRows(body []byte) ([]submittedRow, []indicators.FieldError) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, bodyProblem("body", "empty_body", "empty body: send a JSON array of observations")
	}
	malformed := func(err error) []indicators.FieldError {
		return bodyProblem("body", "malformed_json", "malformed JSON: "+jsonErr(err), "detail", jsonErr(err))
	}
	var raws []json.RawMessage
	if body[0] == '{' {
		var one json.RawMessage
		if err := decodeOneJSON(body, &one, false); err != nil {
			return nil, malformed(err)
		}
		raws = []json.RawMessage{one}
	} else if err := decodeOneJSON(body, &raws, false); err != nil {
		return nil, malformed(err)
	}
	if len(raws) == 0 {
		return nil, bodyProblem("body", "no_rows", "no observations in the array")
	}
	if len(raws) > MaxSubmissionRows {
		return nil, bodyProblem("body", "too_many_rows", fmt.Sprintf("%d rows: at most %d per request", len(raws), MaxSubmissionRows),
			"max", strconv.Itoa(MaxSubmissionRows))
	}
	rows := make([]submittedRow, 0, len(raws))
	var errs []indicators.FieldError
	for i, raw := range raws {
		r, rowErrs := jsonRow(i+1, raw)
		rows = append(rows, r)
		errs = append(errs, rowErrs...)
	}
	return rows, errs
}

// jsonFields are the keys of a JSON row; country and unit are accepted and
// ignored (exports carry them).
var jsonFields = map[string]bool{"indicator": true, "iso3": true, "year": true, "value": true, "source": true, "note": true, "country": true, "unit": true}

// jsonRow reads one JSON row field by field, so that every problem of the
// row is reported, not the first the decoder meets.
func jsonRow(row int, raw json.RawMessage) (submittedRow, []indicators.FieldError) {
	r := submittedRow{row: row}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		r.unread = true
		return r, []indicators.FieldError{r.problem(indicators.Problem("row", "not_object", "a row must be a JSON object"))}
	}
	var errs []indicators.FieldError
	names := make([]string, 0, len(fields))
	for name := range fields {
		names = append(names, name)
	}
	sort.Strings(names) // problems in the same order every time
	for _, name := range names {
		if !jsonFields[name] {
			field := truncate(name, 40)
			if strings.TrimSpace(field) == "" {
				field = "row"
			}
			errs = append(errs, r.problem(indicators.Problem(field, "unknown_field",
				"unknown field: expected indicator, iso3, year, value, source, note", "name", truncate(name, 40))))
		}
	}
	text := func(name string) (string, bool) {
		v, ok := fields[name]
		if !ok {
			return "", false
		}
		var s string
		if err := json.Unmarshal(v, &s); err != nil {
			errs = append(errs, r.problem(indicators.Problem(name, "json_type", name+" must be a string", "type", "string")))
			return "", false
		}
		return s, true
	}
	value := func(name string) (string, bool) {
		v, ok := fields[name]
		if !ok || string(v) == "null" {
			return "", false
		}
		return string(v), true
	}
	for _, name := range []string{"country", "unit"} {
		text(name)
	}
	r.fill(text, value, &errs)
	return r, errs
}

// fill reads the fields of a row through text (strings as written) and
// value (numbers as plain decimals). A field they report as absent is
// missing unless they refused it already.
func (r *submittedRow) fill(text, value func(string) (string, bool), errs *[]indicators.FieldError) {
	missing := func(field string) {
		if !r.refused[field] {
			*errs = append(*errs, r.problem(indicators.Problem(field, "missing", "missing")))
		}
	}
	if s, ok := text("indicator"); ok {
		r.obs.Indicator = strings.TrimSpace(s)
	} else {
		missing("indicator")
	}
	if s, ok := text("iso3"); ok {
		r.country = strings.TrimSpace(s)
		r.obs.ISO3 = strings.ToUpper(r.country)
	} else {
		missing("iso3")
	}
	if s, ok := value("year"); !ok {
		missing("year")
	} else if y, err := strconv.Atoi(strings.TrimSpace(s)); err != nil {
		*errs = append(*errs, r.problem(indicators.Problem("year", "not_year", fmt.Sprintf("%s is not a whole year", truncate(s, 20)), "value", truncate(s, 20))))
	} else {
		r.obs.Year = y
	}
	if s, ok := value("value"); !ok {
		missing("value")
	} else if v, err := parseValue(s); err != nil {
		*errs = append(*errs, r.problem(indicators.Problem("value", "not_number", err.Error(), "value", truncate(s, 30))))
	} else {
		r.obs.Value = v
	}
	if s, ok := text("source"); ok {
		r.obs.Source = strings.TrimSpace(s)
	} else {
		missing("source")
	}
	if s, ok := text("note"); ok {
		r.obs.Note = strings.TrimSpace(s)
	}
}

func parseValue(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number: write digits such as 12.5", truncate(s, 30))
	}
	return v, nil
}

func jsonErr(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		return fmt.Sprintf("%s must be a %s", ute.Field, jsonType(ute.Type.Kind().String()))
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("%v at byte %d", se, se.Offset)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func jsonType(kind string) string {
	switch kind {
	case "ptr", "string":
		return "string"
	default:
		return kind
	}
}

// jsonField names the field a decoding error is about, where it can.
func jsonField(err error) string {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) && ute.Field != "" {
		return ute.Field
	}
	if msg := err.Error(); strings.HasPrefix(msg, "json: unknown field ") {
		if name := strings.Trim(strings.TrimPrefix(msg, "json: unknown field "), `"`); name != "" {
			return truncate(name, 40)
		}
	}
	return "row"
}

// notation is how the numbers of a tabular submission are written.
type notation int

const (
	// pointDecimals: comma-separated CSV, where a comma cannot be a
	// decimal mark, so values are plain decimals with a point.
	pointDecimals notation = iota
	// localeDecimals: a semicolon- or tab-separated CSV (what Excel
	// writes in de, fr, ru and most European locales), where the decimal
	// mark may be a comma. Thousands separators are refused: "1.234" could
	// be either.
	localeDecimals
	// sheetNumbers: the stored values of a spreadsheet's cells, which
	// are point decimals and may carry an exponent.
	sheetNumbers
)

// separator chooses a CSV's field separator from its header line: a tab if
// the header has one, else a semicolon if it has semicolons and no comma,
// else a comma.
func separator(body []byte) rune {
	line, _, _ := bytes.Cut(body, []byte("\n"))
	switch {
	case bytes.ContainsRune(line, '\t'):
		return '\t'
	case bytes.ContainsRune(line, ';') && !bytes.ContainsRune(line, ','):
		return ';'
	}
	return ','
}

// parseCSVRows parses a tidy CSV submission with a header row; the columns
// are those of the CSV export (iso3, country, indicator, year, value, unit,
// source, flag; the export's flag is ignored: a submission is checked afresh)
// plus an optional note, in any order. The separator is chosen from
// the header line (see separator); with a semicolon or a tab the decimal
// mark may be a comma. Rows are numbered from 1 for the first row after the
// header; lines count the header as line 1.
func parseCSVRows(body []byte) ([]submittedRow, []indicators.FieldError) {
	body = bytes.TrimPrefix(body, []byte("\ufeff"))
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.Comma = separator(body)
	mode := pointDecimals
	if r.Comma != ',' {
		mode = localeDecimals
	}
	header, err := r.Read()
	if err == io.EOF {
		return nil, bodyProblem("body", "empty_csv", "empty CSV: a header row is required")
	}
	if err != nil {
		return nil, bodyProblem("body", "malformed_csv", "malformed CSV: "+err.Error(), "detail", err.Error())
	}
	line := 1
	return parseRecords(header, func() ([]string, int, error) {
		rec, err := r.Read()
		if err == nil {
			line, _ = r.FieldPos(0)
		}
		return rec, line, err
	}, mode)
}

// parseRecords reads the rows of a table after its header; next gives the
// next record and the line it starts on, io.EOF at the end.
func parseRecords(header []string, next func() ([]string, int, error), mode notation) ([]submittedRow, []indicators.FieldError) {
	col, errs := readHeader(header)
	if errs != nil {
		return nil, errs
	}
	var rows []submittedRow
	for row := 1; ; row++ {
		rec, line, err := next()
		if err == io.EOF {
			break
		}
		if err != nil {
			var fe indicators.FieldError
			if tp := (*tableProblem)(nil); errors.As(err, &tp) {
				fe = tp.fe
			} else {
				fe = indicators.Problem("row", "malformed_csv", "malformed CSV: "+err.Error(), "detail", err.Error())
				fe.Row = row
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					fe.Line = pe.StartLine
				}
			}
			return rows, append(errs, fe)
		}
		if row > MaxSubmissionRows {
			return nil, bodyProblem("body", "too_many_rows", fmt.Sprintf("more than %d rows per request", MaxSubmissionRows), "max", strconv.Itoa(MaxSubmissionRows))
		}
		sr := submittedRow{row: row, line: line}
		if len(rec) != len(header) {
			sr.unread = true
			errs = append(errs, sr.problem(fieldCountProblem(rec, len(header), col["value"], mode)))
			rows = append(rows, sr)
			continue
		}
		get := func(name string) (string, bool) {
			i, ok := col[name]
			if !ok {
				return "", false
			}
			return rec[i], true
		}
		value := func(name string) (string, bool) {
			s, ok := get(name)
			if !ok || strings.TrimSpace(s) == "" {
				if ok && name == "value" {
					errs = append(errs, sr.problem(indicators.Problem("value", "value_missing", "missing (a missing value is not submitted)")))
				}
				return "", false
			}
			s = strings.TrimSpace(s)
			if name != "value" {
				return s, true
			}
			fixed, fe := readDecimal(s, mode)
			if fe != nil {
				errs = append(errs, sr.problem(*fe))
				return "", false
			}
			return fixed, true
		}
		sr.fill(get, value, &errs)
		rows = append(rows, sr)
	}
	if len(rows) == 0 && len(errs) == 0 {
		errs = bodyProblem("body", "no_rows", "no observations after the header")
	}
	return rows, errs
}

// tableProblem is a problem a record source reports (a spreadsheet too
// large, a row too wide), passed through parseRecords as it is.
type tableProblem struct{ fe indicators.FieldError }

func (e *tableProblem) Error() string { return e.fe.Message }

// knownColumns lists the header names, in the order messages give them.
const knownColumns = "iso3, country, indicator, year, value, unit, source, note"

// readHeader maps column names to positions and reports every problem of
// the header.
func readHeader(header []string) (map[string]int, []indicators.FieldError) {
	col := map[string]int{}
	var errs []indicators.FieldError
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "iso3", "country", "indicator", "year", "value", "unit", "source", "note", "flag", "citation":
			// flag and citation are an export's, read back and ignored.
			if _, dup := col[h]; dup {
				errs = append(errs, indicators.Problem(h, "column_twice", "column appears twice in the header", "name", h))
			}
			col[h] = i
		case "":
			errs = append(errs, indicators.Problem("header", "column_unnamed",
				fmt.Sprintf("column %d has no name: expected %s", i+1, knownColumns), "column", strconv.Itoa(i+1), "expected", knownColumns))
		default:
			if strings.ContainsAny(h, ";\t") {
				errs = append(errs, indicators.Problem("header", "header_mixed", "one column named "+strconv.Quote(truncate(h, 60))+
					": the header mixes separators; separate every column with the same character (commas, or semicolons, or tabs)", "name", truncate(h, 60)))
				continue
			}
			errs = append(errs, indicators.Problem(truncate(h, 40), "unknown_column", "unknown column: expected "+knownColumns,
				"name", truncate(h, 40), "expected", knownColumns))
		}
	}
	for _, need := range []string{"indicator", "iso3", "year", "value", "source"} {
		if _, ok := col[need]; !ok {
			errs = append(errs, indicators.Problem(need, "column_missing", "column missing from the header", "name", need))
		}
	}
	return col, errs
}

// fieldCountProblem says how a row's fields differ from the header's and,
// where it can tell, why: a decimal comma splits a value in two.
func fieldCountProblem(rec []string, want, valueCol int, mode notation) indicators.FieldError {
	got, n := strconv.Itoa(len(rec)), strconv.Itoa(want)
	msg := fmt.Sprintf("%d fields, the header has %d", len(rec), want)
	if len(rec) < want {
		sep := "commas"
		if mode == localeDecimals {
			sep = "separators"
		}
		return indicators.Problem("row", "fields_fewer", msg+": a field is missing (leave it empty between two "+sep+" if it has no value)", "got", got, "want", n)
	}
	if mode == pointDecimals && valueCol+1 < len(rec) && digits.MatchString(strings.TrimSpace(rec[valueCol])) && digits.MatchString(strings.TrimSpace(rec[valueCol+1])) {
		written := truncate(strings.TrimSpace(rec[valueCol]), 20) + "," + truncate(strings.TrimSpace(rec[valueCol+1]), 20)
		fixed := strings.Replace(written, ",", ".", 1)
		return indicators.Problem("row", "fields_decimal_comma", msg+fmt.Sprintf(": the value looks like it has a decimal comma (%s): write %s, or separate the columns with semicolons", written, fixed),
			"got", got, "want", n, "value", written, "fixed", fixed)
	}
	if mode == sheetNumbers {
		return indicators.Problem("row", "fields_more_sheet", msg+": a cell right of the table has content; clear it, or name its column in the header",
			"got", got, "want", n)
	}
	if mode == pointDecimals {
		return indicators.Problem("row", "fields_more", msg+": a decimal comma or a text with an unquoted comma? Write decimals with a point (5.5) and put a text with commas in double quotes",
			"got", got, "want", n)
	}
	return indicators.Problem("row", "fields_more_sep", msg+": put a text that contains the separator in double quotes", "got", got, "want", n)
}

var (
	digits = regexp.MustCompile(`^[0-9]+$`)
	// decimalRe is the one number notation comma-separated values take:
	// an optional sign, digits and an optional decimal point with a
	// fraction. No exponent, hexadecimal, digit separators, Inf or NaN,
	// which strconv.ParseFloat would accept but no spreadsheet writes.
	decimalRe      = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$`)
	decimalCommaRe = regexp.MustCompile(`^[+-]?[0-9]+,[0-9]+$`)
	// localeRe is a number with one decimal mark, a point or a comma.
	localeRe = regexp.MustCompile(`^[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)$`)
	// groupedRe is a point followed by exactly three digits after one to
	// three digits not starting with 0: in a semicolon-separated file
	// "1.234" may be one thousand two hundred and thirty-four ("0.125"
	// cannot).
	groupedRe = regexp.MustCompile(`^[+-]?[1-9][0-9]{0,2}\.[0-9]{3}$`)
	// sheetRe is how a spreadsheet stores a number: a plain decimal, or
	// one with an exponent (1.5E-7).
	sheetRe = regexp.MustCompile(`^[+-]?[0-9]+(\.[0-9]+)?[eE][+-]?[0-9]+$`)
)

// readDecimal reads a value in the submission's notation and gives it as a
// plain decimal with a point, or the problem.
func readDecimal(s string, mode notation) (string, *indicators.FieldError) {
	switch mode {
	case localeDecimals:
		switch {
		case groupedRe.MatchString(s):
			digitsOnly := strings.Replace(s, ".", "", 1)
			fe := indicators.Problem("value", "ambiguous_point", fmt.Sprintf("%q: a thousands separator or a decimal point? Write %s (no thousands separator) or %s (decimal comma)",
				truncate(s, 30), digitsOnly, strings.Replace(s, ".", ",", 1)), "value", s, "plain", digitsOnly, "comma", strings.Replace(s, ".", ",", 1))
			return "", &fe
		case localeRe.MatchString(s):
			return strings.Replace(s, ",", ".", 1), nil
		}
		fe := indicators.Problem("value", "not_decimal_locale", fmt.Sprintf("%q is not a number: write digits with an optional sign and one decimal mark, such as 12,5 or 12.5 (no thousands separator, exponent, Inf or NaN)", truncate(s, 30)),
			"value", truncate(s, 30))
		return "", &fe
	case sheetNumbers:
		if sheetRe.MatchString(s) {
			if v, err := strconv.ParseFloat(s, 64); err == nil && !math.IsInf(v, 0) {
				return strconv.FormatFloat(v, 'f', -1, 64), nil
			}
		}
		if !decimalRe.MatchString(s) {
			// A text cell: "55,3" or "1,234" typed where the sheet
			// expected a number; which one it means, the cell cannot say.
			fe := indicators.Problem("value", "text_number", fmt.Sprintf("%q is a text, not a number: enter it as a number in the cell (no thousands separator)", truncate(s, 30)),
				"value", truncate(s, 30))
			return "", &fe
		}
	}
	switch {
	case decimalRe.MatchString(s):
		return s, nil
	case decimalCommaRe.MatchString(s):
		fixed := strings.Replace(s, ",", ".", 1)
		fe := indicators.Problem("value", "decimal_comma", fmt.Sprintf("%q has a decimal comma: write %s", truncate(s, 30), fixed), "value", truncate(s, 30), "fixed", fixed)
		return "", &fe
	default:
		fe := indicators.Problem("value", "not_decimal", fmt.Sprintf("%q is not a plain decimal number: write digits with an optional sign and decimal point, such as 12.5 (no exponent, thousands separator, hexadecimal, Inf or NaN)", truncate(s, 30)),
			"value", truncate(s, 30))
		return "", &fe
	}
}
