package engine

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/hwfdash/hwfdash/charts"
	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
)

// chartNames are the charts the API builds.
var chartNames = []string{"trend", "ranking", "map", "code", "milestones", "relationship"}

// chartScales are the font scales a chart is drawn at: a fixed set, so
// that the scale adds few cached payloads (pages use 1, the projector 2).
var chartScales = []float64{0.75, 1, 1.25, 1.5, 2, 3}

// chartParams are the query parameters of a chart topic; "x" and "y" are
// the relationship chart's. A topic with any other parameter is refused,
// so that one view has one topic.
var chartParams = map[string]bool{"indicator": true, "countries": true, "time": true, "year": true, "scale": true,
	"lang": true, "relative_to": true, "yscale": true, "top": true, "highlight": true}

// ChartRequest is a parsed chart query. Its canonical form names a chart
// topic, so that every page showing the same view shares one pushed frame.
type ChartRequest struct {
	Name      string
	Indicator indicators.Indicator
	Y         indicators.Indicator // relationship only
	Countries []string
	Time      TimeRange
	Year      int
	Scale     float64
	Lang      string
	// RelativeTo is the base year of a trend drawn as each country's
	// change since that year, in percent; 0 draws the values.
	RelativeTo int
	// YScale is "log" for a logarithmic value axis; "" is linear.
	YScale string
	// Top > 0 is a compact ranking of the Top highest and lowest; Highlight
	// the Member State a ranking or map marks (an embed's country).
	Top       int
	Highlight string
}

// ChartResult is the answer of /api/v1/charts/{chart}: the ECharts option,
// its table alternative, and the sources behind it.
type ChartResult struct {
	Chart   string         `json:"chart"`
	Topic   string         `json:"topic"`
	Version int64          `json:"version"`
	Title   string         `json:"title"`
	Option  map[string]any `json:"option"`
	Table   ChartTable     `json:"table"`
	Sources []string       `json:"sources"`
	// Years are the years with data of a map or ranking, for its timeline.
	Years []int `json:"years,omitempty"`
}

// ChartTable is the accessible, downloadable table of what a chart shows.
// Columns are stable keys (the CSV's header); Labels are their headings in
// the chart's language, and the cells a reader reads as words (a country's
// name, a status, a source) are in that language too.
type ChartTable struct {
	Columns []string `json:"columns"`
	Labels  []string `json:"labels"`
	Rows    [][]any  `json:"rows"`
}

// tableColumns names each table column's heading: its message and the
// English wording.
var tableColumns = map[string][2]string{
	"iso3":            {"col.iso3", "ISO3"},
	"country":         {"col.country", "Country"},
	"year":            {"col.year", "Year"},
	"value":           {"col.value", "Value"},
	"unit":            {"col.unit", "Unit"},
	"source":          {"col.source", "Source"},
	"status":          {"col.country_status", "Status against the milestone"},
	"round":           {"col.round", "Round"},
	"reporting_year":  {"col.reporting_year", "Reporting year"},
	"reported":        {"col.received", "Reports received by hwfdash"},
	"not_reported":    {"col.not_received", "Not received by hwfdash"},
	"members":         {"col.members", "Member States"},
	"cited_europe":    {"chart.cited", "Cited regional count"},
	"id":              {"col.id", "Id"},
	"scope":           {"col.scope", "Scope"},
	"title":           {"col.milestone", "Milestone"},
	"regional_status": {"col.status", "Regional status"},
	"x_indicator":     {"col.x_indicator", "Indicator (x)"},
	"x_year":          {"col.x_year", "Year (x)"},
	"x_value":         {"col.x_value", "Value (x)"},
	"y_indicator":     {"col.y_indicator", "Indicator (y)"},
	"y_year":          {"col.y_year", "Year (y)"},
	"y_value":         {"col.y_value", "Value (y)"},
}

// columns sets the table's column keys and their headings in lang.
func (e *Engine) columns(lang string, t *ChartTable, keys ...string) {
	t.Columns = keys
	t.Labels = make([]string, len(keys))
	for i, k := range keys {
		t.Labels[i] = k
		if m, ok := tableColumns[k]; ok {
			t.Labels[i] = e.say(lang, m[0], m[1])
		}
	}
}

// scopeWords is a milestone's scope ("global", "europe") in lang.
func (e *Engine) scopeWords(lang, scope string) string {
	switch scope {
	case "global":
		return e.say(lang, "chart.global", "Global")
	case "europe":
		return e.say(lang, "chart.european", "European")
	}
	return scope
}

