package engine

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"sync"

	"github.com/hwfdash/hwfdash/indicators"
)

// Series returns an indicator's newest observations, derived on the fly for
// derived indicators (rounded to their inputs' precision, contradictions
// withheld), with published series breaks and unverified jumps flagged.
func (e *Engine) Series(ctx context.Context, ind indicators.Indicator, countries []string, tr TimeRange) ([]indicators.Observation, error) {
	obs, _, err := e.series(ctx, ind, countries, tr)
	return obs, err
}

// series is Series with the derived figures it withheld. The year before
// tr.From is read too, so that the first year's change is judged against
// its predecessor, and dropped afterwards.
func (e *Engine) series(ctx context.Context, ind indicators.Indicator, countries []string, tr TimeRange) ([]indicators.Observation, []indicators.Withheld, error) {
	wide := tr
	if wide.From > 0 {
		wide.From--
	}
	var obs []indicators.Observation
	var withheld []indicators.Withheld
	if ind.Derived != nil {
		inputs := map[string][]indicators.Observation{}
		for _, in := range ind.Derived.Inputs {
			o, err := e.Series(ctx, e.ref.ByID[in], countries, wide)
			if err != nil {
				return nil, nil, err
			}
			inputs[in] = o
		}
		parents := map[string][]indicators.Observation{}
		for _, pc := range indicators.ParentChecks() {
			if pc.Derived != ind.ID {
				continue
			}
			p, err := e.Series(ctx, e.ref.ByID[pc.Parent], countries, wide)
			if err != nil {
				return nil, nil, err
			}
			parents[pc.Parent] = p
		}
		obs, withheld = indicators.WithholdContradictions(ind, indicators.DeriveRounded(ind, inputs), parents, e.ref.Vintages)
	} else {
		var err error
		obs, err = e.store.Latest(ctx, indicators.Query{
			Indicators: []string{ind.ID}, Countries: countries, FromYear: wide.From, ToYear: wide.To,
		})
		if err != nil {
			return nil, nil, err
		}
		e.flagBreaks(obs)
	}
	if ind.Kind != indicators.KindYesNo {
		flagJumps(obs, e.ref.BreakIndex)
	}
	if wide.From != tr.From {
		obs = slices.DeleteFunc(obs, func(o indicators.Observation) bool { return o.Year < tr.From })
		withheld = slices.DeleteFunc(withheld, func(w indicators.Withheld) bool { return w.Year < tr.From })
	}
	return obs, withheld, nil
}

func (e *Engine) flagBreaks(obs []indicators.Observation) {
	for i := range obs {
		o := &obs[i]
		if e.ref.BreakIndex.Covers(*o) {
			o.Break = true
		}
	}
}

// population returns World Bank population by year and ISO3 for the years
// of tr, from allPopulation. The maps are shared: read-only.
func (e *Engine) population(ctx context.Context, tr TimeRange) (map[int]map[string]float64, error) {
	all, err := e.allPopulation(ctx)
	if err != nil || (tr.From == 0 && tr.To == 0) {
		return all, err
	}
	out := map[int]map[string]float64{}
	for y, m := range all {
		if (tr.From == 0 || y >= tr.From) && (tr.To == 0 || y <= tr.To) {
			out[y] = m
		}
	}
	return out, nil
}

// readPopulation reads World Bank population by year and ISO3.
func (e *Engine) readPopulation(ctx context.Context) (map[int]map[string]float64, error) {
	obs, err := e.store.Latest(ctx, indicators.Query{Indicators: []string{population}})
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
	// Flag marks an unverified jump (indicators.JumpRule); the figure is
	// shown, never smoothed, and FlagNote says why (FlagWhy in a page's
	// language).
	Flag     string          `json:"flag,omitempty"`
	FlagNote string          `json:"flag_note,omitempty"`
	FlagWhy  *indicators.Why `json:"flag_why,omitempty"`
}

