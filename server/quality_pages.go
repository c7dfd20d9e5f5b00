package server

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
)

// codeFact is one cited fact of a Code reporting round as a page states it.
type codeFact struct {
	// Host is the primary link's host, what a page shows of it: pages
	// link no other host, and the full citation is in the title.
	Where, Metric, Value, AsOf, Citation, Link, Host string
	// Short is the citation's title, cut to what a projector slide has
	// room for where there is no host to name (the full text in the title).
	Short string
	// Title is the citation's title as a page's list of sources shows it,
	// the whole citation (quotes included) opening under it on demand.
	Title   string
	Interim bool
	// Ref numbers the fact's source in its round's Sources (from 1); CiteHere
	// marks the last fact of a run citing the same source, where the page
	// names it once instead of after every fact.
	Ref      int
	CiteHere bool
}

// codeRound is a reporting round on a page: the cited facts first, then
// how many answers hwfdash received (only stated where there are some).
type codeRound struct {
	Round, Year int
	Facts       []codeFact
	// Lead is the first facts (the European Region's first), what a
	// projector slide has room for.
	Lead []codeFact
	// Sources are the round's distinct citations, in the order the facts
	// first cite them: each is written out once, under the round.
	Sources           []codeFact
	Interim           bool
	Received, Members int
}

// codeView is the Code section of the overview and the projector.
type codeView struct {
	Rounds      []codeRound
	AnyReceived bool
}

// codeFacts gathers the cited facts of every round, newest round first: the
// European Region's, then the global ones. A fact's link is the citation's
// primary address (never a copy).
func (s *Server) codeFacts(ctx context.Context, lang string) (*codeView, error) {
	rr, err := s.eng.Rounds(ctx, s.version.Load())
	if err != nil {
		return nil, err
	}
	rounds, _ := rr["rounds"].([]engine.RoundResult)
	v := &codeView{}
	for i := len(rounds) - 1; i >= 0; i-- {
		r := rounds[i]
		cr := codeRound{Round: r.Round, Year: r.Year, Interim: r.Interim, Members: r.Members,
			Received: len(r.Reported) + len(r.NotReported)}
		v.AnyReceived = v.AnyReceived || r.AnyReceived
		for _, f := range r.Cited {
			where := ""
			switch f.WHORegion {
			case indicators.EuropeanRegionCode:
				where = s.msgs.T(lang, "code.europe")
			case "ALL":
				where = s.msgs.T(lang, "code.global")
			default:
				continue
			}
			cr.Facts = append(cr.Facts, codeFact{Where: where, Metric: indicators.MetricWords(f.Metric, func(key string) string { return s.msgs.Optional(lang, key, "") }), Value: s.factValue(lang, f.Value),
				AsOf: f.AsOf, Citation: f.Citation, Link: indicators.PrimaryLink(indicators.CitationLinks(f.Citation)),
				Short: shortCitation(f.Citation, shortTitleRunes), Title: shortCitation(f.Citation, pageTitleRunes), Interim: strings.Contains(strings.ToLower(f.AsOf), "interim")})
			if l := cr.Facts[len(cr.Facts)-1].Link; l != "" {
				if u, err := url.Parse(l); err == nil {
					cr.Facts[len(cr.Facts)-1].Host = strings.TrimPrefix(u.Hostname(), "www.")
				}
			}
		}
		numberSources(&cr)
		cr.Lead = append([]codeFact(nil), cr.Facts[:min(3, len(cr.Facts))]...)
		if n := len(cr.Lead); n > 0 {
			cr.Lead[n-1].CiteHere = true // a lead cut short names its last fact's source
		}
		v.Rounds = append(v.Rounds, cr)
	}
	return v, nil
}

// factValue is a cited fact's value as a page in lang shows it: a month
// ("May 2022", as the source dates a round) in the page's words, anything
// else (a count, an ISO date) as cited.
func (s *Server) factValue(lang, v string) string {
	t, err := time.Parse("January 2006", v)
	if err != nil {
		return v
	}
	return fmt.Sprintf(s.msgs.T(lang, "date.month_year"), s.msgs.T(lang, "month."+strconv.Itoa(int(t.Month()))), t.Year())
}

// numberSources gives each of a round's facts the number of its source and
// lists the distinct sources once: a citation repeated after each of nine
// facts is unreadable.
func numberSources(cr *codeRound) {
	refs := map[string]int{}
	for i := range cr.Facts {
		f := &cr.Facts[i]
		if _, ok := refs[f.Citation]; !ok {
			refs[f.Citation] = len(refs) + 1
			f.Ref = refs[f.Citation]
			cr.Sources = append(cr.Sources, *f)
		}
		f.Ref = refs[f.Citation]
		f.CiteHere = i == len(cr.Facts)-1 || cr.Facts[i+1].Citation != f.Citation
	}
}

