package indicators

import (
	"sort"
)

// The recency rule: the Region's status for a threshold is computed from each
// Member State's latest value no older than RecencyWindow years before the
// reference year (WHO's "latest available year", bounded). An older latest
// value makes the country stale: it counts neither as met nor as not met.
const (
	RecencyWindow = 5
	RecencyRule   = "latest value within 5 years before the reference year; older values are stale"
	// RegionStatusRule: how the Region's own status follows from the
	// countries' latest values.
	RegionStatusRule = "median of the Member States' latest values within the recency window (R type 7), rated against the threshold; no status under low coverage"
	// ProjectionRule: how a due year not yet reached is judged.
	ProjectionRule = "least-squares line through each country's own observations of the last 10 years (at least 3), never through regional medians"
)

// StableCountryStatus rates one country against a threshold on the recency
// rule: values after refYear are ignored; no value is no_data; a latest value
// older than refYear − RecencyWindow is stale; otherwise met, or, when not
// met, not_met once the due year has passed and on_track/off_track by the
// country's own trend before. Distance is set for gte/lte targets.
// Yes/no indicators are rated by CountryStatus, unchanged.
func StableCountryStatus(m Measure, ind Indicator, series []Observation, refYear int) CountryResult {
	if ind.Kind == KindYesNo {
		return CountryStatus(m, ind, series, refYear)
	}
	var obs []Observation
	for _, o := range series {
		if o.Year <= refYear {
			obs = append(obs, o)
		}
	}
	sort.Slice(obs, func(i, j int) bool { return obs[i].Year < obs[j].Year })
	if len(obs) == 0 {
		r := CountryResult{Status: StatusNoData}
		r.Reason, r.Why = because("no_value_up_to", nil, float64(refYear))
		return r
	}
	latest := obs[len(obs)-1]
	if latest.Year < refYear-RecencyWindow {
		r := CountryResult{Status: StatusStale, Latest: &latest}
		r.Reason, r.Why = because("stale", nil, float64(latest.Year), float64(refYear-RecencyWindow), float64(refYear))
		return r
	}
	r := CountryStatus(m, ind, obs, refYear)
	switch m.Comparison {
	case AtLeast:
		r.Distance = ptr(tidy(latest.Value - m.Target))
	case AtMost:
		r.Distance = ptr(tidy(m.Target - latest.Value))
	}
	if r.Status == StatusOffTrack && m.DueYear < refYear {
		r.Status = StatusNotMet
		r.Reason, r.Why = because("threshold_not_met", nil, round2(latest.Value), float64(latest.Year), float64(m.DueYear))
	}
	return r
}

// StableRegion is a threshold milestone's status for the Region on the
// recency rule, with the counts and coverage it rests on.
type StableRegion struct {
	Status        Status         `json:"status"`
	ReferenceYear int            `json:"reference_year"`
	Counts        map[Status]int `json:"counts"`
	Total         int            `json:"total"`
	// Coverage is that of the countries with a value inside the window.
	Coverage Coverage `json:"coverage"`
	// Median and quartiles of the latest values within the window.
	Median *float64 `json:"median"`
	P25    *float64 `json:"p25"`
	P75    *float64 `json:"p75"`
	// ProjectedMedian is the median of the countries' own projections at
	// the due year, over ProjectedCountries countries that have one.
	ProjectedMedian    *float64                 `json:"projected_median,omitempty"`
	ProjectedCountries int                      `json:"projected_countries,omitempty"`
	Countries          map[string]CountryResult `json:"countries"`
	Reason             string                   `json:"reason"`
	Why                *Why                     `json:"why,omitempty"`
	Rules              []string                 `json:"rules"`
}