// DataResult is the answer to /api/v1/indicators/{id}/data.
type DataResult struct {
	Indicator indicators.Indicator `json:"indicator"`
	Version   int64                `json:"version"`
	Rows      []DataRow            `json:"rows"`
	// Missing lists the requested countries with no value in the range:
	// they are shown as missing, never as zero.
	Missing []string `json:"missing"`
	// Citation is how a reader cites the series (the mirror and commit
	// are in the provenance document).
	Citation string `json:"citation"`
	// Cited gives, for each row source that is a shipped series'
	// provenance (the mirror and commit it was copied from), how a reader
	// cites it (RowCitation); a source not here is cited as it stands.
	Cited map[string]string `json:"cited"`
	// Withheld lists derived figures not shown because they contradict
	// their published parent, each with its reason.
	Withheld []indicators.Withheld `json:"withheld"`
	// Rules names the rules the rows were checked by.
	Rules []string `json:"rules"`
}

// Data is an indicator's newest values for countries (nil: all) and years,
// with the requested countries that have none listed as missing.
func (e *Engine) Data(ctx context.Context, ind indicators.Indicator, countries []string, tr TimeRange, version int64) (DataResult, error) {
	obs, withheld, err := e.series(ctx, ind, countries, tr)
	if err != nil {
		return DataResult{}, err
	}
	res := DataResult{Indicator: ind, Version: version, Rows: make([]DataRow, 0, len(obs)), Missing: []string{},
		Citation: e.Citation(ind), Withheld: withheld, Rules: []string{indicators.JumpRule}}
	if res.Withheld == nil {
		res.Withheld = []indicators.Withheld{}
	}
	if ind.Derived != nil {
		res.Rules = append(res.Rules, indicators.WithheldAboveParent+" or "+indicators.WithheldMixedVintage+": withheld",
			indicators.RoundingSumDecimals, indicators.RoundingRatioSigFigs)
	}
	have := map[string]bool{}
	res.Cited = map[string]string{}
	for _, o := range obs {
		have[o.ISO3] = true
		res.Rows = append(res.Rows, e.Row(ind, o))
		if _, ok := res.Cited[o.Source]; !ok && copiedFromMirror(o.Source) {
			res.Cited[o.Source] = e.RowCitation("en", ind, o.Source)
		}
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
		Flag: o.Flag, FlagNote: o.FlagNote, FlagWhy: o.Jump.Why(),
	}
}

// RegionalResult is the answer to /api/v1/indicators/{id}/regional.
type RegionalResult struct {
	Indicator string `json:"indicator"`
	Version   int64  `json:"version"`
	indicators.Regional
	// WeightedNote says why weighted_mean is null where it is.
	WeightedNote string `json:"weighted_mean_note,omitempty"`
	// DefaultYear is set where no year was asked for: the year shown and
	// the rule that chose it (indicators.DefaultYearRule).
	DefaultYear *indicators.YearChoice `json:"default_year,omitempty"`
	// Years is the coverage of every year with values, so a reader sees
	// which years are low coverage before picking one.
	Years []YearCoverage `json:"years"`
	// Rules names the rules the figures follow.
	Rules []string `json:"rules"`
}

// IndicatorFrame is what a subscriber to indicator:<id> receives on every
// write: the Region's figure for the default year, with its coverage and the
// year's choice. Every subscriber receives this frame on every write, so at
// 10,000 screens each byte is written 10,000 times (issue 17): what a screen
// does not redraw from stays in the API answer the frame names (Detail):
// every year's coverage (which made the frame 9 KB instead of 1 KB), the
// rules' texts, the covered Member States' list and the year's reason, in
// English (with them the frame was 1.2 KB; it is 0.7).
type IndicatorFrame struct {
	Indicator    string                 `json:"indicator"`
	Version      int64                  `json:"version"`
	Year         int                    `json:"year"`
	Count        int                    `json:"count"`
	Median       *float64               `json:"median"`
	P25          *float64               `json:"p25"`
	P75          *float64               `json:"p75"`
	Min          *indicators.Extreme    `json:"min"`
	Max          *indicators.Extreme    `json:"max"`
	WeightedMean *float64               `json:"weighted_mean"`
	WeightBasis  indicators.WeightBasis `json:"weight_basis,omitempty"`
	WeightedNote string                 `json:"weighted_mean_note,omitempty"`
	Flagged      []string               `json:"unverified_jumps,omitempty"`
	Coverage     *frameCover            `json:"coverage,omitempty"`
	DefaultYear  *frameYear             `json:"default_year,omitempty"`
	// Detail is the API answer with every year's coverage and the rules.
	Detail string `json:"detail"`
}

