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
	"strconv"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

// MaxSubmissionRows bounds the rows of one submission.
const MaxSubmissionRows = 10000

// submissionRow is one JSON submission row. Pointers tell a missing field
// from a zero value.
type submissionRow struct {
	Indicator *string          `json:"indicator"`
	ISO3      *string          `json:"iso3"`
	Year      *json.RawMessage `json:"year"`
	Value     *json.RawMessage `json:"value"`
	Source    *string          `json:"source"`
	Note      *string          `json:"note"`
	Country   *string          `json:"country"` // accepted and ignored: exports carry it
	Unit      *string          `json:"unit"`    // accepted and ignored: exports carry it
}

// ParseSubmissionJSON parses a JSON submission: an array of rows (or one
// row object). Every problem is reported with its 1-based row and field;
// rows with problems are left out of the result.
func ParseSubmissionJSON(body []byte) ([]indicators.Observation, []indicators.FieldError) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return nil, []indicators.FieldError{{Field: "body", Message: "empty body: send a JSON array of observations"}}
	}
	var raws []json.RawMessage
	if body[0] == '{' {
		var one json.RawMessage
		if err := decodeOneJSON(body, &one, false); err != nil {
			return nil, []indicators.FieldError{{Field: "body", Message: "malformed JSON: " + jsonErr(err)}}
		}
		raws = []json.RawMessage{one}
	} else if err := decodeOneJSON(body, &raws, false); err != nil {
		return nil, []indicators.FieldError{{Field: "body", Message: "malformed JSON: " + jsonErr(err)}}
	}
	if len(raws) == 0 {
		return nil, []indicators.FieldError{{Field: "body", Message: "no observations in the array"}}
	}
	if len(raws) > MaxSubmissionRows {
		return nil, []indicators.FieldError{{Field: "body", Message: fmt.Sprintf("%d rows: at most %d per request", len(raws), MaxSubmissionRows)}}
	}
	var out []indicators.Observation
	var errs []indicators.FieldError
	for i, raw := range raws {
		row := i + 1
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		var r submissionRow
		if err := dec.Decode(&r); err != nil {
			errs = append(errs, indicators.FieldError{Row: row, Field: jsonField(err), Message: jsonErr(err)})
			continue
		}
		o, rowErrs := r.observation(row)
		if rowErrs != nil {
			errs = append(errs, rowErrs...)
			continue
		}
		out = append(out, o)
	}
	return out, errs
}

func (r submissionRow) observation(row int) (indicators.Observation, []indicators.FieldError) {
	var errs []indicators.FieldError
	missing := func(field string) {
		errs = append(errs, indicators.FieldError{Row: row, Field: field, Message: "missing"})
	}
	var o indicators.Observation
	if r.Indicator == nil {
		missing("indicator")
	} else {
		o.Indicator = strings.TrimSpace(*r.Indicator)
	}
	if r.ISO3 == nil {
		missing("iso3")
	} else {
		o.ISO3 = strings.ToUpper(strings.TrimSpace(*r.ISO3))
	}
	if r.Year == nil || string(*r.Year) == "null" {
		missing("year")
	} else if y, err := strconv.Atoi(string(*r.Year)); err != nil {
		errs = append(errs, indicators.FieldError{Row: row, Field: "year", Message: fmt.Sprintf("%s is not a whole year", truncate(string(*r.Year), 20))})
	} else {
		o.Year = y
	}
	if r.Value == nil || string(*r.Value) == "null" {
		missing("value")
	} else if v, err := parseValue(string(*r.Value)); err != nil {
		errs = append(errs, indicators.FieldError{Row: row, Field: "value", Message: err.Error()})
	} else {
		o.Value = v
	}
	if r.Source == nil {
		missing("source")
	} else {
		o.Source = strings.TrimSpace(*r.Source)
	}
	if r.Note != nil {
		o.Note = strings.TrimSpace(*r.Note)
	}
	return o, errs
}

