package importer

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/hwfdash/hwfdash/indicators"
)

// areas resolves publishers' area codes to the Member States' ISO3 codes.
type areas struct {
	// iso3 and iso2 give the Member States' own ISO3 strings, so that
	// keys kept per row do not hold on to the reader's lines.
	iso3 map[string]string
	iso2 map[string]string
}

func newAreas(cs []indicators.Country) areas {
	a := areas{iso3: map[string]string{}, iso2: map[string]string{}}
	for _, c := range cs {
		a.iso3[c.ISO3] = c.ISO3
		a.iso2[c.ISO2] = c.ISO3
	}
	// Eurostat's own two-letter codes.
	if g, ok := a.iso2["GR"]; ok {
		a.iso2["EL"] = g
	}
	if g, ok := a.iso2["GB"]; ok {
		a.iso2["UK"] = g
	}
	return a
}

// resolve returns the Member State of code (and, for regions, the region),
// or why it is not one: areaUnknown for a code of no known shape (rejected),
// any other reason for a code that is well formed but not imported
// (ignored).
func (a areas) resolve(mode, code string) (iso3, region string, why Why) {
	switch mode {
	case "iso3":
		if !isUpper(code) || len(code) != 3 {
			if len(code) > 3 && isCodeLike(code) {
				return "", "", areaAggregate
			}
			return "", "", areaUnknown
		}
		g, ok := a.iso3[code]
		if !ok {
			return "", "", areaNonMember
		}
		return g, "", Why{}
	case "iso2":
		switch {
		case len(code) == 2 && isUpper(code):
			if g, ok := a.iso2[code]; ok {
				return g, "", Why{}
			}
			return "", "", areaNonMember
		case len(code) > 2 && len(code) <= 5 && isUpper(code[:2]) && isAlnum(code[2:]):
			return "", "", areaLevel
		case isCodeLike(code):
			return "", "", areaAggregate
		}
		return "", "", areaUnknown
	default: // nuts2
		switch {
		case len(code) < 2 || !isUpper(code[:2]) || !isAlnum(code[2:]):
			if isCodeLike(code) {
				return "", "", areaAggregate
			}
			return "", "", areaUnknown
		case len(code) > 5:
			return "", "", areaUnknown
		case len(code) != 4:
			return "", "", areaLevel
		}
		g, ok := a.iso2[code[:2]]
		switch {
		case !ok:
			return "", "", areaNonMember
		case code[2:] == "ZZ":
			return "", "", areaExtra
		}
		return g, code, Why{}
	}
}

func isUpper(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return s != ""
}

func isAlnum(s string) bool {
	for i := 0; i < len(s); i++ {
		if (s[i] < 'A' || s[i] > 'Z') && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// isCodeLike matches aggregate codes such as EU27_2020, EA20, WLD_X.
func isCodeLike(s string) bool {
	if len(s) < 2 || len(s) > 20 || !isUpper(s[:2]) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

type aggKey struct {
	indicator, iso3 string
	year            int
}

// aggState accumulates a country-year's regions.
type aggState struct {
	max, min         float64
	maxArea, minArea string
	regions          int
	line             int
	flags            flagSet
	series           string
}

func (p *mapper) aggregate(rec Record, s Series, iso3 string, year int, v float64, fl flagSet) {
	if v < 0 {
		p.reject(problem(rec.Line, p.fields.Value, rec.Value, "regional_below0", "a regional value below 0"))
		if p.tainted == nil {
			p.tainted = map[aggKey]bool{}
		}
		p.tainted[aggKey{s.Indicator, iso3, year}] = true
		return
	}
	if p.agg == nil {
		p.agg = map[aggKey]*aggState{}
	}
	k := aggKey{s.Indicator, iso3, year}
	st, ok := p.agg[k]
	if !ok {
		st = &aggState{max: v, min: v, maxArea: rec.Area, minArea: rec.Area, line: rec.Line,
			series: fmt.Sprintf("highest over lowest NUTS 2 region of %s %s", rec.Series, s.Unit)}
		p.agg[k] = st
	}
	st.regions++
	if v > st.max {
		st.max, st.maxArea = v, rec.Area
	}
	if v < st.min {
		st.min, st.minArea = v, rec.Area
	}
	st.flags.add(fl)
}

// finishAggregates emits one ratio per country-year with two regions or
// more and a lowest value above 0; others are ignored with their reason.
func (p *mapper) finishAggregates() {
	keys := make([]aggKey, 0, len(p.agg))
	for k := range p.agg {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b aggKey) int {
		return cmp.Or(cmp.Compare(a.indicator, b.indicator), cmp.Compare(a.iso3, b.iso3), cmp.Compare(a.year, b.year))
	})
	for _, k := range keys {
		st := p.agg[k]
		switch {
		case p.tainted[k]:
			p.ignore(whyRatioTainted, k.iso3)
			continue
		case st.regions < 2:
			p.ignore(whyRatioFew, k.iso3)
			continue
		case st.min == 0:
			p.ignore(whyRatioZero, k.iso3)
			continue
		}
		notes := append([]string{"highest " + st.maxArea + ", lowest " + st.minArea}, st.flags.notes...)
		fl := st.flags
		fl.notes = notes
		p.res.Observations = append(p.res.Observations, indicators.Observation{
			Indicator: k.indicator, ISO3: k.iso3, Year: k.year, Value: roundRatio(st.max / st.min), Source: st.series,
			Break: fl.brk, Estimate: fl.est, Note: fl.note(),
		})
		p.res.Lines = append(p.res.Lines, st.line)
	}
}

// roundRatio keeps four decimals: the inputs have at most two.
func roundRatio(v float64) float64 {
	const f = 10000
	return float64(int64(v*f+0.5)) / f
}

func sortIgnored(ig []Ignored) {
	slices.SortFunc(ig, func(a, b Ignored) int {
		return cmp.Or(cmp.Compare(a.Reason, b.Reason), cmp.Compare(a.Area, b.Area))
	})
}