// frameYear is the default year's choice without its English reason.
type frameYear struct {
	Year int `json:"year"`
}

// frameCover is a year's coverage without the rule's English text.
type frameCover struct {
	Countries       int      `json:"countries"`
	MemberStates    int      `json:"member_states"`
	PopulationShare *float64 `json:"population_share"`
	Low             bool     `json:"low_coverage"`
}

// Frame is the live frame of a regional answer (IndicatorFrame).
func (r RegionalResult) Frame() IndicatorFrame {
	g := r.Regional
	f := IndicatorFrame{Indicator: r.Indicator, Version: r.Version, Year: g.Year, Count: g.Count,
		Median: g.Median, P25: g.P25, P75: g.P75, Min: g.Min, Max: g.Max, WeightedMean: g.WeightedMean,
		WeightBasis: g.WeightBasis, WeightedNote: r.WeightedNote, Flagged: g.Flagged,
		Detail: "/api/v1/indicators/" + r.Indicator + "/regional"}
	if r.DefaultYear != nil {
		f.DefaultYear = &frameYear{Year: r.DefaultYear.Year}
	}
	if c := g.Coverage; c != nil {
		f.Coverage = &frameCover{Countries: c.Countries, MemberStates: c.MemberStates, PopulationShare: c.PopulationShare, Low: c.Low}
	}
	return f
}

// YearCoverage is one year of an indicator's regional series: its median
// and the coverage it rests on.
type YearCoverage struct {
	Year   int      `json:"year"`
	Median *float64 `json:"median"`
	indicators.Coverage
}

// QuantileRule names how medians and quartiles are computed.
const QuantileRule = "median and quartiles by linear interpolation between closest ranks (R type 7)"

// regionalSeries is the Region's aggregate of an indicator for every year
// with values (indicators.AggregateRegion): coverage, the weighted mean the
// measure supports, the unverified jumps among the covered values.
func (e *Engine) regionalSeries(ctx context.Context, ind indicators.Indicator) ([]indicators.Regional, error) {
	all, err := e.allSeries(ctx, ind)
	if err != nil {
		return nil, err
	}
	pop, err := e.population(ctx, TimeRange{})
	if err != nil {
		return nil, err
	}
	return e.regionalSeriesOf(ctx, ind, all, pop)
}

// regionalSeriesOf is regionalSeries from ind's series and the population
// already read.
func (e *Engine) regionalSeriesOf(ctx context.Context, ind indicators.Indicator, all []indicators.Observation, pop map[int]map[string]float64) ([]indicators.Regional, error) {
	inputs := map[int]map[string]map[string]float64{} // year -> indicator -> ISO3 -> value
	for _, id := range indicators.WeightingFor(ind).Inputs() {
		obs, err := e.Series(ctx, e.ref.ByID[id], nil, TimeRange{})
		if err != nil {
			return nil, err
		}
		for _, o := range obs {
			if inputs[o.Year] == nil {
				inputs[o.Year] = map[string]map[string]float64{}
			}
			if inputs[o.Year][id] == nil {
				inputs[o.Year][id] = map[string]float64{}
			}
			inputs[o.Year][id][o.ISO3] = o.Value
		}
	}
	// One copy of the series, sorted by year, each year a run of it: every
	// write to the indicator comes here, and a slice grown per year copied
	// the series about twice over, garbage that paced the collector into
	// the broadcasts that follow writes (issue 17). all is shared: not
	// sorted in place. The sort is stable, so a year keeps the store's order.
	buf := byYearPool.Get().(*[]indicators.Observation)
	byYear := sortByYear(all, (*buf)[:0])
	defer func() {
		clear(byYear) // the rows' strings are not kept alive by the pool
		*buf = byYear[:0]
		byYearPool.Put(buf)
	}()
	out := make([]indicators.Regional, 0, 32)
	isMember := indicators.MemberSet(e.ref.Countries)
	prev := e.memo.yearAggregates(ind.ID)
	next := make(map[int]yearAggregate, len(prev))
	for rest := byYear; len(rest) > 0; {
		y := rest[0].Year
		n := 1
		for n < len(rest) && rest[n].Year == y {
			n++
		}
		rows := rest[:n]
		rest = rest[n:]
		if p, ok := prev[y]; ok && p.from(rows, pop[y], inputs[y]) {
			out, next[y] = append(out, p.result), p
			continue
		}
		r := indicators.AggregateRegion(ind, rows, y,
			indicators.RegionContext{Members: e.ref.Countries, Population: pop[y], Inputs: inputs[y], IsMember: isMember})
		out = append(out, r)
		next[y] = yearAggregate{rows: slices.Clone(rows), pop: pop[y], inputs: inputs[y], result: r}
	}
	e.memo.keepYearAggregates(ind.ID, next)
	return out, nil
}

