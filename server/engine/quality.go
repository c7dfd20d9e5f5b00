package engine

import (
	"context"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/hwfdash/hwfdash/charts"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
)

// flagJumps sets the unverified-jump flag (indicators.FlagJumps) on obs in
// place, keeping the store's order: callers and tests rely on it.
func flagJumps(obs []indicators.Observation, breaks indicators.Breaks) {
	if indicators.MarkJumps(obs, breaks) { // in place: the store's order
		return
	}
	type note struct {
		flag, text string
		jump       indicators.Jump
	}
	flags := map[indicators.Key]note{}
	for _, o := range indicators.FlagJumps(obs, breaks) {
		if o.Flag != "" {
			flags[o.Key()] = note{o.Flag, o.FlagNote, o.Jump}
		}
	}
	if len(flags) == 0 {
		return
	}
	for i := range obs {
		if n, ok := flags[obs[i].Key()]; ok {
			obs[i].Flag, obs[i].FlagNote, obs[i].Jump = n.flag, n.text, n.jump
		}
	}
}

// Citation is the short human citation of an indicator's series, in
// English (the API's): the publisher's for a shipped series, the inputs'
// for a derived one, and the submissions' for one that has no public
// series.
func (e *Engine) Citation(ind indicators.Indicator) string { return e.CitationIn("en", ind) }

// CitationIn is Citation in a page's language: hwfdash's own words are
// translated; a publisher's, database's, code's and vintage's are cited as
// published.
func (e *Engine) CitationIn(lang string, ind indicators.Indicator) string {
	if c, ok := e.ref.Citations[ind.ID]; ok {
		return c.ShortWith(e.vintageWords(lang, c))
	}
	if ind.Derived != nil {
		s := e.say(lang, "source.computed."+ind.Derived.Op, "hwfdash, computed ("+ind.Derived.Op+") from")
		for i, in := range ind.Derived.Inputs {
			if i > 0 {
				s += strings.TrimRight(e.say(lang, "punct.semicolon", "; "), " ")
			}
			s += " " + e.CitationIn(lang, e.ref.ByID[in])
		}
		return s
	}
	if ind.SourceType == indicators.SourceSubmitted {
		return e.say(lang, "source.submissions", "Member States' submissions "+indicators.ReceivedLabel)
	}
	return charts.LocalSource(ind.Source, func(key, english string) string { return e.say(lang, key, english) })
}

// CreditIn names an indicator's sources as a chart's subtitle does, in
// lang: the publisher and database of its series citation ("WHO, Global
// Health Observatory, National Health Workforce Accounts"), the words the
// figure's own source line (CitationIn) starts with, so the two read as one
// citation; a derived indicator's are its inputs' ("hwfdash, from …"). The
// code and the vintage are the source line's.
func (e *Engine) CreditIn(lang string, ind indicators.Indicator) string {
	if c, ok := e.ref.Citations[ind.ID]; ok {
		return indicators.SeriesCitation{Publisher: c.Publisher, Database: c.Database}.Short()
	}
	if ind.Derived != nil {
		var parts []string
		for _, in := range ind.Derived.Inputs {
			if p := e.CreditIn(lang, e.ref.ByID[in]); p != "" && !slices.Contains(parts, p) {
				parts = append(parts, p)
			}
		}
		return e.say(lang, "chart.hwfdash_from", "hwfdash, from") + " " + strings.Join(parts, " "+e.say(lang, "chart.and", "and")+" ")
	}
	return charts.LocalSource(ind.Source, func(key, english string) string { return e.say(lang, key, english) })
}

// VintageIn is the vintage of an indicator's shipped data as a reader
// reads it, in lang: its series citation's (the mirror and commit the
// catalogue's vintage names stay in the provenance), a derived indicator's
// inputs' in turn, or the catalogue's where no citation gives one; empty
// for one whose values come only from submissions.
func (e *Engine) VintageIn(lang string, ind indicators.Indicator) string {
	if c, ok := e.ref.Citations[ind.ID]; ok && c.Vintage != "" {
		return e.vintageWords(lang, c)
	}
	if ind.Derived != nil {
		var parts []string
		for _, in := range ind.Derived.Inputs {
			if v := e.VintageIn(lang, e.ref.ByID[in]); v != "" && !slices.Contains(parts, v) {
				parts = append(parts, v)
			}
		}
		return strings.Join(parts, "; ")
	}
	return ind.Vintage
}

