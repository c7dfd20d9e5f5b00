package indicators

import (
	"fmt"
	"sort"
	"strings"
)

// WeightBasis says how a regional mean of an indicator is weighted.
type WeightBasis string

// The weight bases. A regional mean is published only where its weights fit
// the measure: a rate per population is weighted by population (the mean is
// then the Region's own rate); a share of some total (GDP, government
// expenditure, health expenditure, doctors) by that total, so that the mean
// is the Region's ratio Σ numerator / Σ denominator; counts and yes/no
// answers get no mean.
const (
	WeightPopulation  WeightBasis = "population"
	WeightDenominator WeightBasis = "denominator"
	WeightNone        WeightBasis = "none"
)

// WeightSpec is how the weights of an indicator's regional mean are got.
type WeightSpec struct {
	Basis WeightBasis `json:"basis"`
	// Denominator names what a share is of ("GDP").
	Denominator string `json:"denominator,omitempty"`
	// Formula is how the denominator is derived from shipped series.
	Formula string `json:"formula,omitempty"`
	// perCapita is an indicator in US$ per capita: the denominator itself
	// (share of CHE: CHE per capita × population) or, with fromShare, the
	// numerator, whence denominator = numerator × population ÷ (share/100).
	perCapita string
	fromShare bool
	// count is an indicator whose headcount is the denominator.
	count string
}

// Inputs lists the indicator ids whose values the weights need, besides
// the indicator itself and population.
func (w WeightSpec) Inputs() []string {
	switch {
	case w.perCapita != "":
		return []string{w.perCapita}
	case w.count != "":
		return []string{w.count}
	}
	return nil
}

const (
	ghedCHEpc   = "GHED_CHE_pc_US_SHA2011"
	ghedGGHEDpc = "GHED_GGHE-D_pc_US_SHA2011"
)

// WeightingFor gives the weight spec of an indicator. Unknown shares (a
// KindPercent indicator not listed here) get WeightDenominator with no
// way to derive it, so their mean is withheld with a reason.
func WeightingFor(ind Indicator) WeightSpec {
	switch ind.ID {
	case "GHED_CHEGDP_SHA2011":
		return WeightSpec{Basis: WeightDenominator, Denominator: "GDP", perCapita: ghedCHEpc, fromShare: true,
			Formula: "GDP = CHE per capita (US$) × population ÷ (CHE % of GDP / 100)"}
	case "GHED_GGHE-DGDP_SHA2011":
		return WeightSpec{Basis: WeightDenominator, Denominator: "GDP", perCapita: ghedGGHEDpc, fromShare: true,
			Formula: "GDP = GGHE-D per capita (US$) × population ÷ (GGHE-D % of GDP / 100)"}
	case "GHED_GGHE-DGGE_SHA2011":
		return WeightSpec{Basis: WeightDenominator, Denominator: "general government expenditure", perCapita: ghedGGHEDpc, fromShare: true,
			Formula: "GGE = GGHE-D per capita (US$) × population ÷ (GGHE-D % of GGE / 100)"}
	case "GHED_GGHE-DCHE_SHA2011", "GHED_OOPSCHE_SHA2011":
		return WeightSpec{Basis: WeightDenominator, Denominator: "current health expenditure", perCapita: ghedCHEpc,
			Formula: "CHE = CHE per capita (US$) × population"}
	case "mig_doctors_foreign_trained_pct", "dist_doctors_rural_pct":
		return WeightSpec{Basis: WeightDenominator, Denominator: "medical doctors", count: "HWF_0002",
			Formula: "medical doctors (number, HWF_0002)"}
	case "mig_nurses_foreign_trained_pct":
		return WeightSpec{Basis: WeightDenominator, Denominator: "nursing personnel", count: "HWF_0008",
			Formula: "nursing personnel (number, HWF_0008)"}
	}
	switch ind.Kind {
	case KindDensity, KindAmount:
		return WeightSpec{Basis: WeightPopulation, Denominator: "population", Formula: "population (World Bank SP.POP.TOTL)"}
	case KindPercent:
		return WeightSpec{Basis: WeightDenominator}
	}
	return WeightSpec{Basis: WeightNone}
}

// Weights gives each country's weight for the regional mean of ind in one
// year. values are ind's values by ISO3; inputs the year's values of
// WeightSpec.Inputs() by indicator id and ISO3; population the year's
// population by ISO3. The weights are complete (one per country in values)
// or nil with the reason, naming the countries whose weight is missing: a
// mean over part of the weights would silently change what it means.
func Weights(ind Indicator, values map[string]float64, inputs map[string]map[string]float64, population map[string]float64) (map[string]float64, string) {
	spec := WeightingFor(ind)
	if spec.Basis == WeightNone {
		return nil, "no regional mean: a count or yes/no answer has no meaningful mean"
	}
	if spec.Basis == WeightDenominator && spec.perCapita == "" && spec.count == "" {
		return nil, "no regional mean: the share's denominator cannot be derived from the shipped series"
	}
	w := make(map[string]float64, len(values))
	var missing []string
	for iso3, v := range values {
		var x float64
		ok := false
		switch {
		case spec.Basis == WeightPopulation:
			x, ok = population[iso3]
		case spec.count != "":
			x, ok = inputs[spec.count][iso3]
		default:
			pc, okPC := inputs[spec.perCapita][iso3]
			p, okPop := population[iso3]
			x, ok = pc*p, okPC && okPop
			if spec.fromShare {
				ok = ok && v > 0
				if ok {
					x /= v / 100
				}
			}
		}
		if !ok || x <= 0 {
			missing = append(missing, iso3)
			continue
		}
		w[iso3] = x
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		what := spec.Denominator
		if spec.Basis == WeightPopulation {
			what = "population"
		}
		return nil, fmt.Sprintf("no regional mean: %s not derivable for %s", what, strings.Join(missing, ", "))
	}
	return w, ""
}

// WeightedMean is Σ wᵢvᵢ / Σ wᵢ over values, which must all have a weight.
func WeightedMean(values, weights map[string]float64) (float64, bool) {
	vs, ws := make([]float64, 0, len(values)), make([]float64, 0, len(values))
	for iso3, v := range values {
		w, ok := weights[iso3]
		if !ok {
			return 0, false
		}
		vs, ws = append(vs, v), append(ws, w)
	}
	m, ok := weightedMean(vs, ws)
	if !ok {
		return 0, false
	}
	return tidy(m), true
}