// yearAggregate is one year's regional aggregate of an indicator with
// everything it was computed from. A write changes a year or two of a
// series (the row's own, and the next year of that country, whose jump
// flag is judged against it), yet the whole series was aggregated again
// after each one, between the write and its broadcast (issue 17): a year
// whose inputs are the same as last time keeps its aggregate instead.
// AggregateRegion is a function of these inputs alone (the members are
// the engine's, fixed), so the reuse needs no knowledge of what a write
// touched, and a pinned view (At) reading an older version is as safe.
type yearAggregate struct {
	rows   []indicators.Observation
	pop    map[string]float64
	inputs map[string]map[string]float64
	result indicators.Regional
}

// from says whether the aggregate was computed from these inputs. Rows are
// compared field by field (==, the recorded time included): a row read
// again from the store is the same record; anything else counts as a
// change and is aggregated again, which is never wrong, only slower.
func (a yearAggregate) from(rows []indicators.Observation, pop map[string]float64, inputs map[string]map[string]float64) bool {
	return slices.Equal(a.rows, rows) && sameValues(a.pop, pop) &&
		maps.EqualFunc(a.inputs, inputs, sameValues)
}

// sameValues is maps.Equal, at once when both are the one map: the
// population is read once per version of it (allPopulation), so its
// year's map is the same map from one write to the next.
func sameValues(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	if reflect.ValueOf(a).UnsafePointer() == reflect.ValueOf(b).UnsafePointer() {
		return true
	}
	return maps.Equal(a, b)
}

// byYearPool keeps the buffers regionalSeriesOf sorts a series into: a
// write's recomputation allocated the series again for it, and fresh
// memory is paid for in page faults on a virtual machine (issue 17). The
// aggregates keep no reference to the rows.
var byYearPool = sync.Pool{New: func() any { return new([]indicators.Observation) }}

// sortByYear is a copy of obs ordered by year, stable, in buf's memory
// when it has room: a counting sort, since years span a short range and a
// comparison sort moving these large rows was most of a write's regional
// recomputation.
func sortByYear(obs, buf []indicators.Observation) []indicators.Observation {
	if len(obs) == 0 {
		return buf[:0]
	}
	lo, hi := obs[0].Year, obs[0].Year
	for _, o := range obs {
		lo, hi = min(lo, o.Year), max(hi, o.Year)
	}
	if hi-lo > 1000 { // not a span of years: sort as usual
		out := append(buf[:0], obs...)
		slices.SortStableFunc(out, func(a, b indicators.Observation) int { return cmp.Compare(a.Year, b.Year) })
		return out
	}
	next := make([]int, hi-lo+2) // next[y-lo]: where year y's next row goes
	for _, o := range obs {
		next[o.Year-lo+1]++
	}
	for i := 1; i < len(next); i++ {
		next[i] += next[i-1]
	}
	out := slices.Grow(buf[:0], len(obs))[:len(obs)]
	for _, o := range obs {
		out[next[o.Year-lo]] = o
		next[o.Year-lo]++
	}
	return out
}

// chooseYear is the default year of a regional view (indicators.DefaultYear:
// the latest adequately covered year). Where no year is adequately covered
// the latest year with at least half as many values as the best-covered
// one is shown, marked as low coverage, and the choice says so.
func chooseYear(series []indicators.Regional) indicators.YearChoice {
	ch := indicators.DefaultYear(series)
	if ch.Year != 0 || len(series) == 0 {
		return ch
	}
	count := map[int]int{}
	for _, r := range series {
		count[r.Year] = r.Count
	}
	ch.Year = defaultYearOf(count)
	ch.Reason = fmt.Sprintf("%s; %d is shown as low coverage (the latest year with at least half as many values as the best-covered year)",
		ch.Reason, ch.Year)
	return ch
}

