package indicators

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// CountryResult is a milestone's status for one country (or for the series
// of regional medians).
type CountryResult struct {
	Status    Status       `json:"status"`
	Latest    *Observation `json:"latest"`
	Projected *float64     `json:"projected"` // trend value at the due year, when one was computed
	Progress  *float64     `json:"progress"`  // for reductions: share of the required reduction achieved
	Baseline  *Observation `json:"baseline,omitempty"`
	Reason    string       `json:"reason"`
	Why       *Why         `json:"why,omitempty"` // Reason, to be said in a page's language
	// Distance is the latest value's headroom over a threshold (value −
	// target for "gte", target − value for "lte"; negative when not met);
	// set by StableCountryStatus.
	Distance *float64 `json:"distance,omitempty"`
}

// trendWindow is how many years before the latest observation the trend
// looks back; trendMinPoints the fewest observations a trend is fitted to.
const (
	trendWindow    = 10
	trendMinPoints = 3
)

func meets(c Comparison, v, target float64) bool {
	if c == AtMost {
		return v <= target
	}
	return v >= target
}

// CountryStatus rates one country's series of m.Indicator against a
// milestone:
//   - no_data: no observation (for yes/no indicators: no answer for the
//     due year's round — "not reported yet");
//   - met: the latest value meets the target (for reductions: latest <=
//     baseline × (1 − target), the baseline being the value of the baseline
//     year or else the first observation);
//   - off_track: not met and the due year has passed, or too few points for
//     a trend, or the trend misses;
//   - on_track: not met yet, but a least-squares line through the
//     observations of the last ten years (at least three) reaches the target
//     by the due year.
func CountryStatus(m Measure, ind Indicator, series []Observation, currentYear int) CountryResult {
	obs := append([]Observation(nil), series...)
	sort.Slice(obs, func(i, j int) bool { return obs[i].Year < obs[j].Year })
	if ind.Kind == KindYesNo {
		for i := range obs {
			if obs[i].Year != m.DueYear {
				continue
			}
			o := obs[i]
			r := CountryResult{Status: StatusMet, Latest: &o}
			if meets(m.Comparison, o.Value, m.Target) {
				r.Reason, r.Why = because("reported_for", nil, float64(m.DueYear))
				return r
			}
			r.Status = StatusOffTrack
			r.Reason, r.Why = because("recorded_no", nil, float64(m.DueYear))
			return r
		}
		r := CountryResult{Status: StatusNoData}
		r.Reason, r.Why = because("not_reported", nil)
		return r
	}
	if len(obs) == 0 {
		r := CountryResult{Status: StatusNoData}
		r.Reason, r.Why = because("no_data", nil)
		return r
	}
	latest := obs[len(obs)-1]
	res := CountryResult{Latest: &latest}
	target := m.Target
	cmp := m.Comparison
	if m.Comparison == Reduce {
		base := obs[0]
		if m.BaselineYear != nil {
			found := false
			for _, o := range obs {
				if o.Year == *m.BaselineYear {
					base, found = o, true
				}
			}
			if !found {
				r := CountryResult{Status: StatusNoData, Latest: &latest}
				r.Reason, r.Why = because("no_baseline", nil, float64(*m.BaselineYear))
				return r
			}
		}
		res.Baseline = &base
		required := base.Value * m.Target
		if required > 0 {
			res.Progress = ptr((base.Value - latest.Value) / required)
		}
		target, cmp = base.Value*(1-m.Target), AtMost
	}
	if meets(cmp, latest.Value, target) {
		res.Status = StatusMet
		res.Reason, res.Why = because("meets_target", nil, round2(latest.Value), float64(latest.Year))
		return res
	}
	if m.DueYear < currentYear {
		res.Status = StatusOffTrack
		res.Reason, res.Why = because("due_passed", nil, float64(m.DueYear))
		return res
	}
	var xs, ys []float64
	for _, o := range obs {
		if o.Year > latest.Year-trendWindow {
			xs, ys = append(xs, float64(o.Year)), append(ys, o.Value)
		}
	}
	if len(xs) < trendMinPoints {
		res.Status = StatusOffTrack
		res.Reason, res.Why = because("too_few_points", nil)
		return res
	}
	slope, icept := leastSquares(xs, ys)
	p := tidy(icept + slope*float64(m.DueYear))
	res.Projected = &p
	if meets(cmp, p, target) {
		res.Status = StatusOnTrack
		res.Reason, res.Why = because("trend_reaches", nil, sig4(p), float64(m.DueYear))
	} else {
		res.Status = StatusOffTrack
		res.Reason, res.Why = because("trend_gives", nil, sig4(p), float64(m.DueYear))
	}
	return res
}

