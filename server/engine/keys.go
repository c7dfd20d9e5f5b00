package engine

import (
	"strconv"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

// Key names one cached payload: its kind, what it is computed from, and the
// version of the data it depends on. Each payload kind has one constructor,
// which takes what the payload depends on and looks up that version; the
// cache string is written from the key and never read back. A write
// changes the version of exactly the keys whose payloads it alters.
type Key struct {
	version int64
	kind    string
	parts   [6]string
	n       int
	// pinned says the payload is the data as it stood at version (an as_of
	// view): it never changes, and it never shares a cache entry with a live
	// payload of the same version (one computed while a write's
	// notification was in flight may hold newer data).
	pinned bool
}

// newKey makes a key; a pinned engine (see At) makes pinned keys.
func (e *Engine) newKey(version int64, kind string, parts ...string) Key {
	k := Key{version: version, kind: kind, n: len(parts), pinned: e.asOf > 0}
	copy(k.parts[:], parts)
	return k
}

// Pinned says the payload is a view pinned to its version: immutable.
func (k Key) Pinned() bool { return k.pinned }

// Version is the data version the payload depends on; it also names the
// payload's ETag.
func (k Key) Version() int64 { return k.version }

// AppendTo appends the cache string, "v<version>:<kind>[:<part>]…", to b.
// It does not allocate when b has room: the hottest read builds its key in
// a pooled buffer.
func (k Key) AppendTo(b []byte) []byte {
	if k.pinned {
		b = append(b, "asof"...)
	}
	b = append(b, 'v')
	b = strconv.AppendInt(b, k.version, 10)
	b = append(b, ':')
	b = append(b, k.kind...)
	for _, p := range k.parts[:k.n] {
		b = append(b, ':')
		b = append(b, p...)
	}
	return b
}

// String is the cache string.
func (k Key) String() string {
	return string(k.AppendTo(make([]byte, 0, 64)))
}

const population = "SP.POP.TOTL"

// codeIndicator records whether a Member State reported in a Code round.
const codeIndicator = "code_nri_report"

// CountriesKey names the list of Member States and groups: reference data,
// fixed for the life of the process.
func (e *Engine) CountriesKey() Key { return e.newKey(0, "countries") }

// IndicatorsKey names the catalogue: reference data with each indicator's
// freshness (when its data last changed), so it depends on the global
// version.
func (e *Engine) IndicatorsKey() Key { return e.newKey(e.global(), "indicators") }

// IndicatorKey names one indicator's description with its freshness.
func (e *Engine) IndicatorKey(ind indicators.Indicator) Key {
	return e.newKey(e.VersionOf(ind.ID), "indicator", ind.ID)
}

// DataQuery is what an indicator's data payload depends on besides the
// indicator: its countries and years. Build it with NewDataQuery, which
// writes its part of the cache key once (a memoised query is reused for
// thousands of reads a second).
type DataQuery struct {
	Countries []string
	Time      TimeRange
	canon     string
}

// NewDataQuery makes a data query.
func NewDataQuery(countries []string, tr TimeRange) DataQuery {
	return DataQuery{Countries: countries, Time: tr,
		canon: strings.Join(countries, ",") + ":" + strconv.Itoa(tr.From) + "-" + strconv.Itoa(tr.To)}
}

// DataKey names an indicator's data in a format ("json" or "csv").
func (e *Engine) DataKey(ind indicators.Indicator, q DataQuery, format string) Key {
	if format == "csv" {
		return e.newKey(e.VersionOf(ind.ID), "data", ind.ID, q.canon, "csv")
	}
	return e.newKey(e.VersionOf(ind.ID), "data", ind.ID, q.canon)
}

// HistoryKey names the revisions of one country-year of an indicator.
func (e *Engine) HistoryKey(ind indicators.Indicator, iso3 string, year int) Key {
	return e.newKey(e.VersionOf(ind.ID), "history", ind.ID, iso3, strconv.Itoa(year))
}

// RegionalKey names an indicator's regional aggregate for a year (0: the
// default year); weighted means depend on population.
func (e *Engine) RegionalKey(ind indicators.Indicator, year int) Key {
	return e.newKey(e.VersionOf(append([]string{ind.ID, population}, indicators.WeightingFor(ind).Inputs()...)...), "regional", ind.ID, strconv.Itoa(year))
}

// MilestonesKey names the milestones with their regional status.
func (e *Engine) MilestonesKey() Key { return e.newKey(e.milestonesVersion(), "milestones") }

// RoadmapKey names the Roadmap, which shows the milestones' status.
func (e *Engine) RoadmapKey() Key { return e.newKey(e.milestonesVersion(), "roadmap") }

func (e *Engine) milestonesVersion() int64 { return e.VersionOf(e.ref.MeasuredIDs()...) }

// RoundsKey names the Code reporting rounds.
func (e *Engine) RoundsKey() Key { return e.newKey(e.VersionOf(codeIndicator), "rounds") }

// SummaryKey names a country's summary in a language. It shows every
// indicator, so it depends on the global version.
func (e *Engine) SummaryKey(iso3, lang string) Key {
	return e.newKey(e.global(), "summary", iso3, lang)
}

// ChartKey names a chart; its regional band and weights depend on
// population.
func (e *Engine) ChartKey(r ChartRequest) Key {
	return e.newKey(e.chartVersion(r), "chart", r.Canonical())
}

func (e *Engine) chartVersion(r ChartRequest) int64 {
	return e.VersionOf(append(r.dependsOn(e.ref), population)...)
}

// ExperiencesKey names a page of the shared experiences; they have no
// indicator of their own, so they depend on the global version.
func (e *Engine) ExperiencesKey(q indicators.ExperienceQuery) Key {
	return e.newKey(e.global(), "experiences", q.Country, q.Topic, q.Indicator, q.Milestone,
		strconv.FormatInt(q.Before, 10), strconv.Itoa(q.Limit))
}

// ExperienceKey names one shared experience with its history.
func (e *Engine) ExperienceKey(id int64) Key {
	return e.newKey(e.global(), "experience", strconv.FormatInt(id, 10))
}

// FeedKey names the Atom feed of changes f selects, in lang, with links
// under base. An indicator's feed changes with the indicator; the others
// with any write.
func (e *Engine) FeedKey(f indicators.ChangeFilter, base, lang string) Key {
	v := e.global()
	if f.Indicator != "" && f.Country == "" {
		v = e.VersionOf(f.Indicator)
	}
	return e.newKey(v, "feed", f.Country, f.Indicator, f.ExcludeAuthor, lang, base)
}

// TopicKey names the payload pushed to a topic's subscribers (the topic is
// valid: see CheckTopic); its version is the one its kind depends on.
func (e *Engine) TopicKey(topic string) Key {
	kind, arg, _ := strings.Cut(topic, ":")
	v := e.global()
	if k, ok := kindOf(kind); ok && k.version != nil {
		v = k.version(e, arg)
	}
	return e.newKey(v, "push", topic)
}
