// Package indicators holds hwfdash's domain types and the pure computations on
// them: the indicator catalogue, derived indicators, regional aggregates and
// milestone status. Nothing here does I/O; every number it returns comes from
// the observations it is given, and a missing value stays missing (nil).
package indicators

import (
	"encoding/json"
	"errors"
	"time"
)

// Category groups indicators the way the dashboard presents them.
type Category string

// The categories of the catalogue.
const (
	CategoryStock        Category = "workforce stock"
	CategoryEducation    Category = "education"
	CategoryMigration    Category = "migration"
	CategoryDistribution Category = "distribution"
	CategoryCode         Category = "Code implementation"
	CategoryFinancing    Category = "financing"
	CategoryPopulation   Category = "population"
)

// Area is an information area of resolution WHA64.6, which urges Member
// States to collect, process and disseminate "information on their health
// work force, covering, but not limited to, stock, education and training
// capacity, distribution, migration and expenditures" (operative paragraph
// 1(9)). The dashboard shows every area, so that a gap in what is published
// is visible as a gap rather than hidden by omission.
type Area string

// The WHA64.6 information areas, in the order of the resolution's text.
const (
	AreaStock        Area = "stock"
	AreaEducation    Area = "education_training"
	AreaDistribution Area = "distribution"
	AreaMigration    Area = "migration"
	AreaExpenditure  Area = "expenditure"
)

// InformationAreas lists the WHA64.6 information areas in the resolution's
// order.
func InformationAreas() []Area {
	return []Area{AreaStock, AreaEducation, AreaDistribution, AreaMigration, AreaExpenditure}
}

// SourceType says where an indicator's values come from.
type SourceType string

// The source types of the catalogue.
const (
	// SourcePublished: a published series ships with hwfdash (seed data);
	// ministries may add or revise figures where the indicator is submittable.
	SourcePublished SourceType = "published"
	// SourceDerived: computed by hwfdash from published series.
	SourceDerived SourceType = "derived"
	// SourceSubmitted: no public per-country series was found; values arrive
	// only by authenticated submission and are missing until then.
	SourceSubmitted SourceType = "submitted"
)

// Kind says what values an indicator may take; it drives validation of
// submissions.
type Kind string

// The kinds of indicator values.
const (
	KindDensity Kind = "density" // a rate per population, >= 0
	KindCount   Kind = "count"   // a headcount, >= 0
	KindPercent Kind = "percent" // 0..100
	KindYesNo   Kind = "yesno"   // 0 or 1
	KindAmount  Kind = "amount"  // money per capita, >= 0
	KindRatio   Kind = "ratio"   // highest over lowest of a set of values, >= 1
)

// Indicator is one entry of the catalogue.
type Indicator struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	ShortName string   `json:"short_name"`
	Unit      string   `json:"unit"`
	Category  Category `json:"category"`
	// Area is the WHA64.6 information area; empty for indicators outside
	// them (the Code's reporting answers, population).
	Area Area `json:"information_area,omitempty"`
	// SourceType says whether a published series ships or values arrive by
	// submission only.
	SourceType     SourceType `json:"source_type"`
	Kind           Kind       `json:"kind"`
	Description    string     `json:"description"`
	Source         string     `json:"source"`
	HigherIsBetter *bool      `json:"higher_is_better"` // nil where neither direction is better
	Milestones     []string   `json:"milestones"`       // ids of milestones measured with it
	// Weighted says whether a population-weighted regional mean is meaningful
	// (rates per population and shares are; headcounts and yes/no answers are not).
	Weighted bool `json:"population_weighted"`
	// Derived is set for indicators computed by hwfdash from other indicators.
	Derived *Derivation `json:"derived,omitempty"`
	// Submittable says whether ministries may submit values for it.
	Submittable bool `json:"submittable"`
	// CodeQuestion cites the National Reporting Instrument question an
	// implementation indicator follows.
	CodeQuestion string `json:"code_question,omitempty"`
	// Vintage is the publisher's release the shipped values come from (for
	// a derived indicator, its inputs'); empty where values arrive only by
	// submission.
	Vintage string `json:"vintage,omitempty"`
	// NextExpectedUpdate is when the publisher's next release is expected
	// (a year or a date), set only where a source states a schedule, which
	// NextUpdateBasis cites; never estimated.
	NextExpectedUpdate string `json:"next_expected_update,omitempty"`
	NextUpdateBasis    string `json:"next_update_basis,omitempty"`
}

// Derivation describes how a derived indicator is computed.
type Derivation struct {
	// Op is "sum" (value = sum of inputs, all required) or "per10k"
	// (value = inputs[0] / inputs[1] * 10000, i.e. a count over population).
	Op     string   `json:"op"`
	Inputs []string `json:"inputs"`
}

// Country is a Member State of the WHO European Region.
type Country struct {
	ISO3      string   `json:"iso3"`
	ISO2      string   `json:"iso2"`
	M49       string   `json:"m49"`
	Name      string   `json:"name"`
	ShortName string   `json:"short_name"`
	Subregion string   `json:"un_subregion"`
	Groups    []string `json:"groups"` // e.g. "EU27", "EEA", "EURO", "Central Asia"
}