func leastSquares(xs, ys []float64) (slope, intercept float64) {
	n := float64(len(xs))
	var sx, sy, sxx, sxy float64
	for i := range xs {
		sx += xs[i]
		sy += ys[i]
		sxx += xs[i] * xs[i]
		sxy += xs[i] * ys[i]
	}
	d := n*sxx - sx*sx
	if d == 0 {
		return 0, sy / n
	}
	slope = (n*sxy - sx*sy) / d
	return slope, (sy - slope*sx) / n
}

// RegionResult is a milestone's status for the Region.
type RegionResult struct {
	Status Status         `json:"status"`
	Counts map[Status]int `json:"counts"`
	Total  int            `json:"total"`
	// Median is the status of the series of regional medians, which gives
	// the Region's own status for measured (non yes/no) indicators.
	Median    *CountryResult           `json:"median,omitempty"`
	Countries map[string]CountryResult `json:"countries"`
	Reason    string                   `json:"reason"`
	Why       *Why                     `json:"why,omitempty"`
}

// RegionStatus rates every Member State and the Region. A country missing
// from byCountry counts as no_data. The Region's status: for yes/no
// indicators met when every Member State met, no_data when none has
// answered, otherwise on_track while the due year has not passed and
// off_track after; for other indicators, the status of the series of
// regional medians (CountryStatus applied to it).
func RegionStatus(m Measure, ind Indicator, byCountry map[string][]Observation, countries []Country, currentYear int) RegionResult {
	r := RegionResult{Counts: map[Status]int{StatusMet: 0, StatusOnTrack: 0, StatusOffTrack: 0, StatusNoData: 0},
		Total: len(countries), Countries: map[string]CountryResult{}}
	var all []Observation
	for _, c := range countries {
		cr := CountryStatus(m, ind, byCountry[c.ISO3], currentYear)
		r.Countries[c.ISO3] = cr
		r.Counts[cr.Status]++
		all = append(all, byCountry[c.ISO3]...)
	}
	if ind.Kind == KindYesNo {
		switch {
		case r.Counts[StatusMet] == r.Total && r.Total > 0:
			r.Status = StatusMet
			r.Reason, r.Why = because("every_member_state_met", nil)
		case r.Counts[StatusNoData] == r.Total:
			r.Status = StatusNoData
			r.Reason, r.Why = because("none_answered", nil)
		case m.DueYear >= currentYear:
			r.Status = StatusOnTrack
			r.Reason, r.Why = because("so_far", nil, float64(r.Counts[StatusMet]), float64(r.Total), float64(m.DueYear))
		default:
			r.Status = StatusOffTrack
			r.Reason, r.Why = because("by_year", nil, float64(r.Counts[StatusMet]), float64(r.Total), float64(m.DueYear))
		}
		return r
	}
	var medians []Observation
	for _, reg := range AggregateSeries(all, nil, false) {
		if reg.Median != nil {
			medians = append(medians, Observation{Indicator: m.Indicator, ISO3: "EUR", Year: reg.Year, Value: *reg.Median,
				Source: fmt.Sprintf("hwfdash: median of %d Member States", reg.Count)})
		}
	}
	med := CountryStatus(m, ind, medians, currentYear)
	r.Median = &med
	r.Status = med.Status
	r.Reason, r.Why = because("regional_median", med.Why)
	return r
}

// fmtValue prints a value for a status reason: a computed median such as
// 102.88499999999999 reads as 102.89, while stored figures keep up to two
// decimals as published.
func fmtValue(v float64) string {
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}
