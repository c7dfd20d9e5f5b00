package indicators

import (
	"fmt"
	"math"
	"sort"
)

// Distances are descriptive comparisons that vary where every Member State is
// on the same side of a threshold. None is a target.
const (
	DistanceLabel = "descriptive comparison, not a target"
	// CodeAdoptionYear is the baseline of "change since the Code" (WHA63.16,
	// 21 May 2010).
	CodeAdoptionYear = 2010
	// BaselineTolerance: where a country has no value for a baseline year,
	// the nearest observed year within this many years stands in (the
	// earlier on a tie), and the change names the year used.
	BaselineTolerance = 2
	ChangeRule        = "change from the value of the baseline year (or the nearest observed year within 2 years, the earlier on a tie) to the latest value"
	QuartileRule      = "quartile of the latest value among the Member States' latest values within the recency window, cut points by linear interpolation (R type 7); a value on a cut point takes the lower quartile"
)

// PeriodChange is a descriptive change between two observed years.
type PeriodChange struct {
	FromYear int      `json:"from_year"`
	ToYear   int      `json:"to_year"`
	From     float64  `json:"from"`
	To       float64  `json:"to"`
	Absolute float64  `json:"absolute"`
	Relative *float64 `json:"relative"` // nil when From is 0
	// Declining is set where the value fell.
	Declining bool `json:"declining"`
	// AcrossBreak is set where a series break or an unverified jump lies in
	// (FromYear, ToYear]: the change mixes two definitions or may not be
	// real.
	AcrossBreak bool   `json:"across_break"`
	Label       string `json:"label"`
}

// Distances for one country's latest value.
type Distances struct {
	ISO3  string  `json:"iso3"`
	Year  int     `json:"year"`
	Value float64 `json:"value"`
	// Headroom is the distance to the threshold (value − target for "gte",
	// target − value for "lte"); nil without a threshold.
	Headroom *float64 `json:"headroom"`
	// Quartile is 1..4 in the Region's distribution (QuartileRule); 0 when
	// the distribution is empty.
	Quartile     int           `json:"quartile"`
	SinceCode    *PeriodChange `json:"change_since_2010"`
	LastFiveYear *PeriodChange `json:"change_last_5_years"`
	Label        string        `json:"label"`
}

// ChangeBetween gives the change in series (one country, one indicator) from
// the baseline year, or the nearest observed year within BaselineTolerance,
// to the latest observation. nil when no baseline qualifies or the latest is
// not after it.
func ChangeBetween(series []Observation, baseline int) *PeriodChange {
	if len(series) == 0 {
		return nil
	}
	obs := append([]Observation(nil), series...)
	sort.Slice(obs, func(i, j int) bool { return obs[i].Year < obs[j].Year })
	latest := obs[len(obs)-1]
	var base *Observation
	for d := 0; d <= BaselineTolerance && base == nil; d++ {
		for _, y := range []int{baseline - d, baseline + d} {
			for i := range obs {
				if obs[i].Year == y && base == nil {
					base = &obs[i]
				}
			}
		}
	}
	if base == nil || base.Year >= latest.Year {
		return nil
	}
	c := &PeriodChange{FromYear: base.Year, ToYear: latest.Year, From: base.Value, To: latest.Value,
		Absolute: tidy(latest.Value - base.Value), Label: DistanceLabel}
	if base.Value != 0 {
		c.Relative = ptr(tidy(latest.Value/base.Value - 1))
	}
	c.Declining = c.Absolute < 0
	for _, o := range obs {
		if o.Year > base.Year && o.Year <= latest.Year && (o.Break || o.Flag == FlagUnverifiedJump) {
			c.AcrossBreak = true
		}
	}
	return c
}

// QuartileOf places v in the distribution of values (QuartileRule).
func QuartileOf(v float64, values []float64) int {
	if len(values) == 0 || math.IsNaN(v) {
		return 0
	}
	s := append([]float64(nil), values...)
	sort.Float64s(s)
	switch {
	case v <= quantile(s, 0.25):
		return 1
	case v <= quantile(s, 0.5):
		return 2
	case v <= quantile(s, 0.75):
		return 3
	}
	return 4
}

// CountryDistances gives the distances of one country's latest value within
// the recency window: headroom over m (nil m: none), its quartile among
// regionLatest (the Member States' latest values, e.g. from
// StableRegion.Countries), the change since 2010 and over the last five
// years. nil when the country has no value in the window.
func CountryDistances(iso3 string, series []Observation, m *Measure, regionLatest []float64, refYear int) *Distances {
	var obs []Observation
	for _, o := range series {
		if o.Year <= refYear {
			obs = append(obs, o)
		}
	}
	if len(obs) == 0 {
		return nil
	}
	sort.Slice(obs, func(i, j int) bool { return obs[i].Year < obs[j].Year })
	latest := obs[len(obs)-1]
	if latest.Year < refYear-RecencyWindow {
		return nil
	}
	d := &Distances{ISO3: iso3, Year: latest.Year, Value: latest.Value, Label: DistanceLabel,
		Quartile: QuartileOf(latest.Value, regionLatest), SinceCode: ChangeBetween(obs, CodeAdoptionYear),
		LastFiveYear: ChangeBetween(obs, latest.Year-5)}
	if m != nil {
		switch m.Comparison {
		case AtLeast:
			d.Headroom = ptr(tidy(latest.Value - m.Target))
		case AtMost:
			d.Headroom = ptr(tidy(m.Target - latest.Value))
		}
	}
	return d
}

// LatestValues lists the latest values of the countries a StableRegion
// rated as fresh (neither stale nor without data), for QuartileOf.
func (r StableRegion) LatestValues() []float64 {
	var out []float64
	for _, cr := range r.Countries {
		if cr.Latest != nil && cr.Status != StatusStale && cr.Status != StatusNoData {
			out = append(out, cr.Latest.Value)
		}
	}
	sort.Float64s(out)
	return out
}

// String is a short reading of a change ("+12.3 since 2010").
func (c PeriodChange) String() string {
	return fmt.Sprintf("%+g since %d", c.Absolute, c.FromYear)
}