// StableRegionStatus rates every Member State with StableCountryStatus and
// the Region by RegionStatusRule. population (one year's, by ISO3) gives the
// coverage's population share. Each country enters once, with its own latest
// value, so one country's new figure moves the median only by replacing that
// country's previous value. Reduce targets get counts but no Region status
// (no_data with a reason).
func StableRegionStatus(m Measure, ind Indicator, byCountry map[string][]Observation, members []Country, population map[string]float64, refYear int) StableRegion {
	r := StableRegion{ReferenceYear: refYear, Total: len(members), Countries: map[string]CountryResult{},
		Counts: map[Status]int{StatusMet: 0, StatusOnTrack: 0, StatusOffTrack: 0, StatusNotMet: 0, StatusStale: 0, StatusNoData: 0},
		Rules:  []string{RecencyRule, RegionStatusRule, ProjectionRule, CoverageRule}}
	var fresh []string
	var latest, projected []float64
	for _, c := range members {
		cr := StableCountryStatus(m, ind, byCountry[c.ISO3], refYear)
		r.Countries[c.ISO3] = cr
		r.Counts[cr.Status]++
		if cr.Status == StatusStale || cr.Status == StatusNoData || cr.Latest == nil {
			continue
		}
		fresh = append(fresh, c.ISO3)
		latest = append(latest, cr.Latest.Value)
		if p, ok := ownProjection(byCountry[c.ISO3], refYear, m.DueYear); ok {
			projected = append(projected, p)
		}
	}
	r.Coverage = MeasureCoverage(fresh, members, population)
	if len(latest) > 0 {
		sort.Float64s(latest)
		r.Median, r.P25, r.P75 = ptr(tidy(quantile(latest, 0.5))), ptr(tidy(quantile(latest, 0.25))), ptr(tidy(quantile(latest, 0.75)))
	}
	if len(projected) > 0 {
		sort.Float64s(projected)
		r.ProjectedMedian, r.ProjectedCountries = ptr(tidy(quantile(projected, 0.5))), len(projected)
	}
	_, counts := because("counts", nil, float64(r.Counts[StatusMet]), float64(r.Total), float64(r.Counts[StatusStale]), float64(r.Counts[StatusNoData]))
	switch {
	case ind.Kind == KindYesNo || m.Comparison == Reduce:
		r.Status = StatusNoData
		r.Reason, r.Why = because("no_region_rule", counts)
	case r.Coverage.Low:
		r.Status = StatusNoData
		r.Reason, r.Why = because("low_coverage", counts, float64(r.Coverage.Countries), float64(r.Total), float64(refYear-RecencyWindow), float64(refYear))
	case meets(m.Comparison, *r.Median, m.Target):
		r.Status = StatusMet
		r.Reason, r.Why = because("median_meets", counts, round2(*r.Median))
	case m.DueYear < refYear:
		r.Status = StatusNotMet
		r.Reason, r.Why = because("median_not_met", counts, round2(*r.Median))
	case r.ProjectedMedian != nil && meets(m.Comparison, *r.ProjectedMedian, m.Target):
		r.Status = StatusOnTrack
		r.Reason, r.Why = because("own_trends_reach", counts, float64(r.ProjectedCountries), round2(*r.ProjectedMedian), float64(m.DueYear))
	default:
		r.Status = StatusOffTrack
		r.Reason, r.Why = because("own_trends_short", counts, float64(m.DueYear))
	}
	return r
}

// ownProjection is the country's own trend value at due: a least-squares
// line through its observations up to refYear in the trendWindow years
// before its latest, at least trendMinPoints of them.
func ownProjection(series []Observation, refYear, due int) (float64, bool) {
	last := 0
	for _, o := range series {
		if o.Year <= refYear {
			last = max(last, o.Year)
		}
	}
	var xs, ys []float64
	for _, o := range series {
		if o.Year <= refYear && o.Year > last-trendWindow {
			xs, ys = append(xs, float64(o.Year)), append(ys, o.Value)
		}
	}
	if len(xs) < trendMinPoints {
		return 0, false
	}
	slope, icept := leastSquares(xs, ys)
	return tidy(icept + slope*float64(due)), true
}
