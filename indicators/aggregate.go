package indicators

import (
	"math"
	"sort"
)

// Regional is the distribution of one indicator across the Member States
// reporting it in one year. Every statistic is nil when no country reports.
type Regional struct {
	Year         int      `json:"year"`
	Count        int      `json:"count"`
	Median       *float64 `json:"median"`
	P25          *float64 `json:"p25"`
	P75          *float64 `json:"p75"`
	Min          *Extreme `json:"min"`
	Max          *Extreme `json:"max"`
	WeightedMean *float64 `json:"weighted_mean"`
	Countries    []string `json:"countries"`
	// Coverage, WeightBasis and WeightNote are set by AggregateRegion (nil
	// and empty from Aggregate, and then left out of the JSON).
	Coverage    *Coverage   `json:"coverage,omitempty"`
	WeightBasis WeightBasis `json:"weight_basis,omitempty"`
	// WeightNote says why WeightedMean is null where the measure has weights.
	WeightNote string `json:"weighted_mean_note,omitempty"`
	// Flagged lists the covered countries whose value is an unverified jump.
	Flagged []string `json:"unverified_jumps,omitempty"`
}

// Extreme is a minimum or maximum with the country that has it.
type Extreme struct {
	ISO3  string  `json:"iso3"`
	Value float64 `json:"value"`
}

// Aggregate summarises the observations of one indicator for one year.
// Quartiles use linear interpolation between closest ranks (R type 7, the
// numpy default): the p-quantile of sorted x[0..n-1] is x[h] with h = p(n-1).
// Ties for min or max go to the alphabetically first ISO3. The weighted mean
// uses population weights and is given only when weighted is true and every
// reporting country has a population that year: a mean over a subset of the
// weights would silently change what it means.
func Aggregate(obs []Observation, year int, population map[string]float64, weighted bool) Regional {
	r := Regional{Year: year, Countries: []string{}}
	var vals []Observation
	for _, o := range obs {
		if o.Year == year && !math.IsNaN(o.Value) {
			vals = append(vals, o)
		}
	}
	r.Count = len(vals)
	if r.Count == 0 {
		return r
	}
	sort.Slice(vals, func(i, j int) bool {
		if vals[i].Value != vals[j].Value {
			return vals[i].Value < vals[j].Value
		}
		return vals[i].ISO3 < vals[j].ISO3
	})
	xs := make([]float64, len(vals))
	for i, o := range vals {
		xs[i] = o.Value
		r.Countries = append(r.Countries, o.ISO3)
	}
	sort.Strings(r.Countries)
	r.Median, r.P25, r.P75 = ptr(tidy(quantile(xs, 0.5))), ptr(tidy(quantile(xs, 0.25))), ptr(tidy(quantile(xs, 0.75)))
	r.Min = &Extreme{vals[0].ISO3, vals[0].Value}
	// The maximum's tie goes to the first ISO3 among the largest values.
	maxV := vals[len(vals)-1].Value
	for _, o := range vals {
		if o.Value == maxV {
			r.Max = &Extreme{o.ISO3, o.Value}
			break
		}
	}
	if weighted {
		var sum, wsum float64
		complete := true
		for _, o := range vals {
			p, ok := population[o.ISO3]
			if !ok || p <= 0 {
				complete = false
				break
			}
			sum += o.Value * p
			wsum += p
		}
		if complete && wsum > 0 {
			r.WeightedMean = ptr(tidy(sum / wsum))
		}
	}
	return r
}

func quantile(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[i]
	}
	return sorted[i] + (h-lo)*(sorted[i+1]-sorted[i])
}

// AggregateSeries aggregates every year present in obs, ascending.
func AggregateSeries(obs []Observation, population map[int]map[string]float64, weighted bool) []Regional {
	years := map[int]bool{}
	for _, o := range obs {
		years[o.Year] = true
	}
	ys := make([]int, 0, len(years))
	for y := range years {
		ys = append(ys, y)
	}
	sort.Ints(ys)
	out := make([]Regional, 0, len(ys))
	for _, y := range ys {
		out = append(out, Aggregate(obs, y, population[y], weighted))
	}
	return out
}

// RegionContext is what a regional aggregate needs besides the indicator's
// own values, all for the aggregate's year.
type RegionContext struct {
	Members    []Country
	Population map[string]float64 // by ISO3
	// Inputs holds the values of WeightingFor(ind).Inputs() by indicator id
	// and ISO3.
	Inputs map[string]map[string]float64
}

// AggregateRegion is Aggregate with the Region's coverage and the weighted
// mean the measure supports (WeightingFor): population weights for rates
// per population, the denominator for shares, none for counts. Observations
// of countries outside rc.Members are ignored.
func AggregateRegion(ind Indicator, obs []Observation, year int, rc RegionContext) Regional {
	member := make(map[string]bool, len(rc.Members))
	for _, m := range rc.Members {
		member[m.ISO3] = true
	}
	var own []Observation
	values := map[string]float64{}
	var flagged []string
	for _, o := range obs {
		if o.Year == year && member[o.ISO3] && !math.IsNaN(o.Value) {
			own = append(own, o)
			values[o.ISO3] = o.Value
			if o.Flag == FlagUnverifiedJump {
				flagged = append(flagged, o.ISO3)
			}
		}
	}
	r := Aggregate(own, year, nil, false)
	cv := MeasureCoverage(r.Countries, rc.Members, rc.Population)
	r.Coverage = &cv
	sort.Strings(flagged)
	r.Flagged = flagged
	spec := WeightingFor(ind)
	r.WeightBasis = spec.Basis
	if spec.Basis == WeightNone || len(values) == 0 {
		return r
	}
	w, why := Weights(ind, values, rc.Inputs, rc.Population)
	if w == nil {
		r.WeightNote = why
		return r
	}
	if m, ok := WeightedMean(values, w); ok {
		r.WeightedMean = &m
	}
	return r
}