// statusWords is a status as a table cell: its words in lang (nil for none).
func (e *Engine) statusWords(lang string, s indicators.Status) any {
	if s == "" {
		return nil
	}
	return e.say(lang, "status."+string(s), strings.ReplaceAll(string(s), "_", " "))
}

// ParseChart reads a chart request from a name and query values.
func (e *Engine) ParseChart(name string, q url.Values) (ChartRequest, error) {
	r := ChartRequest{Name: name, Scale: 1}
	lang, err := ParseLang(q.Get("lang"))
	if err != nil {
		return r, err
	}
	r.Lang = lang
	known := false
	for _, n := range chartNames {
		known = known || n == name
	}
	if !known {
		return r, notFound("chart", "unknown chart %q: use %s", truncate(name, 30), strings.Join(chartNames, ", "))
	}
	needIndicator := name == "trend" || name == "ranking" || name == "map" || name == "relationship"
	if id := q.Get("indicator"); id != "" || needIndicator {
		if name == "relationship" && id == "" {
			id = q.Get("x")
		}
		ind, ok := e.ref.ByID[id]
		if !ok {
			return r, badParam("indicator", fmt.Errorf("unknown indicator %q", truncate(id, 60)))
		}
		r.Indicator = ind
	}
	if name == "relationship" {
		ind, ok := e.ref.ByID[q.Get("y")]
		if !ok {
			return r, badParam("y", fmt.Errorf("unknown indicator %q", truncate(q.Get("y"), 60)))
		}
		r.Y = ind
	}
	if r.Countries, err = ParseCountries(q.Get("countries"), e.ref.Expand); err != nil {
		return r, badParam("countries", err)
	}
	if r.Time, err = ParseTime(q.Get("time"), e.currentYear()); err != nil {
		return r, badParam("time", err)
	}
	if y := q.Get("year"); y != "" {
		if r.Year, err = ParseYear(y, e.currentYear()); err != nil {
			return r, badParam("year", err)
		}
	}
	if sc := q.Get("scale"); sc != "" {
		f, err := strconv.ParseFloat(sc, 64)
		if err != nil || !slices.Contains(chartScales, f) {
			var set []string
			for _, s := range chartScales {
				set = append(set, fmtValue(s))
			}
			return r, badParam("scale", fmt.Errorf("%q: use one of %s", truncate(sc, 10), strings.Join(set, ", ")))
		}
		r.Scale = f
	}
	if err := r.parseView(q, e.currentYear()); err != nil {
		return r, err
	}
	if err := r.parseFrame(q, e.ref.Known); err != nil {
		return r, err
	}
	return r, nil
}

// Canonical is the query in a fixed order, for topics and cache keys.
func (r ChartRequest) Canonical() string {
	v := url.Values{}
	if r.Indicator.ID != "" {
		v.Set("indicator", r.Indicator.ID)
	}
	if r.Y.ID != "" {
		v.Set("y", r.Y.ID)
	}
	if len(r.Countries) > 0 {
		v.Set("countries", strings.Join(r.Countries, ","))
	}
	if r.Time != (TimeRange{}) {
		v.Set("time", r.Time.Param())
	}
	if r.Year != 0 {
		v.Set("year", strconv.Itoa(r.Year))
	}
	if r.Scale != 1 {
		v.Set("scale", strconv.FormatFloat(r.Scale, 'f', -1, 64))
	}
	if r.Lang != "en" {
		v.Set("lang", r.Lang)
	}
	if r.RelativeTo != 0 {
		v.Set("relative_to", strconv.Itoa(r.RelativeTo))
	}
	if r.YScale != "" {
		v.Set("yscale", r.YScale)
	}
	r.frameParams(v)
	return r.Name + "?" + v.Encode()
}

// Topic is the websocket topic that pushes the chart's updates.
func (r ChartRequest) Topic() string { return "chart:" + r.Canonical() }

func yearStr(y int) string {
	if y == 0 {
		return ""
	}
	return strconv.Itoa(y)
}

// dependsOn lists the indicators whose change alters the chart.
func (r ChartRequest) dependsOn(ix *Ref) []string {
	switch r.Name {
	case "code":
		return []string{"code_nri_report"}
	case "milestones":
		return ix.MeasuredIDs()
	case "relationship":
		return []string{r.Indicator.ID, r.Y.ID}
	default:
		return []string{r.Indicator.ID}
	}
}

