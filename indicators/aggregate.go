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
	vals := make([]point, 0, len(obs))
	for _, o := range obs {
		if o.Year == year && !math.IsNaN(o.Value) {
			vals = append(vals, point{o.ISO3, o.Value})
		}
	}
	return aggregate(vals, year, population, weighted)
}

// point is what an aggregate reads of an observation. Aggregates copy and
// sort the year's values; a copy of these is an eighth of a copy of the
// observations, which matters to the collector because every write to an
// indicator recomputes its aggregates for all years (issue 17).
type point struct {
	ISO3  string
	Value float64
}

// aggregate is Aggregate over one year's values, which it sorts in place.
func aggregate(vals []point, year int, population map[string]float64, weighted bool) Regional {
	r := Regional{Year: year, Countries: make([]string, 0, len(vals))}
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
		vs, ws := make([]float64, 0, len(vals)), make([]float64, 0, len(vals))
		complete := true
		for _, o := range vals {
			p, ok := population[o.ISO3]
			if !ok || p <= 0 {
				complete = false
				break
			}
			vs, ws = append(vs, o.Value), append(ws, p)
		}
		if m, ok := weightedMean(vs, ws); complete && ok {
			r.WeightedMean = ptr(tidy(m))
		}
	}
	return r
}

// weightedMean is Σ v·w / Σ w, finite for any finite values and positive
// weights: when the plain sums overflow (values near float64's limit, which
// validation keeps out but a stored figure may predate), it is recomputed
// with values and weights scaled by their largest magnitude, so that no
// partial sum exceeds the largest value. The plain sums come first so that
// ordinary figures keep their exact, long-published results.
func weightedMean(vs, ws []float64) (float64, bool) {
	var sum, wsum float64
	for i, v := range vs {
		sum += v * ws[i]
		wsum += ws[i]
	}
	if !(wsum > 0) {
		return 0, false
	}
	if m := sum / wsum; !math.IsInf(m, 0) && !math.IsNaN(m) {
		return m, true
	}
	var vmax, wmax float64
	for i, v := range vs {
		vmax, wmax = math.Max(vmax, math.Abs(v)), math.Max(wmax, ws[i])
	}
	if math.IsInf(vmax, 0) || math.IsNaN(vmax) || math.IsInf(wmax, 0) || !(wmax > 0) {
		return 0, false
	}
	var m, wn float64
	for _, w := range ws {
		wn += w / wmax
	}
	for i, v := range vs {
		m += (v / vmax) * (ws[i] / wmax / wn)
	}
	return m * vmax, true
}

func quantile(sorted []float64, p float64) float64 {
	h := p * float64(len(sorted)-1)
	lo := math.Floor(h)
	i := int(lo)
	if i+1 >= len(sorted) {
		return sorted[i]
	}
	a, b, f := sorted[i], sorted[i+1], h-lo
	if d := b - a; !math.IsInf(d, 0) {
		return a + f*d
	}
	// The difference of two values of opposite sign near float64's limit
	// overflows; the weighted form cannot.
	return (1-f)*a + f*b
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
	// IsMember, when set, is Members as a set (MemberSet): a caller
	// aggregating every year makes it once rather than once a year.
	IsMember map[string]bool
}

// MemberSet is the ISO3 codes of members, as a set.
func MemberSet(members []Country) map[string]bool {
	set := make(map[string]bool, len(members))
	for _, m := range members {
		set[m.ISO3] = true
	}
	return set
}

// AggregateRegion is Aggregate with the Region's coverage and the weighted
// mean the measure supports (WeightingFor): population weights for rates
// per population, the denominator for shares, none for counts. Observations
// of countries outside rc.Members are ignored.
func AggregateRegion(ind Indicator, obs []Observation, year int, rc RegionContext) Regional {
	member := rc.IsMember
	if member == nil {
		member = MemberSet(rc.Members)
	}
	own := make([]point, 0, len(obs))
	values := make(map[string]float64, len(obs))
	var flagged []string
	for _, o := range obs {
		if o.Year == year && member[o.ISO3] && !math.IsNaN(o.Value) {
			own = append(own, point{o.ISO3, o.Value})
			values[o.ISO3] = o.Value
			if o.Flag == FlagUnverifiedJump {
				flagged = append(flagged, o.ISO3)
			}
		}
	}
	r := aggregate(own, year, nil, false)
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
