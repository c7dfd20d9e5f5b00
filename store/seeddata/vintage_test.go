package seeddata

import (
	"strconv"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// TestVintages checks the catalogue's vintages against indicators.csv: a
// published indicator has its file's vintage, a derived one names its
// inputs', and one whose values arrive only by submission has none.
func TestVintages(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for id, si := range ds.SourceIndicators {
		if si.Vintage == "" {
			t.Errorf("indicators.csv: %s has no vintage", id)
		}
	}
	for _, ind := range indicators.Catalogue() {
		switch ind.SourceType {
		case indicators.SourcePublished:
			si, ok := ds.SourceIndicators[ind.ID]
			if !ok || ind.Vintage != si.Vintage {
				t.Errorf("%s: catalogue vintage %q, indicators.csv %q", ind.ID, ind.Vintage, si.Vintage)
			}
		case indicators.SourceDerived:
			for _, in := range ind.Derived.Inputs {
				if v := ds.SourceIndicators[in].Vintage; v == "" || !strings.Contains(ind.Vintage, v) {
					t.Errorf("%s: vintage %q does not name input %s's %q", ind.ID, ind.Vintage, in, v)
				}
			}
		default:
			if ind.Vintage != "" {
				t.Errorf("%s: submitted-only indicator has vintage %q", ind.ID, ind.Vintage)
			}
		}
	}
}

// TestNextExpectedUpdate checks that a next release is given only where a
// shipped source states a schedule: the Code's three-yearly reporting, whose
// citation (milestone G03) must say so.
func TestNextExpectedUpdate(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var g03 string
	for _, m := range ds.Milestones {
		if m.ID == "G03" {
			g03 = m.Citation
		}
	}
	if !strings.Contains(g03, "every three years") {
		t.Fatalf("milestone G03 no longer states the three-yearly cycle: %q", g03)
	}
	last := ds.Rounds[0].ReportingYear
	for _, r := range ds.Rounds {
		last = max(last, r.ReportingYear)
	}
	for _, ind := range indicators.Catalogue() {
		code := ind.Category == indicators.CategoryCode
		switch {
		case code && ind.NextExpectedUpdate != strconv.Itoa(last+3):
			t.Errorf("%s: next expected update %q, want %d (latest round %d + 3 years)", ind.ID, ind.NextExpectedUpdate, last+3, last)
		case code && !strings.Contains(ind.NextUpdateBasis, "G03"):
			t.Errorf("%s: basis %q does not cite G03", ind.ID, ind.NextUpdateBasis)
		case !code && (ind.NextExpectedUpdate != "" || ind.NextUpdateBasis != ""):
			t.Errorf("%s: next expected update %q (%q) without a stated schedule", ind.ID, ind.NextExpectedUpdate, ind.NextUpdateBasis)
		}
	}
}
