// Package engine computes hwfdash's payloads from the store's newest
// observations: indicator data, regional aggregates, milestones, country
// summaries, Code reporting rounds, the Roadmap and the charts. It also
// keeps the reference index, the version each payload depends on, the typed
// cache key of every payload and the table of websocket topic kinds. It
// knows nothing of HTTP: the server's handlers parse requests into its
// arguments and send what it returns.
package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/hwfdash/hwfdash/charts"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
)

// Store is what the engine reads observations from.
type Store interface {
	Latest(ctx context.Context, q indicators.Query) ([]indicators.Observation, error)
	// YearCounts is how many countries have a value in each year of an
	// indicator.
	YearCounts(ctx context.Context, indicator string) (map[int]int, error)
	// YearCountsAsOf is YearCounts as the data stood at a version.
	YearCountsAsOf(ctx context.Context, indicator string, asOf int64) (map[int]int, error)
}

// pinnedStore reads the store as it stood at a data version: what a view
// pinned with Engine.At computes from.
type pinnedStore struct {
	Store
	asOf int64
}

func (p pinnedStore) Latest(ctx context.Context, q indicators.Query) ([]indicators.Observation, error) {
	q.AsOf = p.asOf
	return p.Store.Latest(ctx, q)
}

func (p pinnedStore) YearCounts(ctx context.Context, indicator string) (map[int]int, error) {
	return p.Store.YearCountsAsOf(ctx, indicator, p.asOf)
}

// Config is what an Engine is built from.
type Config struct {
	Store     Store
	Reference Reference
	// Messages translate chart labels, country and indicator names.
	Messages *public.Messages
	// SmallStates are the map markers of Member States too small to click.
	SmallStates []charts.SmallState
	// CurrentYear bounds years in queries; nil means the calendar year.
	CurrentYear func() int
	// GlobalVersion is the newest data version known: the version of
	// payloads that depend on everything (a country's summary, the
	// experiences). Nil means 0.
	GlobalVersion func() int64
}

// Engine computes payloads. It holds no state of its own besides the
// versions writes changed and, under those versions, the series it reads
// most (memo): the cache in front of it is keyed by the same versions, so
// every answer is as fresh as the version it is asked under.
type Engine struct {
	store       Store
	ref         *Ref
	msgs        *public.Messages
	smallStates []charts.SmallState
	currentYear func() int
	global      func() int64
	depv        *depVersions
	// memo keeps the population and the series an answer is computed
	// from, each under the version of what it depends on (VersionOf) and
	// the store it was read from, so that a year's figure or a chart does
	// not re-read every year. A pointer: a pinned view (At) shares it, and
	// its entries tell the stores apart (a pinned view reads through its
	// own pinnedStore, so it never takes a live entry, nor the reverse).
	memo *memo
	// asOf is the data version a pinned view (see At) reads at; 0 is live.
	asOf int64
}

// New builds an engine.
func New(cfg Config) *Engine {
	if cfg.CurrentYear == nil {
		cfg.CurrentYear = func() int { return time.Now().UTC().Year() }
	}
	if cfg.GlobalVersion == nil {
		cfg.GlobalVersion = func() int64 { return 0 }
	}
	return &Engine{store: cfg.Store, ref: NewRef(cfg.Reference), msgs: cfg.Messages, smallStates: cfg.SmallStates,
		currentYear: cfg.CurrentYear, global: cfg.GlobalVersion, depv: &depVersions{}, memo: &memo{}}
}

// At is the engine pinned to data version asOf (0: the engine itself): every
// payload it computes reads the store as it stood then, and every key it
// makes is a pinned key of that version. Revisions are never overwritten, so
// a pinned answer never changes. The caller validates asOf (1..current).
func (e *Engine) At(asOf int64) *Engine {
	if asOf == 0 {
		return e
	}
	p := *e
	p.asOf = asOf
	p.store = pinnedStore{Store: e.store, asOf: asOf}
	p.global = func() int64 { return asOf }
	return &p
}

// AsOf is the data version the engine is pinned to; 0 is live.
func (e *Engine) AsOf() int64 { return e.asOf }

// Ref is the reference index the engine computes with.
func (e *Engine) Ref() *Ref { return e.ref }

// CurrentYear is the latest year queries may ask for.
func (e *Engine) CurrentYear() int { return e.currentYear() }

// Error is a request the engine refuses because of its input: an unknown
// name (NotFound) or a bad parameter, with the parameter named.
type Error struct {
	NotFound bool
	Field    string
	Message  string
}

func (e *Error) Error() string { return e.Message }

func badParam(field string, err error) error {
	return &Error{Field: field, Message: fmt.Sprintf("%s: %v", field, err)}
}

func notFound(field, format string, args ...any) error {
	return &Error{NotFound: true, Field: field, Message: fmt.Sprintf(format, args...)}
}

// LocalIndicator gives an indicator with its texts in a language, where the
// messages have them.
func (e *Engine) LocalIndicator(lang string, ind indicators.Indicator) indicators.Indicator {
	ind.Name = e.msgs.Optional(lang, "ind."+ind.ID+".name", ind.Name)
	ind.ShortName = e.msgs.Optional(lang, "ind."+ind.ID+".short", ind.ShortName)
	ind.Description = e.msgs.Optional(lang, "ind."+ind.ID+".desc", ind.Description)
	ind.Category = indicators.Category(e.msgs.Optional(lang, "cat."+string(ind.Category), string(ind.Category)))
	if key, ok := unitKeys[ind.Unit]; ok {
		ind.Unit = e.msgs.Optional(lang, key, ind.Unit)
	}
	// A shipped or derived series is cited as its figures are (publisher,
	// database, code, vintage), not by the catalogue's note of the file it
	// ships in; a submitted one's note says what may arrive and from whom.
	if ind.SourceType == indicators.SourceSubmitted {
		if key, ok := indicators.SourceKeys[ind.Source]; ok {
			ind.Source = e.say(lang, key, ind.Source)
		}
	} else {
		ind.Source = e.CitationIn(lang, ind)
	}
	return ind
}

// unitKeys names the message of each unit the catalogue uses, so a chart's
// axis and legend read in the page's language ("%" needs none).
var unitKeys = map[string]string{
	"per 10,000 population":               "unit.per10k",
	"per 100,000 population":              "unit.per100k",
	"persons":                             "unit.persons",
	"number":                              "unit.number",
	"yes (1) / no (0)":                    "unit.yesno",
	"% of GDP":                            "unit.pct_gdp",
	"% of current health expenditure":     "unit.pct_che",
	"% of general government expenditure": "unit.pct_gge",
	"US$ per capita":                      "unit.usd_pc",
	"ratio (highest / lowest)":            "unit.ratio_hl",
}
