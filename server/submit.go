package server

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
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
		raws = []json.RawMessage{body}
	} else if err := json.Unmarshal(body, &raws); err != nil {
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
// value, unit, source, flag; the export's flag is ignored: a submission
// is checked afresh) plus an optional note, in any order. Rows are
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
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		switch h {
		case "iso3", "country", "indicator", "year", "value", "unit", "source", "note", "flag":
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
