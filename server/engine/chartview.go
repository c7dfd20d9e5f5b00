package engine

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/hwfdash/hwfdash/charts"
	"github.com/hwfdash/hwfdash/indicators"
)

// The reader's views of a chart (issue 19): change since a base year
// (relative_to), a log scale (yscale) and the events a trend marks. Each
// view parameter is part of the request's canonical form, so equal views
// share one cache entry and one topic.

// CodeAdoptionYear is the year the WHO Global Code of Practice was adopted
// (resolution WHA63.16): the default base year of change since a year.
const CodeAdoptionYear = 2010

// codeMilestone is the milestone recording the Code's adoption.
const codeMilestone = "G01"

// parseView reads relative_to and yscale.
func (r *ChartRequest) parseView(q url.Values, currentYear int) error {
	if s := q.Get("relative_to"); s != "" {
		if r.Name != "trend" {
			return badParam("relative_to", errors.New("only the trend chart shows change since a year"))
		}
		y, err := ParseYear(s, currentYear)
		if err != nil {
			return badParam("relative_to", err)
		}
		if (r.Time.From != 0 && y < r.Time.From) || (r.Time.To != 0 && y > r.Time.To) {
			return badParam("relative_to", fmt.Errorf("base year %d is outside time %s", y, r.Time.Param()))
		}
		r.RelativeTo = y
	}
	switch s := q.Get("yscale"); s {
	case "", "linear":
	case "log":
		if r.Name != "trend" && r.Name != "relationship" {
			return badParam("yscale", errors.New("only the trend and relationship charts have a log scale"))
		}
		if r.RelativeTo != 0 {
			return badParam("yscale", errors.New("a log scale cannot show change since a year (0 % in the base year, below 0 for a fall): use one of relative_to and yscale=log"))
		}
		r.YScale = "log"
	default:
		return badParam("yscale", fmt.Errorf("%q: use linear or log", truncate(s, 10)))
	}
	return nil
}

// notPositive refuses a log scale for values of 0 or below, naming the
// first such value.
func notPositive(what string, year int, v float64) error {
	return badParam("yscale", fmt.Errorf("a log scale needs values above 0, and %s has %s in %d: use yscale=linear", what, fmtValue(v), year))
}

// trendView adapts a trend's input to the request's view: change since a
// base year (with the table's change column), or a log scale checked
// against the values shown.
func (e *Engine) trendView(r ChartRequest, in *charts.TrendInput, table *ChartTable) error {
	if r.YScale == "log" {
		for _, iso3 := range sortedISO3(in.Series) {
			for _, o := range in.Series[iso3] {
				if o.Value <= 0 {
					return notPositive(e.ref.CountryName(iso3), o.Year, o.Value)
				}
			}
		}
		for _, b := range in.Band {
			for _, v := range []*float64{b.P25, b.Median} {
				if v != nil && *v <= 0 {
					return notPositive("the regional band", b.Year, *v)
				}
			}
		}
		in.LogScale = true
	}
	if r.RelativeTo == 0 {
		return nil
	}
	base := r.RelativeTo
	in.Series, in.NoBase = charts.ChangeSince(in.Series, base)
	in.RelativeTo, in.Milestones = base, nil // targets are values, not changes
	// The band's quartiles are not one country's change: only the median's
	// own change since the base year is drawn.
	var medBase *float64
	for _, b := range in.Band {
		if b.Year == base && b.Median != nil && *b.Median != 0 {
			medBase = b.Median
		}
	}
	band := make([]charts.Band, 0, len(in.Band))
	for _, b := range in.Band {
		nb := charts.Band{Year: b.Year, CountReported: b.CountReported}
		if medBase != nil && b.Median != nil {
			nb.Median = ptrTo(charts.Change(*b.Median, *medBase))
		}
		band = append(band, nb)
	}
	in.Band = band
	// The table keeps the values and adds each one's change.
	change := map[string]map[int]float64{}
	for iso3, obs := range in.Series {
		change[iso3] = map[int]float64{}
		for _, o := range obs {
			change[iso3][o.Year] = o.Value
		}
	}
	noBase := map[string]bool{}
	for _, iso3 := range in.NoBase {
		noBase[iso3] = true
	}
	note := fmt.Sprintf(e.say(r.Lang, "table.no_base", "no value in %d"), base)
	table.Columns = append(table.Columns, "change_since_"+strconv.Itoa(base)+"_pct")
	table.Labels = append(table.Labels, fmt.Sprintf(e.say(r.Lang, "chart.change_since", "%% change since %d"), base))
	for i, row := range table.Rows {
		iso3, _ := row[0].(string)
		year, _ := row[2].(int)
		var c any
		switch {
		case iso3 == "":
			for _, b := range band {
				if b.Year == year && b.Median != nil {
					c = *b.Median
				}
			}
		case noBase[iso3]:
			c = note
		default:
			if v, ok := change[iso3][year]; ok {
				c = v
			}
		}
		table.Rows[i] = append(row, c)
	}
	// A chosen country without any value in the range still gets its row.
	for _, iso3 := range in.NoBase {
		has := false
		for _, row := range table.Rows {
			has = has || row[0] == iso3
		}
		if !has {
			table.Rows = append(table.Rows, []any{iso3, e.ref.CountryName(iso3), base, nil, r.Indicator.Unit, "", note})
		}
	}
	return nil
}