// defaultYearOf is the latest year with at least half as many values as the
// best-covered year.
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

// Regional is an indicator's regional aggregate for a year with its
// coverage; 0 picks the default year (chooseYear), named in DefaultYear.
func (e *Engine) Regional(ctx context.Context, ind indicators.Indicator, year int, version int64) (RegionalResult, error) {
	series, err := e.memoRegionalSeries(ctx, ind)
	if err != nil {
		return RegionalResult{}, err
	}
	res := RegionalResult{Indicator: ind.ID, Version: version, Years: make([]YearCoverage, 0, len(series)),
		Rules: []string{indicators.CoverageRule, indicators.DefaultYearRule, QuantileRule, indicators.JumpRule}}
	for _, r := range series {
		res.Years = append(res.Years, YearCoverage{Year: r.Year, Median: r.Median, Coverage: *r.Coverage})
	}
	if year == 0 {
		ch := chooseYear(series)
		res.DefaultYear, year = &ch, ch.Year
	}
	if year == 0 {
		res.Regional = indicators.Aggregate(nil, 0, nil, false)
		return res, nil
	}
	found := false
	for _, r := range series {
		if r.Year == year {
			res.Regional, found = r, true
		}
	}
	if !found {
		res.Regional = indicators.AggregateRegion(ind, nil, year, indicators.RegionContext{Members: e.ref.Countries})
	}
	switch {
	case res.WeightBasis == indicators.WeightNone:
		res.WeightedNote = "not meaningful for this indicator"
	case res.WeightNote != "":
		res.WeightedNote = res.WeightNote
	}
	return res, nil
}

// MilestoneResult is a milestone with the status its source supports
// (indicators.MilestoneType): a threshold is rated on the recency rule
// (Region, with counts and coverage); a list gives membership; a reporting
// round gives its cited facts and what hwfdash received, named as such.
type MilestoneResult struct {
	indicators.Milestone
	// Region is the Region's status with per-country statuses and counts:
	// met / on track / off track / not met / stale / no data for a
	// threshold; listed / not listed / unknown for a list; received
	// answers for a round with a measure.
	Region *indicators.StableRegion `json:"region,omitempty"`
	// List is a list milestone's membership for the Member States, with the
	// density criterion (Criterion) as context only.
	List      *indicators.ListResult   `json:"list,omitempty"`
	Criterion *indicators.StableRegion `json:"criterion,omitempty"`
	// Round is a reporting round: cited facts first, then what hwfdash
	// received.
	Round *indicators.RoundResult `json:"round,omitempty"`
}

// MilestonesResult is the answer to /api/v1/milestones.
type MilestonesResult struct {
	Version    int64             `json:"version"`
	Milestones []MilestoneResult `json:"milestones"`
	// Rules names the rules the statuses follow.
	Rules []string `json:"rules"`
}

// Milestones is every milestone, by year, with the status its type
// supports.
func (e *Engine) Milestones(ctx context.Context, version int64) (MilestonesResult, error) {
	res := MilestonesResult{Version: version, Milestones: []MilestoneResult{},
		Rules: []string{indicators.RecencyRule, indicators.RegionStatusRule, indicators.ProjectionRule, indicators.CoverageRule, indicators.JumpRule}}
	var answers map[string][]indicators.Observation
	read := map[string][]indicators.Observation{} // series read once per call (G11, G14 and G15 share one)
	for _, m := range e.ref.Milestones {
		mr := MilestoneResult{Milestone: m}
		switch m.Type {
		case indicators.MilestoneList:
			var crit *indicators.StableRegion
			if m.Measure != nil {
				rr, err := e.regionStatus(ctx, *m.Measure, read)
				if err != nil {
					return res, err
				}
				crit = &rr
			}
			lr := indicators.ListMembership(m, e.ref.Lists, indicators.EuropeanRegion, nil)
			mr.List, mr.Criterion, mr.Region = &lr, crit, e.listRegion(lr, crit)
		case indicators.MilestoneRound:
			if answers == nil {
				obs, err := e.Series(ctx, e.ref.ByID[codeIndicator], nil, TimeRange{})
				if err != nil {
					return res, err
				}
				answers = byCountry(obs)
			}
			for _, r := range indicators.NRIRounds() {
				if r.Number == m.Round {
					rr := indicators.RoundSummary(r, e.ref.Rounds, answers, e.ref.Countries)
					mr.Round = &rr
					if m.Measure != nil {
						mr.Region = roundRegion(rr)
					}
				}
			}
		case indicators.MilestoneUnmeasured:
		default:
			if m.Measure != nil {
				rr, err := e.regionStatus(ctx, *m.Measure, read)
				if err != nil {
					return res, err
				}
				mr.Region = &rr
			}
		}
		res.Milestones = append(res.Milestones, mr)
	}
	sort.SliceStable(res.Milestones, func(i, j int) bool {
		return yearOf(res.Milestones[i].Milestone) < yearOf(res.Milestones[j].Milestone)
	})
	return res, nil
}