// vintageWords is a series citation's vintage in lang (its message,
// indicators.VintageKey), or as the file words it.
func (e *Engine) vintageWords(lang string, c indicators.SeriesCitation) string {
	return e.say(lang, indicators.VintageKey(c.Vintage), c.Vintage)
}

// WhyIn is a reason in lang, or its English where it has no Why: the
// pages' and the charts' one way of saying a status's or a flag's why.
func (e *Engine) WhyIn(lang string, w *indicators.Why, english string) string {
	if w == nil || e.msgs == nil {
		return english
	}
	return w.Text(func(k string) string { return e.msgs.Optional(lang, k, "") }, public.DecimalMark(lang))
}

// say is a message in lang, or english where there is none (an engine
// made without messages, in tests, speaks English).
func (e *Engine) say(lang, key, english string) string {
	if e.msgs == nil {
		return english
	}
	return e.msgs.Optional(lang, key, english)
}

// DistancesResult is every Member State's distances on one indicator: the
// comparisons that vary where every country is on the same side of a
// threshold.
type DistancesResult struct {
	Indicator string                  `json:"indicator"`
	Milestone string                  `json:"milestone,omitempty"`
	Threshold *float64                `json:"threshold"`
	Countries []*indicators.Distances `json:"countries"`
	// Declining counts the countries whose value fell over the last five
	// years; Stale those without a value within the recency window.
	Declining int      `json:"declining"`
	Stale     int      `json:"stale"`
	Label     string   `json:"label"`
	Rules     []string `json:"rules"`
}

// Distances gives each Member State's distances on ind (indicators.
// CountryDistances), against the threshold of the milestone ms when given,
// smallest headroom (or lowest value) first.
func (e *Engine) Distances(ctx context.Context, ind indicators.Indicator, ms string) (DistancesResult, error) {
	res := DistancesResult{Indicator: ind.ID, Countries: []*indicators.Distances{}, Label: indicators.DistanceLabel,
		Rules: []string{indicators.RecencyRule, indicators.QuartileRule, indicators.ChangeRule, indicators.JumpRule}}
	var m *indicators.Measure
	if mm, ok := e.ref.MilestoneByID[ms]; ok && mm.Measure != nil && mm.Measure.Indicator == ind.ID {
		m, res.Milestone, res.Threshold = mm.Measure, ms, &mm.Measure.Target
	}
	all, err := e.allSeries(ctx, ind)
	if err != nil {
		return res, err
	}
	by := byCountry(all)
	ref := e.currentYear()
	latest := regionLatest(by, ref)
	for _, c := range e.ref.Countries {
		d := indicators.CountryDistances(c.ISO3, by[c.ISO3], m, latest, ref)
		if d == nil {
			res.Stale++
			continue
		}
		if d.LastFiveYear != nil && d.LastFiveYear.Declining {
			res.Declining++
		}
		res.Countries = append(res.Countries, d)
	}
	sort.SliceStable(res.Countries, func(i, j int) bool { return res.Countries[i].Value < res.Countries[j].Value })
	return res, nil
}

// memo holds intermediate results under the version they were computed
// at and the store they were read from; an entry of an older version or
// another store (a view pinned to an earlier data version reads through
// its own) is recomputed. Stores are compared with ==: a Store is a
// pointer or a comparable value.
type memo struct {
	mu       sync.Mutex
	popV     int64
	popSrc   Store
	pop      map[int]map[string]float64
	regional map[string]memoEntry[[]indicators.Regional]
	series   map[string]memoEntry[[]indicators.Observation]
	// flights are the loads under way, so that callers missing the same
	// entry at once (a write's pushes, a page's requests, the first
	// answers after a restart) wait for one read of the store instead of
	// each making its own: the first read of every series is the costliest
	// thing the engine does.
	flights map[flightKey]*flight
	// years is each indicator's latest regional aggregates by year, with
	// their inputs (yearAggregate): reused for the years a write left alone.
	years map[string]map[int]yearAggregate
}

// yearAggregates is the aggregates last kept for an indicator; the map is
// not changed after it is kept (keepYearAggregates replaces it whole).
func (m *memo) yearAggregates(id string) map[int]yearAggregate {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.years[id]
}

func (m *memo) keepYearAggregates(id string, years map[int]yearAggregate) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.years == nil {
		m.years = map[string]map[int]yearAggregate{}
	}
	m.years[id] = years
}

type flightKey struct {
	kind, id string
	version  int64
	src      Store
}

type flight struct {
	done chan struct{}
	val  any
	err  error
}