// shortCitation is a citation up to its first parenthesis or colon (its
// title), at most n runes long.
func shortCitation(c string, n int) string {
	if i := strings.IndexAny(c, "(:"); i > 0 {
		c = c[:i]
	}
	return shortTitle(c, n)
}

// pageTitleRunes is how much of a citation's title a page's list of sources
// shows before its whole text, which opens on demand.
const pageTitleRunes = 100

// distanceRow is one Member State's distances as a page shows them, its
// numbers written in the page's language.
type distanceRow struct {
	ISO3, Name                      string
	Year                            int
	Value, Headroom                 string
	Quartile                        int
	Since2010, Last5                string
	Since2010From, Last5From        int
	Declining, Declining5, Breaking bool
}

// distancesView is the distances panel: every Member State with a value in
// the recency window, lowest first, and the counts a reader looks for.
type distancesView struct {
	Threshold               string
	Rows                    []distanceRow
	Declining, Stale, Shown int
	LowestHeadroom          []distanceRow
}

// headlineIndicator and headlineMilestone are the density the overview and
// the projector show distances on, and its threshold.
const (
	headlineIndicator = "hwf_dnm"
	headlineMilestone = "G14"
)

func (s *Server) distances(ctx context.Context, lang string) (*distancesView, error) {
	res, err := s.eng.Distances(ctx, s.ref.ByID[headlineIndicator], headlineMilestone)
	if err != nil {
		return nil, err
	}
	num := func(v float64) string { return indicators.FormatNumber(v, 1, lang) }
	signed := func(c *indicators.PeriodChange) string {
		if c == nil {
			return ""
		}
		s := num(c.Absolute)
		if c.Absolute > 0 {
			s = "+" + s
		}
		return s
	}
	v := &distancesView{Declining: res.Declining, Stale: res.Stale, Shown: len(res.Countries)}
	if res.Threshold != nil {
		v.Threshold = num(*res.Threshold)
	}
	for _, d := range res.Countries {
		row := distanceRow{ISO3: d.ISO3, Name: s.msgs.Country(lang, d.ISO3, s.ref.CountryName(d.ISO3)), Year: d.Year,
			Value: num(d.Value), Quartile: d.Quartile, Since2010: signed(d.SinceCode), Last5: signed(d.LastFiveYear)}
		if d.Headroom != nil {
			row.Headroom = num(*d.Headroom)
		}
		if d.SinceCode != nil {
			row.Since2010From, row.Declining = d.SinceCode.FromYear, d.SinceCode.Declining
			row.Breaking = d.SinceCode.AcrossBreak
		}
		if d.LastFiveYear != nil {
			row.Last5From, row.Declining5 = d.LastFiveYear.FromYear, d.LastFiveYear.Declining
			row.Breaking = row.Breaking || d.LastFiveYear.AcrossBreak
		}
		v.Rows = append(v.Rows, row)
	}
	v.LowestHeadroom = v.Rows[:min(5, len(v.Rows))]
	return v, nil
}

// methodsSection is one rule of the /methods page: its heading and text
// in the page's language, and the rule's name as the API returns it.
type methodsSection struct {
	Key   string
	Rules []string
}

// methodsSections are the /methods page's sections in order.
var methodsSections = []methodsSection{
	{"quantiles", []string{engine.QuantileRule}},
	{"coverage", []string{indicators.CoverageRule, indicators.DefaultYearRule, indicators.DefaultYearRuleNoYear}},
	{"recency", []string{indicators.RecencyRule, indicators.RegionStatusRule, indicators.ProjectionRule}},
	{"types", []string{string(indicators.MilestoneThreshold), string(indicators.MilestoneList), string(indicators.MilestoneRound),
		string(indicators.MilestoneUnmeasured), indicators.ReceivedLabel}},
	{"distances", []string{indicators.DistanceLabel, indicators.QuartileRule, indicators.ChangeRule}},
	{"jumps", []string{indicators.JumpRule}},
	{"weights", []string{string(indicators.WeightPopulation), string(indicators.WeightDenominator), string(indicators.WeightNone)}},
	{"derived", []string{indicators.WithheldAboveParent, indicators.WithheldMixedVintage, indicators.RoundingSumDecimals, indicators.RoundingRatioSigFigs}},
	{"numbers", []string{indicators.RoundingHalfAwayDecimal}},
}

func (s *Server) methodsPage(c *fiber.Ctx, d *pageData) error {
	d.Title, d.Methods = s.msgs.T(d.Lang, "methods.title"), methodsSections
	return nil
}