// listRegion states a list's membership in the shape of a Region status:
// every Member State has the list's status, the reason cites the list, and
// the density criterion's coverage is carried as context.
func (e *Engine) listRegion(lr indicators.ListResult, crit *indicators.StableRegion) *indicators.StableRegion {
	r := &indicators.StableRegion{Status: lr.Status, Total: len(e.ref.Countries), Reason: lr.Reason, Why: lr.Why,
		Counts: map[indicators.Status]int{lr.Status: len(e.ref.Countries)}, Countries: map[string]indicators.CountryResult{},
		Rules: []string{"membership of the published list, as cited; the density criterion is context, not a status"}}
	for _, c := range e.ref.Countries {
		r.Countries[c.ISO3] = indicators.CountryResult{Status: lr.Status, Reason: lr.Reason, Why: lr.Why}
	}
	if crit != nil {
		r.ReferenceYear, r.Coverage, r.Median, r.P25, r.P75 = crit.ReferenceYear, crit.Coverage, crit.Median, crit.P25, crit.P75
		for iso3, cr := range crit.Countries {
			c := r.Countries[iso3]
			c.Latest, c.Distance = cr.Latest, cr.Distance
			r.Countries[iso3] = c
		}
	}
	return r
}

// roundRegion states what hwfdash received for a reporting round in the
// shape of a Region status: no_data while nothing was received, else
// received_yes with the counts, the reason naming it as received by hwfdash
// after the cited facts.
func roundRegion(rr indicators.RoundResult) *indicators.StableRegion {
	r := &indicators.StableRegion{Status: indicators.StatusNoData, ReferenceYear: rr.ReportingYear, Total: len(rr.Countries),
		Counts: rr.Received, Countries: map[string]indicators.CountryResult{}, Reason: rr.Headline, Why: rr.Why,
		Rules: []string{"cited facts of the round as published; answers " + indicators.ReceivedLabel + " apart, never as reports to WHO"}}
	for iso3, st := range rr.Countries {
		r.Countries[iso3] = indicators.CountryResult{Status: st, Reason: indicators.ReceivedLabel, Why: &indicators.Why{Key: "received"}}
	}
	if rr.AnyReceived {
		r.Status = indicators.StatusReceivedYes
		if rr.Received[indicators.StatusReceivedYes] == 0 {
			r.Status = indicators.StatusReceivedNo
		}
	} else {
		r.Reason += ". Per-country answers arrive here by submission; none " + indicators.ReceivedLabel + " yet"
	}
	return r
}

// yearOf sorts milestones without a stated year last.
func yearOf(m indicators.Milestone) int {
	if m.Year == nil {
		return 1 << 30
	}
	return *m.Year
}

// regionStatus rates a measure for the Region on the recency rule, the
// reference year being the current year.
func (e *Engine) regionStatus(ctx context.Context, m indicators.Measure, read map[string][]indicators.Observation) (indicators.StableRegion, error) {
	ind, ok := e.ref.ByID[m.Indicator]
	if !ok {
		return indicators.StableRegion{}, fmt.Errorf("milestone measure names unknown indicator %q", m.Indicator)
	}
	obs, ok := read[ind.ID]
	if !ok {
		var err error
		if obs, err = e.allSeries(ctx, ind); err != nil {
			return indicators.StableRegion{}, err
		}
		read[ind.ID] = obs
	}
	pop, err := e.population(ctx, TimeRange{})
	if err != nil {
		return indicators.StableRegion{}, err
	}
	return indicators.StableRegionStatus(m, ind, byCountry(obs), e.ref.Countries, latestPopulation(pop, e.currentYear()), e.currentYear()), nil
}

