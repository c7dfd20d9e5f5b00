package engine

import (
	"context"
	"fmt"
	"sort"

	"github.com/hwfdash/hwfdash/indicators"
)

// Series returns an indicator's newest observations, derived on the fly for
// derived indicators, with published series breaks flagged.
func (e *Engine) Series(ctx context.Context, ind indicators.Indicator, countries []string, tr TimeRange) ([]indicators.Observation, error) {
	if ind.Derived != nil {
		inputs := map[string][]indicators.Observation{}
		for _, in := range ind.Derived.Inputs {
			obs, err := e.Series(ctx, e.ref.ByID[in], countries, tr)
			if err != nil {
				return nil, err
			}
			inputs[in] = obs
		}
		return indicators.Derive(ind, inputs), nil
	}
	obs, err := e.store.Latest(ctx, indicators.Query{
		Indicators: []string{ind.ID}, Countries: countries, FromYear: tr.From, ToYear: tr.To,
	})
	if err != nil {
		return nil, err
	}
	e.flagBreaks(obs)
	return obs, nil
}

func (e *Engine) flagBreaks(obs []indicators.Observation) {
	for i := range obs {
		o := &obs[i]
		for _, b := range e.ref.Breaks {
			if b.Indicator == o.Indicator && b.ISO3 == o.ISO3 && o.Year >= b.FromYear && o.Year <= b.ToYear {
				o.Break = true
				break
			}
		}
	}
}

// population returns World Bank population by year and ISO3.
func (e *Engine) population(ctx context.Context, tr TimeRange) (map[int]map[string]float64, error) {
	obs, err := e.store.Latest(ctx, indicators.Query{Indicators: []string{"SP.POP.TOTL"}, FromYear: tr.From, ToYear: tr.To})
	if err != nil {
		return nil, err
	}
	out := map[int]map[string]float64{}
	for _, o := range obs {
		if out[o.Year] == nil {
			out[o.Year] = map[string]float64{}
		}
		out[o.Year][o.ISO3] = o.Value
	}
	return out, nil
}

// DataRow is one country-year of an indicator in API responses.
type DataRow struct {
	ISO3      string  `json:"iso3"`
	Country   string  `json:"country"`
	Indicator string  `json:"indicator"`
	Year      int     `json:"year"`
	Value     float64 `json:"value"`
	Unit      string  `json:"unit"`
	Source    string  `json:"source"`
	Note      string  `json:"note,omitempty"`
	Break     bool    `json:"series_break"`
	Revision  int64   `json:"revision,omitempty"`
	Author    string  `json:"author,omitempty"`
}

// DataResult is the answer to /api/v1/indicators/{id}/data.
type DataResult struct {
	Indicator indicators.Indicator `json:"indicator"`
	Version   int64                `json:"version"`
	Rows      []DataRow            `json:"rows"`
	// Missing lists the requested countries with no value in the range:
	// they are shown as missing, never as zero.
	Missing []string `json:"missing"`
}

// Data is an indicator's newest values for countries (nil: all) and years,
// with the requested countries that have none listed as missing.
func (e *Engine) Data(ctx context.Context, ind indicators.Indicator, countries []string, tr TimeRange, version int64) (DataResult, error) {
	obs, err := e.Series(ctx, ind, countries, tr)
	if err != nil {
		return DataResult{}, err
	}
	res := DataResult{Indicator: ind, Version: version, Rows: make([]DataRow, 0, len(obs)), Missing: []string{}}
	have := map[string]bool{}
	for _, o := range obs {
		have[o.ISO3] = true
		res.Rows = append(res.Rows, e.Row(ind, o))
	}
	want := countries
	if len(want) == 0 {
		want = e.ref.AllISO3()
	}
	for _, c := range want {
		if !have[c] {
			res.Missing = append(res.Missing, c)
		}
	}
	return res, nil
}

// Row is an observation as the API shows it.
func (e *Engine) Row(ind indicators.Indicator, o indicators.Observation) DataRow {
	return DataRow{
		ISO3: o.ISO3, Country: e.ref.CountryName(o.ISO3), Indicator: ind.ID, Year: o.Year, Value: o.Value,
		Unit: ind.Unit, Source: o.Source, Note: o.Note, Break: o.Break, Revision: o.Revision, Author: o.Author,
	}
}

// RegionalResult is the answer to /api/v1/indicators/{id}/regional.
type RegionalResult struct {
	Indicator string `json:"indicator"`
	Version   int64  `json:"version"`
	indicators.Regional
	// WeightedNote says why weighted_mean is null where it is.
	WeightedNote string `json:"weighted_mean_note,omitempty"`
}

