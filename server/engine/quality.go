package engine

import (
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
