package indicators

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FieldError is a problem with one field of one submitted row; Row counts
// from 1, 0 meaning the request as a whole. Message is English for API
// users; Code and Params say the same for a page to put in its own
// language (the message catalogue has "submit.err.<code>" with {param}
// placeholders). Line is where the clerk sees the row: the line of a CSV
// text or file counting the header, or the row of a spreadsheet.
type FieldError struct {
	Row     int               `json:"row"`
	Line    int               `json:"line,omitempty"`
	Field   string            `json:"field"`
	Message string            `json:"message"`
	Code    string            `json:"code,omitempty"`
	Params  map[string]string `json:"params,omitempty"`
}

// Problem builds a FieldError with its code and params; params are pairs
// of name and value.
func Problem(field, code, message string, params ...string) FieldError {
	fe := FieldError{Field: field, Code: code, Message: message}
	if len(params) > 1 {
		fe.Params = make(map[string]string, len(params)/2)
		for i := 0; i+1 < len(params); i += 2 {
			fe.Params[params[i]] = params[i+1]
		}
	}
	return fe
}

func (e FieldError) Error() string {
	if e.Row > 0 {
		return fmt.Sprintf("row %d: %s: %s", e.Row, e.Field, e.Message)
	}
	return e.Field + ": " + e.Message
}

// MinYear is the earliest year an observation may have.
const MinYear = 1950

// ValidateObservation checks a submitted observation against the catalogue,
// the Member States and the indicator's valid range. Row is left 0.
func ValidateObservation(o Observation, knownCountry func(string) bool, currentYear int) []FieldError {
	var errs []FieldError
	bad := func(field, code, message string, params ...string) {
		errs = append(errs, Problem(field, code, message, params...))
	}
	ind, ok := Lookup(o.Indicator)
	switch {
	case !ok:
		bad("indicator", "unknown_indicator", fmt.Sprintf("unknown indicator %q", clip(o.Indicator)), "value", clip(o.Indicator))
	case ind.Derived != nil || !ind.Submittable:
		bad("indicator", "not_submittable", fmt.Sprintf("%s is computed, not submittable", ind.ID), "value", ind.ID)
	}
	if !knownCountry(o.ISO3) {
		bad("iso3", "unknown_country", fmt.Sprintf("unknown country %q: not a Member State of the WHO European Region", clip(o.ISO3)), "value", clip(o.ISO3))
	}
	if o.Year < MinYear || o.Year > currentYear {
		bad("year", "year_range", fmt.Sprintf("%d is outside %d..%d", o.Year, MinYear, currentYear),
			"value", strconv.Itoa(o.Year), "min", strconv.Itoa(MinYear), "max", strconv.Itoa(currentYear))
	}
	switch {
	case math.IsNaN(o.Value) || math.IsInf(o.Value, 0):
		bad("value", "not_number", "not a number")
	case ok:
		lo, hi := ind.ValidRange()
		if ind.Kind == KindYesNo && o.Value != 0 && o.Value != 1 {
			bad("value", "yes_no", fmt.Sprintf("%g: a yes/no indicator takes 0 or 1", o.Value), "value", plain(o.Value))
		} else if (lo != nil && o.Value < *lo) || (hi != nil && o.Value > *hi) {
			bad("value", "value_range", fmt.Sprintf("%g is outside the valid range %s", o.Value, rangeText(lo, hi)),
				"value", plain(o.Value), "range", rangeText(lo, hi))
		}
	}
	switch src := strings.TrimSpace(o.Source); {
	case src == "":
		bad("source", "source_missing", "missing: every figure needs its source")
	case len(o.Source) > 1000:
		bad("source", "too_long", "longer than 1000 characters", "max", "1000")
	case !utf8.ValidString(o.Source):
		bad("source", "not_utf8", "not valid UTF-8")
	case hasControl(o.Source, false):
		bad("source", "control_line", "contains control or bidirectional-override characters (one line of text, no tabs)")
	}
	switch {
	case len(o.Note) > 2000:
		bad("note", "too_long", "longer than 2000 characters", "max", "2000")
	case !utf8.ValidString(o.Note):
		bad("note", "not_utf8", "not valid UTF-8")
	case hasControl(o.Note, true):
		bad("note", "control_text", "contains control or bidirectional-override characters (tabs and line breaks are allowed)")
	}
	return errs
}

func rangeText(lo, hi *float64) string {
	switch {
	case lo != nil && hi != nil:
		return plain(*lo) + ".." + plain(*hi)
	case lo != nil:
		return ">= " + plain(*lo)
	default:
		return "<= " + plain(*hi)
	}
}

// plain writes a bound in plain decimals (1000000000, not 1e+09).
func plain(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}