// Observation is one value of an indicator for a country and year, as one
// revision in the store's history.
type Observation struct {
	Indicator string  `json:"indicator"`
	ISO3      string  `json:"iso3"`
	Year      int     `json:"year"`
	Value     float64 `json:"value"`
	Source    string  `json:"source"`
	Note      string  `json:"note,omitempty"`
	// Revision is the store's id of this revision; Version the data version
	// at which it was recorded; Author the label of who recorded it ("seed"
	// for the shipped data files).
	Revision   int64     `json:"revision,omitempty"`
	Version    int64     `json:"version,omitempty"`
	Author     string    `json:"author,omitempty"`
	RecordedAt time.Time `json:"recorded_at,omitzero"`
	// Break is set where the published series has a break at this year.
	Break bool `json:"series_break,omitempty"`
	// Flag marks a figure a reader should not take at face value
	// (FlagUnverifiedJump); FlagNote says why in English, Jump's FlagWhy in
	// a page's language. Flagged figures are shown and kept, never smoothed.
	Flag     string `json:"flag,omitempty"`
	FlagNote string `json:"flag_note,omitempty"`
	// Jump is a flagged jump's facts. A value, not a pointer: observations
	// are compared with == (a year's aggregate is reused while its rows
	// are the same).
	Jump Jump `json:"-"`
	// Estimate is set where the publisher flags the figure as an estimate.
	Estimate bool `json:"estimate,omitempty"`
}

// Key identifies a country-year of one indicator.
type Key struct {
	Indicator string
	ISO3      string
	Year      int
}

// Key returns the observation's country-year key.
func (o Observation) Key() Key { return Key{o.Indicator, o.ISO3, o.Year} }

// Comparison says which side of a target meets a milestone.
type Comparison string

// The comparisons a milestone target can use.
const (
	AtLeast Comparison = "gte"
	AtMost  Comparison = "lte"
	// Reduce means "reduce by Target as a fraction of the baseline" (0.5 for
	// "halve"): met when value <= baseline*(1-Target).
	Reduce Comparison = "reduce"
)

// Milestone is a global or European milestone, threshold or commitment.
type Milestone struct {
	ID    string `json:"id"`
	Scope string `json:"scope"` // "global" or "europe"
	// Year is nil where the source gives none (shown as "year not stated").
	Year          *int   `json:"year"`
	Title         string `json:"title"`
	IndicatorText string `json:"indicator_text"`
	TargetText    string `json:"target_text"`
	// Citation is the source as shipped (citation and curator's notes in
	// one string), kept for API compatibility; Cite and VerificationNote
	// are the two parts a reader sees apart.
	Citation string `json:"source_citation"`
	Cite     string `json:"citation,omitempty"`
	// VerificationNote is the curator's note on how the citation was
	// verified (secondary source, truncated copy, ...).
	VerificationNote string `json:"verification_note,omitempty"`
	// Links are the citation's addresses, primary first, copies labelled.
	Links []Link `json:"links,omitempty"`
	// Type is the kind of status the source supports; TypeNote says why
	// where it is not obvious.
	Type     MilestoneType `json:"type,omitempty"`
	TypeNote string        `json:"type_note,omitempty"`
	// Round is the Code reporting round of a MilestoneRound.
	Round int `json:"round,omitempty"`
	// List and ListYear name the list of a MilestoneList.
	List     string `json:"list,omitempty"`
	ListYear int    `json:"list_year,omitempty"`
	// Measure is set where the milestone can be measured on an indicator
	// (for a MilestoneList: the list's criterion, as context).
	Measure *Measure `json:"measure,omitempty"`
}

// Measure links a milestone to an indicator with a numeric target.
type Measure struct {
	Indicator    string     `json:"indicator"`
	Comparison   Comparison `json:"comparison"`
	Target       float64    `json:"target"`
	DueYear      int        `json:"due_year"`
	BaselineYear *int       `json:"baseline_year,omitempty"`
	Rationale    string     `json:"rationale"`
}

// Status is a milestone status for a country or the region.
type Status string

// The statuses, in the order a legend shows them.
const (
	StatusMet      Status = "met"
	StatusOnTrack  Status = "on_track"
	StatusOffTrack Status = "off_track"
	StatusNoData   Status = "no_data"
	// StatusNotMet: a threshold not met once its due year has passed (the
	// source gives met or not met, not a trajectory).
	StatusNotMet Status = "not_met"
	// StatusStale: the latest value is older than the recency window; it
	// counts neither as met nor as not met.
	StatusStale Status = "stale"
	// List membership (MilestoneList): on the list, not on it, or not known
	// from the cited sources.
	StatusListed            Status = "listed"
	StatusNotListed         Status = "not_listed"
	StatusMembershipUnknown Status = "membership_unknown"
	// Reporting rounds (MilestoneRound), per country: what hwfdash has
	// received by submission, which is never a statement about reporting
	// to WHO.
	StatusReceivedYes Status = "received_yes"
	StatusReceivedNo  Status = "received_no"
	StatusNotReceived Status = "not_received"
	// StatusNotMeasurable: the milestone has no measurable indicator.
	StatusNotMeasurable Status = "not_measurable"
)