// latestPopulation is each Member State's population of the latest year up
// to refYear that has one, for coverage shares of latest values.
func latestPopulation(pop map[int]map[string]float64, refYear int) map[string]float64 {
	out := map[string]float64{}
	best := map[string]int{}
	for y, m := range pop {
		if y > refYear {
			continue
		}
		for iso3, v := range m {
			if y > best[iso3] {
				best[iso3], out[iso3] = y, v
			}
		}
	}
	return out
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
	Indicator indicators.Indicator `json:"indicator"`
	Latest    *DataRow             `json:"latest"`
	// Stale is set where the latest value is older than the recency
	// window (indicators.RecencyRule).
	Stale bool `json:"stale"`
	// RegionalMedian is the median of the Member States' values in
	// RegionalYear, the year of the country's latest value (the same year,
	// so the two compare), over RegionalCount of them.
	RegionalMedian *float64 `json:"regional_median"`
	RegionalYear   int      `json:"regional_year,omitempty"`
	RegionalCount  int      `json:"regional_count"`
	// RegionalCoverage is the coverage of the regional median (of the
	// latest value's year); a low-coverage median is marked.
	RegionalCoverage *indicators.Coverage `json:"regional_coverage"`
	// Distances are descriptive comparisons of the latest value: headroom
	// over the indicator's threshold, quartile in the Region, change since
	// 2010 and over the last five years.
	Distances  *indicators.Distances `json:"distances"`
	Citation   string                `json:"citation"`
	Milestones []CountryMilestone    `json:"milestones"`
}

// CountryMilestone is a milestone's status for one country.
type CountryMilestone struct {
	ID     string                   `json:"id"`
	Title  string                   `json:"title"`
	Type   indicators.MilestoneType `json:"type,omitempty"`
	Target float64                  `json:"target"`
	Due    int                      `json:"due_year"`
	Result indicators.CountryResult `json:"result"`
}

// SummaryResult is the answer to /api/v1/countries/{iso3}/summary.
type SummaryResult struct {
	Country indicators.Country `json:"country"`
	Version int64              `json:"version"`
	Items   []SummaryItem      `json:"indicators"`
	Rules   []string           `json:"rules"`
}

// Summary is a country's latest value of every indicator beside the
// regional median and its coverage, with the distances that vary and its
// milestone statuses on the recency rule.
func (e *Engine) Summary(ctx context.Context, iso3 string, version int64) (SummaryResult, error) {
	res := SummaryResult{Country: e.ref.ByISO3[iso3], Version: version, Items: []SummaryItem{},
		Rules: []string{indicators.RecencyRule, indicators.CoverageRule, indicators.QuartileRule, indicators.ChangeRule, indicators.JumpRule}}
	ref := e.currentYear()
	pop, err := e.population(ctx, TimeRange{})
	if err != nil {
		return res, err
	}
	for _, ind := range e.ref.Catalogue {
		all, err := e.allSeries(ctx, ind)
		if err != nil {
			return res, err
		}
		var own []indicators.Observation
		for _, o := range all {
			if o.ISO3 == iso3 {
				own = append(own, o)
			}
		}
		item := SummaryItem{Indicator: ind, Milestones: []CountryMilestone{}, Citation: e.Citation(ind)}
		var threshold *indicators.Measure
		for _, m := range e.ref.Measured(ind.ID) {
			if m.Type == indicators.MilestoneThreshold || m.Type == "" {
				threshold = m.Measure
				break
			}
		}
		if n := len(own); n > 0 {
			latest := own[n-1]
			row := e.Row(ind, latest)
			// The page cites the figure as a reader would (publisher,
			// database, code, vintage); the mirror and commit a published
			// figure was copied from stay in the data API and the provenance.
			row.Source = e.RowCitation("en", ind, row.Source)
			item.Latest = &row
			item.Stale = latest.Year < ref-indicators.RecencyWindow
			agg := indicators.AggregateRegion(ind, all, latest.Year, indicators.RegionContext{Members: e.ref.Countries, Population: pop[latest.Year]})
			item.RegionalMedian, item.RegionalCount, item.RegionalCoverage = agg.Median, agg.Count, agg.Coverage
			item.RegionalYear = latest.Year
			if ind.Kind != indicators.KindYesNo {
				item.Distances = indicators.CountryDistances(iso3, own, threshold, latestWithin(all, ref), ref)
			}
		}
		for _, m := range e.ref.Measured(ind.ID) {
			cm := CountryMilestone{ID: m.ID, Title: m.Title, Type: m.Type, Target: m.Measure.Target, Due: m.Measure.DueYear,
				Result: indicators.StableCountryStatus(*m.Measure, ind, own, ref)}
			switch m.Type {
			case indicators.MilestoneList:
				crit := cm.Result
				lr := indicators.ListMembership(m, e.ref.Lists, indicators.EuropeanRegion, &crit)
				cm.Result = indicators.CountryResult{Status: lr.Status, Reason: lr.Reason, Why: lr.Why, Latest: crit.Latest, Distance: crit.Distance}
			case indicators.MilestoneRound:
				for _, r := range indicators.NRIRounds() {
					if r.Number == m.Round {
						rr := indicators.RoundSummary(r, e.ref.Rounds, map[string][]indicators.Observation{iso3: own}, []indicators.Country{e.ref.ByISO3[iso3]})
						cm.Result = indicators.CountryResult{Status: rr.Countries[iso3], Reason: rr.Headline, Why: rr.Why}
					}
				}
			}
			item.Milestones = append(item.Milestones, cm)
		}
		res.Items = append(res.Items, item)
	}
	return res, nil
}

