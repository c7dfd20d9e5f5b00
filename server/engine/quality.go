package engine

import (
	"context"
	"sort"

	"github.com/hwfdash/hwfdash/indicators"
)

// flagJumps sets the unverified-jump flag (indicators.FlagJumps) on obs in
// place, keeping the store's order: callers and tests rely on it.
func flagJumps(obs []indicators.Observation, breaks []indicators.SeriesBreak) {
	type note struct{ flag, text string }
	flags := map[indicators.Key]note{}
	for _, o := range indicators.FlagJumps(obs, breaks) {
		if o.Flag != "" {
			flags[o.Key()] = note{o.Flag, o.FlagNote}
		}
	}
	if len(flags) == 0 {
		return
	}
	for i := range obs {
		if n, ok := flags[obs[i].Key()]; ok {
			obs[i].Flag, obs[i].FlagNote = n.flag, n.text
		}
	}
}

// Citation is the short human citation of an indicator's series: the
// publisher's for a shipped series, the inputs' for a derived one, and the
// submissions' for one that has no public series.
func (e *Engine) Citation(ind indicators.Indicator) string {
	if c, ok := e.ref.Citations[ind.ID]; ok {
		return c.Short()
	}
	if ind.Derived != nil {
		s := "hwfdash, computed (" + ind.Derived.Op + ") from"
		for i, in := range ind.Derived.Inputs {
			if i > 0 {
				s += ";"
			}
			s += " " + e.Citation(e.ref.ByID[in])
		}
		return s
	}
	if ind.SourceType == indicators.SourceSubmitted {
		return "Member States' submissions " + indicators.ReceivedLabel
	}
	return ind.Source
}

// DistancesResult is every Member State's distances on one indicator: the
// comparisons that vary where every country is on the same side of a
// threshold.
type DistancesResult struct {
	Indicator string                  `json:"indicator"`
	Milestone string                  `json:"milestone,omitempty"`
	Threshold *float64                `json:"threshold"`
	Countries []*indicators.Distances `json:"countries"`
	// Declining counts the countries whose value fell over the last five
	// years; Stale those without a value within the recency window.
	Declining int      `json:"declining"`
	Stale     int      `json:"stale"`
	Label     string   `json:"label"`
	Rules     []string `json:"rules"`
}

// Distances gives each Member State's distances on ind (indicators.
// CountryDistances), against the threshold of the milestone ms when given,
// smallest headroom (or lowest value) first.
func (e *Engine) Distances(ctx context.Context, ind indicators.Indicator, ms string) (DistancesResult, error) {
	res := DistancesResult{Indicator: ind.ID, Countries: []*indicators.Distances{}, Label: indicators.DistanceLabel,
		Rules: []string{indicators.RecencyRule, indicators.QuartileRule, indicators.ChangeRule, indicators.JumpRule}}
	var m *indicators.Measure
	if mm, ok := e.ref.MilestoneByID[ms]; ok && mm.Measure != nil && mm.Measure.Indicator == ind.ID {
		m, res.Milestone, res.Threshold = mm.Measure, ms, &mm.Measure.Target
	}
	all, err := e.Series(ctx, ind, nil, TimeRange{})
	if err != nil {
		return res, err
	}
	by := byCountry(all)
	ref := e.currentYear()
	latest := regionLatest(by, ref)
	for _, c := range e.ref.Countries {
		d := indicators.CountryDistances(c.ISO3, by[c.ISO3], m, latest, ref)
		if d == nil {
			res.Stale++
			continue
		}
		if d.LastFiveYear != nil && d.LastFiveYear.Declining {
			res.Declining++
		}
		res.Countries = append(res.Countries, d)
	}
	sort.SliceStable(res.Countries, func(i, j int) bool { return res.Countries[i].Value < res.Countries[j].Value })
	return res, nil
}
