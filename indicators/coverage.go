package indicators

import (
	"fmt"
	"sort"
)

// The coverage rule: a regional figure is "low coverage" when the Member
// States it covers are fewer than half of the Region's, or hold under half of
// its population. A low-coverage year is marked wherever it appears and is
// never the basis of a status or of a view's default year.
const (
	CoverageRule          = "low coverage: fewer than half of the Member States or under half of the Region's population"
	MinMemberStateShare   = 0.5
	MinPopulationShare    = 0.5
	DefaultYearRule       = "latest year with adequate coverage"
	DefaultYearRuleNoYear = "no year has adequate coverage"
)

// Coverage says how much of the Region a regional figure stands for.
type Coverage struct {
	// Countries is how many Member States have a value; MemberStates how
	// many the Region has.
	Countries    int `json:"countries"`
	MemberStates int `json:"member_states"`
	// PopulationShare is the covered Member States' share (0..1) of the
	// Region's population that year; nil where a Member State's population
	// is unknown for the year, in which case the Member State count alone
	// decides.
	PopulationShare *float64 `json:"population_share"`
	Low             bool     `json:"low_coverage"`
	Rule            string   `json:"coverage_rule"`
}

// MeasureCoverage computes the coverage of the Member States in covered
// (ISO3 codes; codes outside members are ignored) for one year's population.
func MeasureCoverage(covered []string, members []Country, population map[string]float64) Coverage {
	in := make(map[string]bool, len(covered))
	for _, c := range covered {
		in[c] = true
	}
	cv := Coverage{MemberStates: len(members), Rule: CoverageRule}
	var popIn, popAll float64
	popKnown := len(members) > 0
	for _, m := range members {
		p, ok := population[m.ISO3]
		if !ok || p <= 0 {
			popKnown = false
		}
		popAll += p
		if in[m.ISO3] {
			cv.Countries++
			popIn += p
		}
	}
	if popKnown && popAll > 0 {
		cv.PopulationShare = ptr(tidy(popIn / popAll))
	}
	cv.Low = cv.MemberStates == 0 || float64(cv.Countries) < MinMemberStateShare*float64(cv.MemberStates) ||
		(cv.PopulationShare != nil && *cv.PopulationShare < MinPopulationShare)
	return cv
}

// YearChoice is the default year of a regional view and the rule that chose
// it.
type YearChoice struct {
	Year   int    `json:"year"` // 0 when no year qualifies
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

// DefaultYear picks the latest year whose coverage is adequate. A year
// without coverage measured counts as not adequate. When no year qualifies
// the choice has Year 0 and DefaultYearRuleNoYear: a caller shows the
// figures marked as low coverage and states no status.
func DefaultYear(series []Regional) YearChoice {
	s := append([]Regional(nil), series...)
	sort.Slice(s, func(i, j int) bool { return s[i].Year > s[j].Year })
	for _, r := range s {
		if r.Coverage != nil && !r.Coverage.Low {
			skipped := 0
			for _, later := range s {
				if later.Year > r.Year {
					skipped++
				}
			}
			reason := fmt.Sprintf("%d: %d of %d Member States", r.Year, r.Coverage.Countries, r.Coverage.MemberStates)
			if skipped > 0 {
				reason += fmt.Sprintf("; %d later year(s) have low coverage", skipped)
			}
			return YearChoice{Year: r.Year, Rule: DefaultYearRule, Reason: reason}
		}
	}
	return YearChoice{Rule: DefaultYearRuleNoYear, Reason: CoverageRule}
}
