package indicators

import (
	"fmt"
	"time"
)

// Change is one write's revisions of one indicator for one country: what a
// feed of changes shows as one entry. A write (a submission, an import or a
// seed) touching several countries or indicators is several Changes that
// share its Version.
type Change struct {
	Version   int64
	Indicator string
	ISO3      string
	// Author is the label of the token that wrote it ("seed" for the shipped
	// data files); never a secret.
	Author     string
	RecordedAt time.Time
	// Rows are the revisions, ordered by year; Previous[i] is the value
	// Rows[i] replaced, nil for a new figure.
	Rows     []Observation
	Previous []*float64
}

// ChangeFilter selects changes; empty fields are open.
type ChangeFilter struct {
	Country   string
	Indicator string
	// ExcludeAuthor leaves out one author's writes: the public feed leaves
	// out "seed", the shipped data load, which would flood it.
	ExcludeAuthor string
}

// AsOfError is the error for a data version that cannot pin an answer: one
// above the store's current version, or a negative one.
func AsOfError(asOf, current int64) error {
	if asOf < 0 {
		return FieldError{Field: "as_of", Message: fmt.Sprintf("%d is not a data version (use 1 or more, 0 for live)", asOf)}
	}
	return FieldError{Field: "as_of", Message: fmt.Sprintf("version %d is above the current data version %d", asOf, current)}
}

// LastUpdated is when an indicator's data last changed, given the time of
// each stored indicator's latest revision: its own for a stored indicator,
// the newest of its inputs' for a derived one. The zero time means never.
func LastUpdated(ind Indicator, latest map[string]time.Time) time.Time {
	if ind.Derived == nil {
		return latest[ind.ID]
	}
	var t time.Time
	for _, in := range ind.Derived.Inputs {
		if u := latest[in]; u.After(t) {
			t = u
		}
	}
	return t
}