// memoLoadTimeout bounds one shared load. The load is detached from the
// caller that started it, since others may be waiting on it; each caller
// still stops waiting when its own context ends.
const memoLoadTimeout = 30 * time.Second

// sharedLoad runs load once for every caller asking for the same entry
// (kind, id, version, store) while it runs, and gives each the result.
func sharedLoad[T any](ctx context.Context, e *Engine, kind, id string, version int64, load func(context.Context) (T, error)) (T, error) {
	k := flightKey{kind: kind, id: id, version: version, src: e.store}
	e.memo.mu.Lock()
	f := e.memo.flights[k]
	if f == nil {
		f = &flight{done: make(chan struct{})}
		if e.memo.flights == nil {
			e.memo.flights = map[flightKey]*flight{}
		}
		e.memo.flights[k] = f
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), memoLoadTimeout)
		go func() {
			defer cancel()
			f.val, f.err = load(lctx)
			e.memo.mu.Lock()
			delete(e.memo.flights, k)
			e.memo.mu.Unlock()
			close(f.done)
		}()
	}
	e.memo.mu.Unlock()
	var zero T
	select {
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-f.done:
		if f.err != nil {
			return zero, f.err
		}
		return f.val.(T), nil
	}
}

// memoEntry is one kept result, with the version and store it was read at.
type memoEntry[T any] struct {
	version int64
	src     Store
	val     T
}

// memoByID returns entries[id] when it was read at version v from this
// engine's store, else loads it once (sharedLoad) and keeps it. The
// result is shared: read-only.
func memoByID[T any](ctx context.Context, e *Engine, kind string, entries *map[string]memoEntry[T], id string, v int64,
	load func(context.Context) (T, error)) (T, error) {
	e.memo.mu.Lock()
	if m, ok := (*entries)[id]; ok && m.version == v && m.src == e.store {
		e.memo.mu.Unlock()
		return m.val, nil
	}
	e.memo.mu.Unlock()
	return sharedLoad(ctx, e, kind, id, v, func(ctx context.Context) (T, error) {
		val, err := load(ctx)
		if err != nil {
			return val, err
		}
		e.memo.mu.Lock()
		if *entries == nil {
			*entries = map[string]memoEntry[T]{}
		}
		(*entries)[id] = memoEntry[T]{version: v, src: e.store, val: val}
		e.memo.mu.Unlock()
		return val, nil
	})
}

// allPopulation is population by year and ISO3 for every year, read once
// per version of the population series. The maps are shared: read-only.
func (e *Engine) allPopulation(ctx context.Context) (map[int]map[string]float64, error) {
	v := e.VersionOf(population)
	e.memo.mu.Lock()
	if e.memo.pop != nil && e.memo.popV == v && e.memo.popSrc == e.store {
		p := e.memo.pop
		e.memo.mu.Unlock()
		return p, nil
	}
	e.memo.mu.Unlock()
	return sharedLoad(ctx, e, "population", "", v, func(ctx context.Context) (map[int]map[string]float64, error) {
		p, err := e.readPopulation(ctx)
		if err != nil {
			return nil, err
		}
		e.memo.mu.Lock()
		e.memo.pop, e.memo.popV, e.memo.popSrc = p, v, e.store
		e.memo.mu.Unlock()
		return p, nil
	})
}

// regionalDeps lists what an indicator's regional series depends on.
func regionalDeps(ind indicators.Indicator) []string {
	return append([]string{ind.ID, population}, indicators.WeightingFor(ind).Inputs()...)
}

// memoRegionalSeries is regionalSeries under the version of what it
// depends on. The slice is shared: read-only.
func (e *Engine) memoRegionalSeries(ctx context.Context, ind indicators.Indicator) ([]indicators.Regional, error) {
	return memoByID(ctx, e, "regional", &e.memo.regional, ind.ID, e.VersionOf(regionalDeps(ind)...),
		func(ctx context.Context) ([]indicators.Regional, error) { return e.regionalSeries(ctx, ind) })
}

// allSeries is every Member State's series of ind (Series over all years)
// under the version of ind and what it is computed from. The slice is
// shared: read-only.
func (e *Engine) allSeries(ctx context.Context, ind indicators.Indicator) ([]indicators.Observation, error) {
	return memoByID(ctx, e, "series", &e.memo.series, ind.ID, e.VersionOf(ind.ID),
		func(ctx context.Context) ([]indicators.Observation, error) {
			return e.Series(ctx, ind, nil, TimeRange{})
		})
}
