package server

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
	Provenance []byte
	// Roadmap is the WHO/Europe Roadmap document; nil serves no roadmap.
	Roadmap *indicators.Roadmap
}

// refIndex is Reference with lookups built once.
type refIndex struct {
	Reference
	byISO3     map[string]indicators.Country
	groups     map[string][]string // group name (upper case) -> ISO3 codes
	groupNames []string
	catalogue  []indicators.Indicator
	byID       map[string]indicators.Indicator
	milestone  map[string]indicators.Milestone
}

func newRefIndex(ref Reference) *refIndex {
	ix := &refIndex{
		Reference: ref,
		byISO3:    map[string]indicators.Country{},
		groups:    map[string][]string{},
		byID:      map[string]indicators.Indicator{},
		milestone: map[string]indicators.Milestone{},
	}
	names := map[string]string{}
	for _, c := range ref.Countries {
		ix.byISO3[c.ISO3] = c
		for _, g := range c.Groups {
			k := strings.ToUpper(g)
			ix.groups[k] = append(ix.groups[k], c.ISO3)
			names[k] = g
		}
	}
	for _, n := range names {
		ix.groupNames = append(ix.groupNames, n)
	}
	sort.Strings(ix.groupNames)
	ix.catalogue = indicators.Catalogue()
	for _, ind := range ix.catalogue {
		ix.byID[ind.ID] = ind
	}
	for _, m := range ref.Milestones {
		ix.milestone[m.ID] = m
	}
	return ix
}

// expand resolves a `countries` token: an ISO3 code (any case), a group
// name, or "all".
func (ix *refIndex) expand(tok string) ([]string, bool) {
	up := strings.ToUpper(tok)
	if c, ok := ix.byISO3[up]; ok {
		return []string{c.ISO3}, true
	}
	if up == "ALL" {
		return ix.allISO3(), true
	}
	if codes, ok := ix.groups[up]; ok {
		return codes, true
	}
	return nil, false
}

func (ix *refIndex) allISO3() []string {
	out := make([]string, len(ix.Countries))
	for i, c := range ix.Countries {
		out[i] = c.ISO3
	}
	return out
}

func (ix *refIndex) known(iso3 string) bool {
	_, ok := ix.byISO3[iso3]
	return ok
}

func (ix *refIndex) countryName(iso3 string) string {
	return ix.byISO3[iso3].Name
}

// measured returns the milestones measured with an indicator.
func (ix *refIndex) measured(indicator string) []indicators.Milestone {
	var out []indicators.Milestone
	for _, m := range ix.Milestones {
		if m.Measure != nil && m.Measure.Indicator == indicator {
			out = append(out, m)
		}
	}
	return out
}

// dependents returns the derived indicators that use id as an input, so a
// write to id also refreshes them.
func (ix *refIndex) dependents(id string) []string {
	var out []string
	for _, ind := range ix.catalogue {
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