// latestWithin is regionLatest over one indicator's series of all
// countries, without grouping it first.
func latestWithin(all []indicators.Observation, refYear int) []float64 {
	type latest struct {
		year  int
		value float64
	}
	by := map[string]latest{}
	for _, o := range all {
		if o.Year <= refYear && o.Year >= refYear-indicators.RecencyWindow {
			if l, ok := by[o.ISO3]; !ok || o.Year > l.year {
				by[o.ISO3] = latest{o.Year, o.Value}
			}
		}
	}
	out := make([]float64, 0, len(by))
	for _, l := range by {
		out = append(out, l.value)
	}
	return out
}

// regionLatest is the Member States' latest values within the recency
// window before refYear, the distribution a quartile is placed in.
func regionLatest(by map[string][]indicators.Observation, refYear int) []float64 {
	var out []float64
	for _, obs := range by {
		var latest *indicators.Observation
		for i := range obs {
			if obs[i].Year <= refYear && (latest == nil || obs[i].Year > latest.Year) {
				latest = &obs[i]
			}
		}
		if latest != nil && latest.Year >= refYear-indicators.RecencyWindow {
			out = append(out, latest.Value)
		}
	}
	return out
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
	Reported    []string `json:"reported"`
	NotReported []string `json:"not_reported"`
	Members     int      `json:"members"`
	// Cited are the round's facts as cited, the European Region's first;
	// Interim is set where a cited count is interim.
	Cited   []indicators.RoundFact `json:"cited"`
	Interim bool                   `json:"interim"`
	// Headline states the cited facts, and what hwfdash received only
	// where it received something (never "0 of 53").
	Headline string          `json:"headline"`
	Why      *indicators.Why `json:"why,omitempty"`
	// AnyReceived is false while hwfdash has received no answer for the
	// round; ReceivedLabel names what Reported and NotReported are:
	// answers received by hwfdash, never reports to WHO.
	AnyReceived   bool   `json:"any_received"`
	ReceivedLabel string `json:"received_label"`
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
	answers := byCountry(obs)
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
		sum := indicators.RoundSummary(r, e.ref.Rounds, answers, e.ref.Countries)
		if sum.Cited != nil {
			rr.Cited = sum.Cited
		}
		rr.Interim, rr.Headline, rr.Why, rr.AnyReceived, rr.ReceivedLabel = sum.Interim, sum.Headline, sum.Why, sum.AnyReceived, sum.ReceivedLabel
		sort.Strings(rr.Reported)
		sort.Strings(rr.NotReported)
		out = append(out, rr)
	}
	return RoundsResult{"version": version, "rounds": out}, nil
}