// MilestoneType says what kind of status a milestone's source supports.
type MilestoneType string

// The milestone types.
const (
	// MilestoneThreshold: a numeric threshold or target: met / not met
	// with the distance.
	MilestoneThreshold MilestoneType = "threshold"
	// MilestoneList: membership of a published list (the WHO health
	// workforce support and safeguards list); a density criterion is
	// context only, never a status.
	MilestoneList MilestoneType = "list_membership"
	// MilestoneRound: a reporting round of the Code: reported / not
	// reported as cited, plus what hwfdash received, named as such.
	MilestoneRound MilestoneType = "reporting_round"
	// MilestoneUnmeasured: no measurable indicator.
	MilestoneUnmeasured MilestoneType = "no_measurable_indicator"
)

// Link is one address a citation gives. A copy (a reprint, a sandbox or
// test host) is never the primary link.
type Link struct {
	URL  string `json:"url"`
	Copy bool   `json:"copy"`
	// Label says what a copy is ("reprint", "sandbox or test copy").
	Label string `json:"label,omitempty"`
}

// ListFact is a regional count of a published list (safeguards_list.csv).
type ListFact struct {
	List            string `json:"list"`
	Year            int    `json:"year"`
	WHORegion       string `json:"who_region"`
	CountriesListed int    `json:"countries_listed"`
	Citation        string `json:"source_citation"`
}

// RoundFact is a regional or global count from the Code's national reporting
// rounds, as cited (nri_rounds.csv). Value is a string because some facts are
// dates ("May 2022").
type RoundFact struct {
	Round         int      `json:"round"`
	ReportingYear int      `json:"reporting_year"`
	Scope         string   `json:"scope"`
	WHORegion     string   `json:"who_region"`
	Metric        string   `json:"metric"`
	Value         string   `json:"value"`
	Number        *float64 `json:"number"` // Value as a number, nil where it is not one
	AsOf          string   `json:"as_of"`
	Report        string   `json:"governing_body_report"`
	Citation      string   `json:"source_citation"`
	Note          string   `json:"note"`
}

// SeriesBreak marks years where a published series breaks.
type SeriesBreak struct {
	Indicator string `json:"indicator"`
	ISO3      string `json:"iso3"`
	FromYear  int    `json:"from_year"`
	ToYear    int    `json:"to_year"`
	Note      string `json:"note"`
}

// Query selects the newest revision of observations. Empty lists and zero
// years are open. It lives here, with the other shared types, so that the
// store and its consumers agree on it without importing each other.
type Query struct {
	Indicators []string
	Countries  []string
	FromYear   int
	ToYear     int
	// AsOf pins the answer to a data version: only revisions recorded at or
	// before it count, so the answer is what stood then. 0 is live.
	AsOf int64
}

// Token is a write credential: a ministry token writes its own countries only;
// an admin token writes any country and manages tokens. The secret itself is
// never kept, only its hash.
type Token struct {
	ID        string     `json:"id"`
	Label     string     `json:"label"`
	Countries []string   `json:"countries"`
	Admin     bool       `json:"admin"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// Update is an update event on the bus: data changed up to Version, touching
// Topics. Kind is "data" (the default), "control" (a presenter command, in
// Payload) or "resync" (the bus may have lost events: re-read the version).
type Update struct {
	Version int64           `json:"version"`
	Topics  []string        `json:"topics"`
	Origin  string          `json:"origin"`
	Kind    string          `json:"kind,omitempty"`
	Payload json.RawMessage `json:"payload,omitempty"`
	// Published is when the origin instance published the event, in Unix
	// microseconds; pushes carry it so a client can see the delivery delay.
	Published int64 `json:"published,omitempty"`
}

// Errors shared by the store and its consumers.
var (
	ErrNotFound    = errors.New("not found")
	ErrRevoked     = errors.New("revoked")
	ErrUnavailable = errors.New("unavailable")
	// ErrUnchanged: a state change asked for the state already recorded.
	ErrUnchanged = errors.New("unchanged")
	// ErrConflict: the data changed since the write was planned (an import
	// diffed against an older version).
	ErrConflict = errors.New("conflict")
)

// Revision is the provenance of one import: the file a publisher's figures
// came from, recorded with the data version its rows were written at.
type Revision struct {
	Version int64  `json:"version"`
	Author  string `json:"author"`
	// Source names the publisher and dataset; Vintage is the publisher's
	// release date or, where the file gives none, the access date.
	Source  string `json:"source"`
	Vintage string `json:"vintage"`
	Format  string `json:"format"`
	Mapping string `json:"mapping"`
	File    string `json:"file"`
	SHA256  string `json:"sha256"`
	// Rows is how many revisions were written; Indicators and Countries
	// what they touch (sorted), for the update event.
	Rows       int       `json:"rows"`
	Indicators []string  `json:"indicators"`
	Countries  []string  `json:"countries"`
	RecordedAt time.Time `json:"recorded_at,omitzero"`
}