func ptrTo[T any](v T) *T { return &v }

func sortedISO3(m map[string][]indicators.Observation) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// trendEvents are the dated events a trend marks, in the request's
// language: the Code's adoption, the national reporting rounds and the
// European frameworks (the European milestones with a year), each with its
// citation.
func (e *Engine) trendEvents(lang string) []charts.Event {
	t := func(key string) string { return e.msgs.T(lang, key) }
	var out []charts.Event
	code := charts.Event{Year: CodeAdoptionYear, Label: "WHA63.16",
		Tooltip: t("chart.event_code") + " — resolution WHA63.16, 21 May 2010"}
	if m, ok := e.ref.MilestoneByID[codeMilestone]; ok && m.Year != nil {
		code.Year, code.Tooltip = *m.Year, t("chart.event_code")+" — "+shortCite(m)
	}
	out = append(out, code)
	for _, rd := range indicators.NRIRounds() {
		cite := ""
		for _, f := range e.ref.Rounds {
			if f.Round == rd.Number && f.Report != "" {
				cite = f.Report // the governing-body report, short and primary
				break
			}
		}
		for _, f := range e.ref.Rounds {
			if cite == "" && f.Round == rd.Number && f.Citation != "" {
				cite = clip(f.Citation, 160)
			}
		}
		tip := fmt.Sprintf(t("chart.event_round"), rd.Number, rd.Year)
		if cite != "" {
			tip += " — " + cite
		}
		out = append(out, charts.Event{Year: rd.Year, Label: "R" + strconv.Itoa(rd.Number), Tooltip: tip})
	}
	for _, m := range e.ref.Milestones {
		if m.Scope != "europe" || m.Year == nil {
			continue
		}
		title := e.msgs.Optional(lang, "ms."+m.ID+".title", m.Title)
		out = append(out, charts.Event{Year: *m.Year, Label: m.ID,
			Tooltip: m.ID + " (" + strconv.Itoa(*m.Year) + "): " + clip(title, 120) + " — " + shortCite(m)})
	}
	return out
}

// shortCite is a milestone's citation without the curator's notes, short
// enough for a tooltip.
func shortCite(m indicators.Milestone) string {
	if m.Cite != "" {
		return clip(m.Cite, 160)
	}
	return clip(m.Citation, 160)
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// yearsOf lists the years with a value, for a map's or ranking's timeline.
func yearsOf(obs []indicators.Observation) []int {
	seen := map[int]bool{}
	var out []int
	for _, o := range obs {
		if !seen[o.Year] {
			seen[o.Year] = true
			out = append(out, o.Year)
		}
	}
	sort.Ints(out)
	return out
}