// defaultYear picks the year a view shows when none is asked for: the most
// recent year in which at least half as many countries report as in the
// best-covered year. The very latest year often has only a handful of early
// reporters, and a regional median of three countries would mislead.
func defaultYear(obs []indicators.Observation) int {
	count := map[int]int{}
	for _, o := range obs {
		count[o.Year]++
	}
	return defaultYearOf(count)
}

// defaultYearOf is defaultYear from the number of values in each year.
func defaultYearOf(count map[int]int) int {
	best := 0
	for _, n := range count {
		best = max(best, n)
	}
	year := 0
	for y, n := range count {
		if 2*n >= best && y > year {
			year = y
		}
	}
	return year
}

// defaultYear is the latest year with at least half as many values as the
// best-covered year. A stored indicator's counts come from the store without
// reading its series (a push after every write needs this first); a derived
// one has values only where its inputs meet, so its series is derived.
func (e *Engine) defaultYear(ctx context.Context, ind indicators.Indicator) (int, error) {
	if ind.Derived == nil {
		counts, err := e.store.YearCounts(ctx, ind.ID)
		if err != nil {
			return 0, err
		}
		return defaultYearOf(counts), nil
	}
	all, err := e.Series(ctx, ind, nil, TimeRange{})
	if err != nil {
		return 0, err
	}
	return defaultYear(all), nil
}

// Regional is an indicator's regional aggregate for a year; 0 picks the
// default year (see defaultYear).
func (e *Engine) Regional(ctx context.Context, ind indicators.Indicator, year int, version int64) (RegionalResult, error) {
	if year == 0 {
		var err error
		if year, err = e.defaultYear(ctx, ind); err != nil {
			return RegionalResult{}, err
		}
	}
	res := RegionalResult{Indicator: ind.ID, Version: version}
	if year == 0 {
		res.Regional = indicators.Aggregate(nil, 0, nil, false)
		return res, nil
	}
	obs, err := e.Series(ctx, ind, nil, TimeRange{year, year})
	if err != nil {
		return RegionalResult{}, err
	}
	pop, err := e.population(ctx, TimeRange{year, year})
	if err != nil {
		return RegionalResult{}, err
	}
	res.Regional = indicators.Aggregate(obs, year, pop[year], ind.Weighted)
	switch {
	case !ind.Weighted:
		res.WeightedNote = "not meaningful for this indicator"
	case res.WeightedMean == nil && res.Count > 0:
		res.WeightedNote = "population missing for a reporting country in this year"
	}
	return res, nil
}

// MilestoneResult is a milestone with its status for the Region.
type MilestoneResult struct {
	indicators.Milestone
	Region *indicators.RegionResult `json:"region,omitempty"`
}

// MilestonesResult is the answer to /api/v1/milestones.
type MilestonesResult struct {
	Version    int64             `json:"version"`
	Milestones []MilestoneResult `json:"milestones"`
}

// Milestones is every milestone, by year, with its regional status where
// an indicator measures it.
func (e *Engine) Milestones(ctx context.Context, version int64) (MilestonesResult, error) {
	res := MilestonesResult{Version: version, Milestones: []MilestoneResult{}}
	for _, m := range e.ref.Milestones {
		mr := MilestoneResult{Milestone: m}
		if m.Measure != nil {
			rr, err := e.regionStatus(ctx, *m.Measure)
			if err != nil {
				return res, err
			}
			mr.Region = &rr
		}
		res.Milestones = append(res.Milestones, mr)
	}
	sort.SliceStable(res.Milestones, func(i, j int) bool {
		return yearOf(res.Milestones[i].Milestone) < yearOf(res.Milestones[j].Milestone)
	})
	return res, nil
}

// yearOf sorts milestones without a stated year last.
func yearOf(m indicators.Milestone) int {
	if m.Year == nil {
		return 1 << 30
	}
	return *m.Year
}

func (e *Engine) regionStatus(ctx context.Context, m indicators.Measure) (indicators.RegionResult, error) {
	ind, ok := e.ref.ByID[m.Indicator]
	if !ok {
		return indicators.RegionResult{}, fmt.Errorf("milestone measure names unknown indicator %q", m.Indicator)
	}
	obs, err := e.Series(ctx, ind, nil, TimeRange{})
	if err != nil {
		return indicators.RegionResult{}, err
	}
	return indicators.RegionStatus(m, ind, byCountry(obs), e.ref.Countries, e.currentYear()), nil
}

