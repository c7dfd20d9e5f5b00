package indicators

import (
	"cmp"
	"fmt"
	"slices"
)

// The anomaly rule: a change from one year to the next of more than +50 % or
// less than −33 % that no listed series break explains is flagged as an
// unverified jump. The figure stays; charts break the line before it.
const (
	FlagUnverifiedJump = "unverified_jump"
	JumpRule           = "unverified jump: year-on-year change above +50 % or below -33 %, where neither year lies in a listed series break"
	JumpUp             = 0.50
	JumpDown           = -0.33
)

// FlagJumps returns a copy of series (one indicator, any countries) with
// Flag set on every observation whose change from the same country's value
// of the year before is beyond the rule, unless either year is a series
// break (Break, or in breaks): a break's first and last edges are both
// explained by it. Changes across a gap of years are not year-on-year and
// are not compared; nor is a previous value of zero or less.
func FlagJumps(series []Observation, breaks Breaks) []Observation {
	out := append([]Observation(nil), series...)
	if !slices.IsSortedFunc(out, byCountryYear) { // the store's order already is
		slices.SortStableFunc(out, byCountryYear)
	}
	markJumps(out, breaks)
	return out
}

func byCountryYear(a, b Observation) int {
	return cmp.Or(cmp.Compare(a.ISO3, b.ISO3), cmp.Compare(a.Year, b.Year))
}

// MarkJumps is FlagJumps in place, for a series already ordered by country
// and year (the store's order), without a copy: every write to an
// indicator flags its whole series again. It reports false, and leaves the
// series alone, when the series is not in that order.
func MarkJumps(series []Observation, breaks Breaks) bool {
	if !slices.IsSortedFunc(series, byCountryYear) {
		return false
	}
	markJumps(series, breaks)
	return true
}

// markJumps flags a series ordered by country and year in place.
func markJumps(series []Observation, breaks Breaks) {
	for i := 1; i < len(series); i++ {
		prev, cur := &series[i-1], &series[i]
		if prev.ISO3 != cur.ISO3 || prev.Year != cur.Year-1 || prev.Value <= 0 ||
			cur.Break || prev.Break || breaks.Covers(*cur) || breaks.Covers(*prev) {
			continue
		}
		ch := cur.Value/prev.Value - 1
		if ch > JumpUp || ch < JumpDown {
			cur.Flag = FlagUnverifiedJump
			cur.Jump = Jump{Change: ch, From: prev.Value, FromYear: prev.Year}
			cur.FlagNote, _ = cur.Jump.note()
		}
	}
}

// Breaks is the listed series breaks, indexed by indicator and country: a
// series of 1,500 rows is checked in one lookup a row instead of a scan of
// the whole list for each, which was a third of a write's recomputation.
type Breaks map[breakKey][]SeriesBreak

type breakKey struct{ indicator, iso3 string }

// IndexBreaks indexes a list of series breaks.
func IndexBreaks(list []SeriesBreak) Breaks {
	b := make(Breaks, len(list))
	for _, s := range list {
		k := breakKey{s.Indicator, s.ISO3}
		b[k] = append(b[k], s)
	}
	return b
}

// Covers says whether o lies in a listed break of its indicator and
// country.
func (b Breaks) Covers(o Observation) bool {
	for _, s := range b[breakKey{o.Indicator, o.ISO3}] {
		if o.Year >= s.FromYear && o.Year <= s.ToYear {
			return true
		}
	}
	return false
}

// Withheld is a derived figure not shown, with the reason.
type Withheld struct {
	Indicator string `json:"indicator"`
	ISO3      string `json:"iso3"`
	Year      int    `json:"year"`
	Reason    string `json:"reason"`
}

// A derived figure is withheld when it contradicts its published parent.
const (
	WithheldAboveParent  = "derived figure above its published parent"
	WithheldMixedVintage = "inputs from different vintages"
)

// ParentCheck says which published indicator bounds a derived one from
// above (nurses alone cannot exceed nurses and midwives).
type ParentCheck struct {
	Derived string
	Parent  string
}

// ParentChecks are the parent bounds hwfdash applies.
func ParentChecks() []ParentCheck {
	return []ParentCheck{
		{Derived: "hwf_nurses_density", Parent: "HWF_0006"},
		{Derived: "hwf_midwives_density", Parent: "HWF_0006"},
	}
}

// WithholdContradictions splits derived figures into those kept and those
// withheld: a figure above its parent's published value for the same
// country-year (ParentChecks), and, where the parent has no value that year
// but has one in the years the derived series covers, nothing is assumed.
// vintage gives each input indicator's vintage label ("2022/2023"); a
// derived indicator whose inputs carry different labels is withheld in full
// (mixed vintages) unless its op is "per10k" with population as the second
// input, population being a denominator without vintage.
func WithholdContradictions(ind Indicator, derived []Observation, parents map[string][]Observation, vintage map[string]string) (kept []Observation, withheld []Withheld) {
	if ind.Derived != nil && mixedVintage(ind.Derived, vintage) {
		for _, d := range derived {
			withheld = append(withheld, Withheld{d.Indicator, d.ISO3, d.Year,
				WithheldMixedVintage + ": " + vintageList(ind.Derived, vintage)})
		}
		return nil, withheld
	}
	bound := map[Key]float64{}
	for _, pc := range ParentChecks() {
		if pc.Derived != ind.ID {
			continue
		}
		for _, p := range parents[pc.Parent] {
			bound[Key{ind.ID, p.ISO3, p.Year}] = p.Value
		}
	}
	for _, d := range derived {
		if b, ok := bound[d.Key()]; ok && d.Value > b {
			withheld = append(withheld, Withheld{d.Indicator, d.ISO3, d.Year,
				fmt.Sprintf("%s: %s above the published %s for %d", WithheldAboveParent, fmtValue(d.Value), fmtValue(b), d.Year)})
			continue
		}
		kept = append(kept, d)
	}
	return kept, withheld
}

func mixedVintage(d *Derivation, vintage map[string]string) bool {
	seen := ""
	for i, in := range d.Inputs {
		if d.Op == "per10k" && i == 1 {
			continue
		}
		v := vintage[in]
		if v == "" {
			continue
		}
		if seen != "" && v != seen {
			return true
		}
		seen = v
	}
	return false
}

func vintageList(d *Derivation, vintage map[string]string) string {
	s := ""
	for i, in := range d.Inputs {
		if i > 0 {
			s += ", "
		}
		s += in + " " + vintage[in]
	}
	return s
}
