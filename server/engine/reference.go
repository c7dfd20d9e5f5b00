package engine

import (
	"sort"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

// Reference is the static reference data the server serves alongside the
// observations: the Member States, the milestones, the cited Code reporting
// counts and the series breaks. It comes from the shipped data files.
type Reference struct {
	Countries  []indicators.Country
	Milestones []indicators.Milestone
	Rounds     []indicators.RoundFact
	Breaks     []indicators.SeriesBreak
	// Lists are the regional counts of published lists (the safeguards
	// list), which give list-membership milestones their status.
	Lists []indicators.ListFact
	// Citations are the short human citations of the shipped series, by
	// indicator id; the mirror and commit stay in Provenance.
	Citations  map[string]indicators.SeriesCitation
	Provenance []byte
	// Roadmap is the WHO/Europe Roadmap document; nil serves no roadmap.
	Roadmap *indicators.Roadmap
}

// Ref is Reference with lookups built once. Its maps are read-only.
type Ref struct {
	Reference
	ByISO3     map[string]indicators.Country
	groups     map[string][]string // group name (upper case) -> ISO3 codes
	GroupNames []string
	// Catalogue is the indicators in catalogue order.
	Catalogue     []indicators.Indicator
	ByID          map[string]indicators.Indicator
	MilestoneByID map[string]indicators.Milestone
	// Vintages is each indicator's vintage label, for the mixed-vintage
	// check of derived figures.
	Vintages map[string]string
	// BreakIndex is Breaks by indicator and country.
	BreakIndex indicators.Breaks
}

// NewRef indexes the reference data.
func NewRef(ref Reference) *Ref {
	ix := &Ref{
		Reference:     ref,
		ByISO3:        map[string]indicators.Country{},
		groups:        map[string][]string{},
		ByID:          map[string]indicators.Indicator{},
		MilestoneByID: map[string]indicators.Milestone{},
		Vintages:      map[string]string{},
		BreakIndex:    indicators.IndexBreaks(ref.Breaks),
	}
	names := map[string]string{}
	for _, c := range ref.Countries {
		ix.ByISO3[c.ISO3] = c
		for _, g := range c.Groups {
			k := strings.ToUpper(g)
			ix.groups[k] = append(ix.groups[k], c.ISO3)
			names[k] = g
		}
	}
	for _, n := range names {
		ix.GroupNames = append(ix.GroupNames, n)
	}
	sort.Strings(ix.GroupNames)
	ix.Catalogue = indicators.Catalogue()
	for _, ind := range ix.Catalogue {
		ix.ByID[ind.ID] = ind
		ix.Vintages[ind.ID] = ind.Vintage
	}
	for _, m := range ref.Milestones {
		ix.MilestoneByID[m.ID] = m
	}
	return ix
}

// Expand resolves a `countries` token: an ISO3 code (any case), a group
// name, or "all".
func (ix *Ref) Expand(tok string) ([]string, bool) {
	up := strings.ToUpper(tok)
	if c, ok := ix.ByISO3[up]; ok {
		return []string{c.ISO3}, true
	}
	if up == "ALL" {
		return ix.AllISO3(), true
	}
	if codes, ok := ix.groups[up]; ok {
		return codes, true
	}
	return nil, false
}

func (ix *Ref) AllISO3() []string {
	out := make([]string, len(ix.Countries))
	for i, c := range ix.Countries {
		out[i] = c.ISO3
	}
	return out
}

func (ix *Ref) Known(iso3 string) bool {
	_, ok := ix.ByISO3[iso3]
	return ok
}

func (ix *Ref) CountryName(iso3 string) string {
	return ix.ByISO3[iso3].Name
}

// Measured returns the milestones measured with an indicator.
func (ix *Ref) Measured(indicator string) []indicators.Milestone {
	var out []indicators.Milestone
	for _, m := range ix.Milestones {
		if m.Measure != nil && m.Measure.Indicator == indicator {
			out = append(out, m)
		}
	}
	return out
}

// Dependents returns the derived indicators that use id as an input, so a
// write to id also refreshes them.
func (ix *Ref) Dependents(id string) []string {
	var out []string
	// A derived figure is withheld where it exceeds its published parent
	// (indicators.ParentChecks): a write to the parent changes it too.
	for _, pc := range indicators.ParentChecks() {
		if pc.Parent == id {
			out = append(out, pc.Derived)
		}
	}
	for _, ind := range ix.Catalogue {
		if ind.Derived == nil {
			continue
		}
		for _, in := range ind.Derived.Inputs {
			if in == id {
				out = append(out, ind.ID)
				break
			}
		}
	}
	return out
}

// MeasuredIDs lists the indicators milestones are measured on.
func (ix *Ref) MeasuredIDs() []string {
	var out []string
	for _, m := range ix.Milestones {
		if m.Measure != nil {
			out = append(out, m.Measure.Indicator)
		}
	}
	return out
}