func byCountry(obs []indicators.Observation) map[string][]indicators.Observation {
	out := map[string][]indicators.Observation{}
	for _, o := range obs {
		out[o.ISO3] = append(out[o.ISO3], o)
	}
	return out
}

// SummaryItem is one indicator on a country's summary.
type SummaryItem struct {
	Indicator      indicators.Indicator `json:"indicator"`
	Latest         *DataRow             `json:"latest"`
	RegionalMedian *float64             `json:"regional_median"`
	RegionalCount  int                  `json:"regional_count"`
	Milestones     []CountryMilestone   `json:"milestones"`
}

// CountryMilestone is a milestone's status for one country.
type CountryMilestone struct {
	ID     string                   `json:"id"`
	Title  string                   `json:"title"`
	Target float64                  `json:"target"`
	Due    int                      `json:"due_year"`
	Result indicators.CountryResult `json:"result"`
}

// SummaryResult is the answer to /api/v1/countries/{iso3}/summary.
type SummaryResult struct {
	Country indicators.Country `json:"country"`
	Version int64              `json:"version"`
	Items   []SummaryItem      `json:"indicators"`
}

// Summary is a country's latest value of every indicator beside the
// regional median, with its milestone statuses.
func (e *Engine) Summary(ctx context.Context, iso3 string, version int64) (SummaryResult, error) {
	res := SummaryResult{Country: e.ref.ByISO3[iso3], Version: version, Items: []SummaryItem{}}
	for _, ind := range e.ref.Catalogue {
		own, err := e.Series(ctx, ind, []string{iso3}, TimeRange{})
		if err != nil {
			return res, err
		}
		item := SummaryItem{Indicator: ind, Milestones: []CountryMilestone{}}
		if n := len(own); n > 0 {
			latest := own[n-1]
			row := e.Row(ind, latest)
			item.Latest = &row
			peers, err := e.Series(ctx, ind, nil, TimeRange{latest.Year, latest.Year})
			if err != nil {
				return res, err
			}
			agg := indicators.Aggregate(peers, latest.Year, nil, false)
			item.RegionalMedian, item.RegionalCount = agg.Median, agg.Count
		}
		for _, m := range e.ref.Measured(ind.ID) {
			item.Milestones = append(item.Milestones, CountryMilestone{
				ID: m.ID, Title: m.Title, Target: m.Measure.Target, Due: m.Measure.DueYear,
				Result: indicators.CountryStatus(*m.Measure, ind, own, e.currentYear()),
			})
		}
		res.Items = append(res.Items, item)
	}
	return res, nil
}

// RoundResult is one reporting round of the Code's National Reporting
// Instrument: the counts cited in public sources and the submissions
// received by hwfdash.
type RoundResult struct {
	Round int `json:"round"`
	Year  int `json:"reporting_year"`
	// Reported lists the Member States with a national report recorded
	// for the round (code_nri_report = 1), NotReported those recorded as 0;
	// the rest have no answer yet.
	Reported    []string               `json:"reported"`
	NotReported []string               `json:"not_reported"`
	Members     int                    `json:"members"`
	Cited       []indicators.RoundFact `json:"cited"`
}

// RoundsResult is the answer to /api/v1/code/rounds.
type RoundsResult = map[string]any

// Rounds is every Code reporting round: {"version", "rounds": []RoundResult}.
func (e *Engine) Rounds(ctx context.Context, version int64) (RoundsResult, error) {
	obs, err := e.Series(ctx, e.ref.ByID["code_nri_report"], nil, TimeRange{})
	if err != nil {
		return nil, err
	}
	out := []RoundResult{}
	for _, r := range indicators.NRIRounds() {
		rr := RoundResult{Round: r.Number, Year: r.Year, Reported: []string{}, NotReported: []string{},
			Members: len(e.ref.Countries), Cited: []indicators.RoundFact{}}
		for _, o := range obs {
			if o.Year != r.Year {
				continue
			}
			if o.Value == 1 {
				rr.Reported = append(rr.Reported, o.ISO3)
			} else {
				rr.NotReported = append(rr.NotReported, o.ISO3)
			}
		}
		for _, f := range e.ref.Rounds {
			if f.Round == r.Number {
				rr.Cited = append(rr.Cited, f)
			}
		}
		sort.Strings(rr.Reported)
		sort.Strings(rr.NotReported)
		out = append(out, rr)
	}
	return RoundsResult{"version": version, "rounds": out}, nil
}