// parseChartTopic parses a chart topic's argument strictly: besides what
// ParseChart checks, an unknown or repeated parameter is refused, naming it.
func (e *Engine) parseChartTopic(arg string) (ChartRequest, error) {
	name, query, _ := strings.Cut(arg, "?")
	q, err := url.ParseQuery(query)
	if err != nil {
		return ChartRequest{}, fmt.Errorf("chart topic: malformed query")
	}
	params := make([]string, 0, len(q))
	for p := range q {
		params = append(params, p)
	}
	sort.Strings(params)
	for _, p := range params {
		if !chartParams[p] && (name != "relationship" || (p != "x" && p != "y")) {
			return ChartRequest{}, badParam(p, fmt.Errorf("chart topic: unknown parameter %q: use %s", truncate(p, 20), chartParamList(name)))
		}
		if len(q[p]) > 1 {
			return ChartRequest{}, badParam(p, fmt.Errorf("chart topic: parameter %q given %d times", p, len(q[p])))
		}
	}
	return e.ParseChart(name, q)
}

func chartParamList(name string) string {
	var ps []string
	for p := range chartParams {
		ps = append(ps, p)
	}
	if name == "relationship" {
		ps = append(ps, "x", "y")
	}
	sort.Strings(ps)
	return strings.Join(ps, ", ")
}

func (e *Engine) names(lang string) map[string]string {
	out := make(map[string]string, len(e.ref.Countries))
	for _, c := range e.ref.Countries {
		out[c.ISO3] = e.msgs.Country(lang, c.ISO3, c.Name)
	}
	return out
}

// BuildChart assembles a chart's inputs from the engine and builds it.
func (e *Engine) BuildChart(ctx context.Context, r ChartRequest, version int64) (ChartResult, error) {
	res := ChartResult{Chart: r.Name, Topic: r.Topic(), Version: version, Sources: []string{}}
	lang := r.Lang
	st := charts.Style{FontScale: r.Scale, T: func(key string) string { return e.msgs.T(lang, key) }, Point: public.DecimalMark(lang),
		Credit: func(ind indicators.Indicator) string { return e.CreditIn(lang, ind) }}
	if lang == "en" {
		st.T = nil // the charts' own English labels
	}
	r.Indicator = e.LocalIndicator(lang, r.Indicator)
	if r.Y.ID != "" {
		r.Y = e.LocalIndicator(lang, r.Y)
	}
	var opt map[string]any
	var err error
	switch r.Name {
	case "trend":
		opt, err = e.trendChart(ctx, r, st, &res)
	case "ranking", "map":
		opt, err = e.yearChart(ctx, r, st, &res)
	case "code":
		opt, err = e.codeChart(ctx, r, st, &res)
	case "milestones":
		opt, err = e.milestonesChart(ctx, r, st, &res)
	case "relationship":
		opt, err = e.relationshipChart(ctx, r, st, &res)
	}
	if err != nil {
		return res, err
	}
	res.Option = opt
	if t, ok := opt["title"]; ok {
		res.Title = titleText(t)
	}
	res.Sources = e.citeSources(r.Lang, res.Sources, r.Indicator, r.Y)
	sort.Strings(res.Sources)
	return res, nil
}

