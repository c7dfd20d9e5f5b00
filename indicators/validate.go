package indicators

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// FieldError is a problem with one field of one submitted row; Row counts
// from 1, 0 meaning the request as a whole.
type FieldError struct {
	Row     int    `json:"row"`
	Field   string `json:"field"`
	Message string `json:"message"`
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
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	ind, ok := Lookup(o.Indicator)
	switch {
	case !ok:
		bad("indicator", "unknown indicator %q", clip(o.Indicator))
	case ind.Derived != nil || !ind.Submittable:
		bad("indicator", "%s is computed, not submittable", ind.ID)
	}
	if !knownCountry(o.ISO3) {
		bad("iso3", "unknown country %q: not a Member State of the WHO European Region", clip(o.ISO3))
	}
	if o.Year < MinYear || o.Year > currentYear {
		bad("year", "%d is outside %d..%d", o.Year, MinYear, currentYear)
	}
	switch {
	case math.IsNaN(o.Value) || math.IsInf(o.Value, 0):
		bad("value", "not a finite number")
	case ok:
		lo, hi := ind.ValidRange()
		if ind.Kind == KindYesNo && o.Value != 0 && o.Value != 1 {
			bad("value", "%g: a yes/no indicator takes 0 or 1", o.Value)
		} else if (lo != nil && o.Value < *lo) || (hi != nil && o.Value > *hi) {
			bad("value", "%g is outside the valid range %s", o.Value, rangeText(lo, hi))
		}
	}
	switch src := strings.TrimSpace(o.Source); {
	case src == "":
		bad("source", "missing: every figure needs its source")
	case len(o.Source) > 1000:
		bad("source", "longer than 1000 characters")
	case !utf8.ValidString(o.Source):
		bad("source", "not valid UTF-8")
	case hasControl(o.Source, false):
		bad("source", "contains control or bidirectional-override characters (one line of text, no tabs)")
	}
	switch {
	case len(o.Note) > 2000:
		bad("note", "longer than 2000 characters")
	case !utf8.ValidString(o.Note):
		bad("note", "not valid UTF-8")
	case hasControl(o.Note, true):
		bad("note", "contains control or bidirectional-override characters (tabs and line breaks are allowed)")
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