func parseValue(s string) (float64, error) {
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a finite number", truncate(s, 30))
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

// ParseSubmissionCSV parses a tidy CSV submission with a header row; the
// columns are those of the CSV export (iso3, country, indicator, year,
// value, unit, source) plus an optional note, in any order. Rows are
// numbered from 1 for the first row after the header.
func ParseSubmissionCSV(body []byte) ([]indicators.Observation, []indicators.FieldError) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err == io.EOF {
		return nil, []indicators.FieldError{{Field: "body", Message: "empty CSV: a header row is required"}}
	}
	if err != nil {
		return nil, []indicators.FieldError{{Field: "body", Message: "malformed CSV: " + err.Error()}}
	}
	if len(header) == 1 && strings.Contains(header[0], ";") {
		return nil, []indicators.FieldError{{Field: "header", Message: "one column named " + strconv.Quote(truncate(header[0], 60)) +
			": the separator looks like a semicolon; separate fields with commas (and write decimals with a point: 5.5)"}}
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "iso3", "country", "indicator", "year", "value", "unit", "source", "note":
			if _, dup := col[h]; dup {
				return nil, []indicators.FieldError{{Field: h, Message: "column appears twice in the header"}}
			}
			col[h] = i
		case "":
			return nil, []indicators.FieldError{{Field: "header", Message: fmt.Sprintf("column %d has no name: expected iso3, country, indicator, year, value, unit, source, note", i+1)}}
		default:
			return nil, []indicators.FieldError{{Field: truncate(h, 40), Message: "unknown column: expected iso3, country, indicator, year, value, unit, source, note"}}
		}
	}
	var errs []indicators.FieldError
	for _, need := range []string{"indicator", "iso3", "year", "value", "source"} {
		if _, ok := col[need]; !ok {
			errs = append(errs, indicators.FieldError{Field: need, Message: "column missing from the header"})
		}
	}
	if errs != nil {
		return nil, errs
	}
	var out []indicators.Observation
	for row := 1; ; row++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			errs = append(errs, indicators.FieldError{Row: row, Field: "row", Message: "malformed CSV: " + err.Error()})
			return nil, errs
		}
		if row > MaxSubmissionRows {
			return nil, []indicators.FieldError{{Field: "body", Message: fmt.Sprintf("more than %d rows per request", MaxSubmissionRows)}}
		}
		if len(rec) != len(header) {
			errs = append(errs, indicators.FieldError{Row: row, Field: "row", Message: fieldCountMessage(rec, len(header), col["value"])})
			continue
		}
		get := func(name string) *string {
			i, ok := col[name]
			if !ok || i >= len(rec) {
				return nil
			}
			v := rec[i]
			return &v
		}
		sr := submissionRow{Indicator: get("indicator"), ISO3: get("iso3"), Source: get("source"), Note: get("note")}
		if y := get("year"); y != nil {
			n := json.RawMessage(strings.TrimSpace(*y))
			sr.Year = &n
		}
		if v := get("value"); v != nil {
			if strings.TrimSpace(*v) == "" {
				errs = append(errs, indicators.FieldError{Row: row, Field: "value", Message: "missing (a missing value is not submitted)"})
				continue
			}
			if msg := plainDecimal(strings.TrimSpace(*v)); msg != "" {
				errs = append(errs, indicators.FieldError{Row: row, Field: "value", Message: msg})
				continue
			}
			n := json.RawMessage(strings.TrimSpace(*v))
			sr.Value = &n
		}
		o, rowErrs := sr.observation(row)
		if rowErrs != nil {
			errs = append(errs, rowErrs...)
			continue
		}
		out = append(out, o)
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, indicators.FieldError{Field: "body", Message: "no observations after the header"})
	}
	return out, errs
}

// fieldCountMessage says how a row's fields differ from the header's and,
// where it can tell, why: a decimal comma splits a value in two.
func fieldCountMessage(rec []string, want, valueCol int) string {
	msg := fmt.Sprintf("%d fields, the header has %d", len(rec), want)
	if len(rec) < want {
		return msg + ": a field is missing (leave it empty between two commas if it has no value)"
	}
	if valueCol+1 < len(rec) && digits.MatchString(strings.TrimSpace(rec[valueCol])) && digits.MatchString(strings.TrimSpace(rec[valueCol+1])) {
		return msg + fmt.Sprintf(": the value looks like it has a decimal comma (%s,%s): write %s.%s",
			truncate(rec[valueCol], 20), truncate(rec[valueCol+1], 20), truncate(strings.TrimSpace(rec[valueCol]), 20), truncate(strings.TrimSpace(rec[valueCol+1]), 20))
	}
	return msg + ": a decimal comma or a text with an unquoted comma? Write decimals with a point (5.5) and put a text with commas in double quotes"
}

var (
	digits = regexp.MustCompile(`^[0-9]+$`)
	// decimalRe is the one number notation CSV values take: an optional
	// sign, digits and an optional decimal point with a fraction. No
	// exponent, hexadecimal, digit separators, Inf or NaN, which
	// strconv.ParseFloat would accept but no spreadsheet writes.
	decimalRe      = regexp.MustCompile(`^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)$`)
	decimalCommaRe = regexp.MustCompile(`^[+-]?[0-9]+,[0-9]+$`)
)

// plainDecimal explains why s is not a plain decimal number, or is "".
func plainDecimal(s string) string {
	switch {
	case decimalRe.MatchString(s):
		return ""
	case decimalCommaRe.MatchString(s):
		return fmt.Sprintf("%q has a decimal comma: write %s", truncate(s, 30), strings.Replace(s, ",", ".", 1))
	default:
		return fmt.Sprintf("%q is not a plain decimal number: write digits with an optional sign and decimal point, such as 12.5 (no exponent, thousands separator, hexadecimal, Inf or NaN)", truncate(s, 30))
	}
}