// citeSources gives a chart's sources as a reader cites them: a shipped
// figure's source names the mirror and commit it was copied from ("… via
// github.com/…@<commit>"), which stay in the provenance document; the
// chart lists the series' short citation instead. Other sources (a
// ministry's submission, a cited milestone) are kept. hwfdash's own words
// are in lang (CitationIn).
func (e *Engine) citeSources(lang string, sources []string, inds ...indicators.Indicator) []string {
	out := make([]string, 0, len(sources))
	seen := map[string]bool{}
	add := func(s string) {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, s := range sources {
		if !copiedFromMirror(s) {
			add(s)
			continue
		}
		for _, ind := range inds {
			if ind.ID != "" {
				add(e.CitationIn(lang, e.ref.ByID[ind.ID]))
			}
		}
	}
	return out
}

// copiedFromMirror says whether a figure's stored source is a shipped
// series' provenance: the mirror and commit it was copied from.
func copiedFromMirror(source string) bool { return strings.Contains(source, " via github.com/") }

// RowCitation is one figure's source as a reader cites it, in lang: a
// shipped figure's provenance (its mirror and commit, kept in the data API
// and the provenance document) becomes its series' citation (CitationIn);
// a ministry's or an import's source is its own words.
func (e *Engine) RowCitation(lang string, ind indicators.Indicator, source string) string {
	if copiedFromMirror(source) {
		return e.CitationIn(lang, e.ref.ByID[ind.ID])
	}
	return source
}

func titleText(t any) string {
	switch v := t.(type) {
	case map[string]any:
		s, _ := v["text"].(string)
		return s
	case []any:
		if len(v) > 0 {
			return titleText(v[0])
		}
	}
	return ""
}

// sourceSet collects distinct sources.
type sourceSet map[string]bool

func (ss sourceSet) add(obs []indicators.Observation) {
	for _, o := range obs {
		ss[o.Source] = true
	}
}

func (ss sourceSet) list() []string {
	out := make([]string, 0, len(ss))
	for s := range ss {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func fmtValue(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func (e *Engine) trendChart(ctx context.Context, r ChartRequest, st charts.Style, res *ChartResult) (map[string]any, error) {
	all, err := e.Series(ctx, r.Indicator, nil, r.Time)
	if err != nil {
		return nil, err
	}
	pop, err := e.population(ctx, r.Time)
	if err != nil {
		return nil, err
	}
	series := map[string][]indicators.Observation{}
	want := map[string]bool{}
	for _, c := range r.Countries {
		want[c] = true
		series[c] = nil
	}
	src := sourceSet{}
	names := e.names(r.Lang)
	e.columns(r.Lang, &res.Table, "iso3", "country", "year", "value", "unit", "source")
	for _, o := range all {
		if want[o.ISO3] {
			series[o.ISO3] = append(series[o.ISO3], o)
			src.add([]indicators.Observation{o})
			source := e.RowCitation(r.Lang, r.Indicator, o.Source)
			if o.Flag != "" {
				source += "; " + e.say(r.Lang, "chart."+o.Flag, strings.ReplaceAll(o.Flag, "_", " ")) + e.say(r.Lang, "punct.colon", ":") + " " + e.WhyIn(r.Lang, o.Jump.Why(), o.FlagNote)
			}
			res.Table.Rows = append(res.Table.Rows, []any{o.ISO3, names[o.ISO3], o.Year, o.Value, r.Indicator.Unit, source})
		}
	}
	var band []charts.Band
	for _, reg := range indicators.AggregateSeries(all, pop, false) {
		// Coverage (indicators.CoverageRule): a low-coverage median is drawn
		// apart and said so in the table.
		cv := indicators.MeasureCoverage(reg.Countries, e.ref.Countries, pop[reg.Year])
		band = append(band, charts.Band{Year: reg.Year, Median: reg.Median, P25: reg.P25, P75: reg.P75, CountReported: reg.Count, Low: cv.Low})
		if reg.Median != nil {
			note := fmt.Sprintf(e.say(r.Lang, "source.median_of", "hwfdash: median of %d Member States"), reg.Count)
			if cv.Low {
				note += "; " + e.say(r.Lang, "coverage.low", "low coverage")
			}
			res.Table.Rows = append(res.Table.Rows, []any{"", e.say(r.Lang, "chart.median", "Regional median"), reg.Year, *reg.Median, r.Indicator.Unit, note})
		}
	}
	res.Sources = src.list()
	in := charts.TrendInput{
		Indicator: r.Indicator, Series: series, Names: e.names(r.Lang), Band: band,
		Milestones: e.ref.Measured(r.Indicator.ID), FromYear: r.Time.From, ToYear: r.Time.To,
		Events: e.trendEvents(r.Lang), MarkBreaks: true,
	}
	if err := e.trendView(r, &in, &res.Table); err != nil {
		return nil, err
	}
	return charts.Trend(in, st)
}

// yearValues picks, for one year (0: the default year, chooseYear), each
// Member State's value; it also returns the series and the population it
// read, so that a status needs no second read.
func (e *Engine) yearValues(ctx context.Context, ind indicators.Indicator, year int) (int, map[string]*indicators.Observation, []indicators.Observation, map[int]map[string]float64, error) {
	all, err := e.Series(ctx, ind, nil, TimeRange{})
	if err != nil {
		return 0, nil, nil, nil, err
	}
	pop, err := e.population(ctx, TimeRange{})
	if err != nil {
		return 0, nil, nil, nil, err
	}
	if year == 0 {
		series, err := e.regionalSeriesOf(ctx, ind, all, pop)
		if err != nil {
			return 0, nil, nil, nil, err
		}
		year = chooseYear(series).Year
	}
	values := map[string]*indicators.Observation{}
	for _, c := range e.ref.Countries {
		values[c.ISO3] = nil
	}
	for i := range all {
		if all[i].Year == year {
			values[all[i].ISO3] = &all[i]
		}
	}
	return year, values, all, pop, nil
}

func (e *Engine) yearChart(ctx context.Context, r ChartRequest, st charts.Style, res *ChartResult) (map[string]any, error) {
	year, values, all, pop, err := e.yearValues(ctx, r.Indicator, r.Year)
	if err != nil {
		return nil, err
	}
	src := sourceSet{}
	status := map[string]indicators.Status{}
	var target *float64
	label := ""
	if ms := e.ref.Measured(r.Indicator.ID); len(ms) > 0 {
		m := ms[0]
		// The catalogue lists an indicator's headline milestone first.
		for _, id := range r.Indicator.Milestones {
			if mm, ok := e.ref.MilestoneByID[id]; ok && mm.Measure != nil {
				m = mm
				break
			}
		}
		target, label = &m.Measure.Target, fmt.Sprintf("%s: %s (%d)", m.ID, fmtValue(m.Measure.Target), m.Measure.DueYear)
		ref := e.currentYear()
		rr := indicators.StableRegionStatus(*m.Measure, r.Indicator, byCountry(all), e.ref.Countries, latestPopulation(pop, ref), ref)
		for iso3, cr := range rr.Countries {
			status[iso3] = cr.Status
		}
	}
	e.columns(r.Lang, &res.Table, "iso3", "country", "year", "value", "unit", "source", "status")
	names := e.names(r.Lang)
	for _, c := range e.ref.Countries {
		o := values[c.ISO3]
		if o == nil {
			// The status is a milestone's verdict from a country's series;
			// beside a year it has no value for, it would read as that
			// year's: a row without a value has no status (issue 16).
			delete(status, c.ISO3)
			res.Table.Rows = append(res.Table.Rows, []any{c.ISO3, names[c.ISO3], year, nil, r.Indicator.Unit, "", nil})
			continue
		}
		src.add([]indicators.Observation{*o})
		res.Table.Rows = append(res.Table.Rows, []any{c.ISO3, names[c.ISO3], year, o.Value, r.Indicator.Unit,
			e.RowCitation(r.Lang, r.Indicator, o.Source), e.statusWords(r.Lang, status[c.ISO3])})
	}
	res.Sources = src.list()
	res.Years = yearsOf(all)
	if r.Name == "map" {
		return charts.Map(charts.MapInput{Indicator: r.Indicator, Year: year, Values: values, Names: e.names(r.Lang),
			Countries: e.ref.AllISO3(), Small: e.smallStates, Highlight: r.Highlight}, st)
	}
	return charts.Ranking(charts.RankingInput{Indicator: r.Indicator, Year: year, Values: values, Names: e.names(r.Lang),
		Countries: e.ref.AllISO3(), Status: status, Target: target, TargetLabel: label, Top: r.Top, Highlight: r.Highlight}, st)
}

func (e *Engine) codeChart(ctx context.Context, r ChartRequest, st charts.Style, res *ChartResult) (map[string]any, error) {
	rounds, err := e.Rounds(ctx, 0)
	if err != nil {
		return nil, err
	}
	var in []charts.Round
	e.columns(r.Lang, &res.Table, "round", "reporting_year", "reported", "not_reported", "members", "cited_europe")
	src := sourceSet{}
	for _, rr := range rounds["rounds"].([]RoundResult) {
		cr := charts.Round{Number: rr.Round, Year: rr.Year, Reported: rr.Reported, NotReported: rr.NotReported, Members: rr.Members}
		var cited any
		for _, f := range rr.Cited {
			if f.WHORegion == "EURO" && f.Number != nil && strings.HasPrefix(f.Metric, "reports_submitted") {
				cr.CitedEurope, cr.CitedLabel = f.Number, fmt.Sprintf("cited: %s (%s)", f.Value, f.AsOf)
				cited = *f.Number
				src[f.Citation] = true
			}
		}
		in = append(in, cr)
		res.Table.Rows = append(res.Table.Rows, []any{rr.Round, rr.Year, len(rr.Reported), len(rr.NotReported), rr.Members, cited})
	}
	res.Sources = src.list()
	return charts.CodeReporting(charts.CodeInput{Rounds: in, Names: e.names(r.Lang), Countries: e.ref.AllISO3()}, st)
}

func (e *Engine) milestonesChart(ctx context.Context, r ChartRequest, st charts.Style, res *ChartResult) (map[string]any, error) {
	ms, err := e.Milestones(ctx, 0)
	if err != nil {
		return nil, err
	}
	status := map[string]indicators.Status{}
	var list []indicators.Milestone
	e.columns(r.Lang, &res.Table, "id", "scope", "year", "title", "regional_status", "source")
	for _, m := range ms.Milestones {
		m.Title = e.msgs.Optional(r.Lang, "ms."+m.ID+".title", m.Title)
		list = append(list, m.Milestone)
		var year, stat any
		if m.Year != nil {
			year = *m.Year
		}
		if m.Region != nil {
			status[m.ID] = m.Region.Status
			stat = e.statusWords(r.Lang, m.Region.Status)
		}
		cite := e.milestoneCite(r.Lang, m.Milestone)
		res.Table.Rows = append(res.Table.Rows, []any{m.ID, e.scopeWords(r.Lang, m.Scope), year, m.Title, stat, cite})
		res.Sources = append(res.Sources, m.ID+": "+cite)
	}
	return charts.Milestones(charts.MilestonesInput{Milestones: list, Status: status, CurrentYear: e.currentYear()}, st)
}

// milestoneCite is a milestone's source as the milestones page shows it:
// the citation a reader uses, then the curator's verification note (a
// secondary source, a truncated copy) in lang, where the data split them.
// The shipped string (source_citation, the API's) runs both together, in
// the curator's words ("Verify before display").
func (e *Engine) milestoneCite(lang string, m indicators.Milestone) string {
	cite := m.Cite
	if cite == "" {
		cite = m.Citation
	}
	if m.VerificationNote == "" {
		return cite
	}
	note := e.say(lang, "ms."+m.ID+".verification", m.VerificationNote)
	return cite + " (" + e.say(lang, "milestones.verification", "verification note") + e.say(lang, "punct.colon", ":") + " " + note + ")"
}

func (e *Engine) relationshipChart(ctx context.Context, r ChartRequest, st charts.Style, res *ChartResult) (map[string]any, error) {
	latest := func(ind indicators.Indicator) (map[string]indicators.Observation, error) {
		obs, err := e.Series(ctx, ind, nil, r.Time)
		if err != nil {
			return nil, err
		}
		out := map[string]indicators.Observation{}
		for _, o := range obs {
			if r.Year != 0 && o.Year != r.Year {
				continue
			}
			if prev, ok := out[o.ISO3]; !ok || o.Year > prev.Year {
				out[o.ISO3] = o
			}
		}
		return out, nil
	}
	xs, err := latest(r.Indicator)
	if err != nil {
		return nil, err
	}
	ys, err := latest(r.Y)
	if err != nil {
		return nil, err
	}
	src := sourceSet{}
	var pts []charts.Point
	e.columns(r.Lang, &res.Table, "iso3", "country", "x_indicator", "x_year", "x_value", "y_indicator", "y_year", "y_value")
	names := e.names(r.Lang)
	for _, c := range e.ref.Countries {
		x, okx := xs[c.ISO3]
		y, oky := ys[c.ISO3]
		if !okx || !oky {
			continue
		}
		pts = append(pts, charts.Point{ISO3: c.ISO3, X: x.Value, Y: y.Value, XYear: x.Year, YYear: y.Year})
		src.add([]indicators.Observation{x, y})
		res.Table.Rows = append(res.Table.Rows, []any{c.ISO3, names[c.ISO3], r.Indicator.ID, x.Year, x.Value, r.Y.ID, y.Year, y.Value})
	}
	res.Sources = src.list()
	if r.YScale == "log" {
		for _, p := range pts {
			if p.Y <= 0 {
				return nil, notPositive(e.ref.CountryName(p.ISO3), p.YYear, p.Y)
			}
		}
	}
	return charts.Relationship(charts.ScatterInput{X: r.Indicator, Y: r.Y, Points: pts, Names: e.names(r.Lang), LogY: r.YScale == "log"}, st)
}
