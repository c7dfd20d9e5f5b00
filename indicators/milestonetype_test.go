package indicators

import (
	"strings"
	"testing"
)

func TestListMembership(t *testing.T) {
	g11 := Milestone{ID: "G11", Type: MilestoneList, List: "WHO health workforce support and safeguards list", ListYear: 2023}
	facts := []ListFact{
		{List: g11.List, Year: 2023, WHORegion: "African Region", CountriesListed: 37, Citation: "news release"},
		{List: g11.List, Year: 2023, WHORegion: EuropeanRegion, CountriesListed: 0, Citation: "derived from the breakdown"},
	}
	ctx := &CountryResult{Status: StatusMet, Distance: f(5.18)}
	cases := []struct {
		name   string
		m      Milestone
		region string
		status Status
	}{
		{"none listed in Europe", g11, EuropeanRegion, StatusNotListed},
		{"names not shipped", g11, "African Region", StatusMembershipUnknown},
		{"no breakdown for the 2020 list", Milestone{List: g11.List, ListYear: 2020}, EuropeanRegion, StatusMembershipUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := ListMembership(c.m, facts, c.region, ctx)
			if r.Status != c.status || r.Reason == "" {
				t.Errorf("got %+v", r)
			}
			if r.Criterion != ctx {
				t.Error("criterion context dropped")
			}
		})
	}
	if r := ListMembership(g11, facts, EuropeanRegion, nil); !strings.Contains(r.Reason, "not on the 2023 list") || r.Citation == "" {
		t.Errorf("reason %q citation %q", r.Reason, r.Citation)
	}
}

func TestRoundSummary(t *testing.T) {
	n := func(v float64) *float64 { return &v }
	facts := []RoundFact{
		{Round: 3, ReportingYear: 2018, WHORegion: "ALL", Metric: "designated_national_authorities", Value: "108", Number: n(108), AsOf: `interim, "as of 10th Sept"`},
		{Round: 3, ReportingYear: 2018, WHORegion: "EURO", Metric: "designated_national_authorities", Value: "40", Number: n(40), AsOf: `interim, "as of 10th Sept"`},
		{Round: 3, ReportingYear: 2018, WHORegion: "AFRO", Metric: "designated_national_authorities", Value: "12", Number: n(12), AsOf: "interim"},
		{Round: 5, ReportingYear: 2024, WHORegion: "ALL", Metric: "submission_deadline", Value: "2024-08-31", AsOf: "2024"},
	}
	ms := members("A", "B", "C")
	t.Run("nothing received", func(t *testing.T) {
		r := RoundSummary(Round{5, 2024}, facts, nil, ms)
		if r.AnyReceived || r.Received[StatusNotReceived] != 3 || strings.Contains(r.Headline, "0 of") || r.Interim {
			t.Errorf("%+v", r)
		}
		if !strings.Contains(r.Headline, "no count cited") {
			t.Errorf("headline %q", r.Headline)
		}
	})
	t.Run("cited interim, Europe first", func(t *testing.T) {
		answers := map[string][]Observation{"A": {obs("code_dna", "A", 2018, 1)}, "B": {obs("code_dna", "B", 2015, 1), obs("code_dna", "B", 2018, 0)}}
		r := RoundSummary(Round{3, 2018}, facts, answers, ms)
		if !r.Interim || r.Cited[0].WHORegion != "EURO" || len(r.Cited) != 3 {
			t.Errorf("cited %+v interim %v", r.Cited, r.Interim)
		}
		if r.Countries["A"] != StatusReceivedYes || r.Countries["B"] != StatusReceivedNo || r.Countries["C"] != StatusNotReceived || !r.AnyReceived {
			t.Errorf("countries %v", r.Countries)
		}
		want := "Round 3 (2018): 40 designated national authorities in the European Region (interim); 108 designated national authorities globally (interim). received by hwfdash: 2 of 3 answered"
		if r.Headline != want {
			t.Errorf("headline\n%q\nwant\n%q", r.Headline, want)
		}
	})
}

func TestCitationLinks(t *testing.T) {
	cases := []struct {
		name    string
		text    string
		primary string
		copies  int
	}{
		{"sandbox only", "WHO/Europe, https://who-sandbox.squiz.cloud/en/x ; http://www.euro.who.int/en/policy", "http://www.euro.who.int/en/policy", 1},
		{"test host", `Q&A (https://test-cms.who.int/news-room/qa): "..."`, "", 1},
		{"reprint after primary", "A73/9 (available at https://documents.pub/document/r.html); (http://who.int/hrh/index9.html)", "http://who.int/hrh/index9.html", 1},
		{"latest is not test", "see https://latest.example.org/x", "https://latest.example.org/x", 0},
		{"plain", "doi (https://pmc.ncbi.nlm.nih.gov/articles/PMC3853953), abstract", "https://pmc.ncbi.nlm.nih.gov/articles/PMC3853953", 0},
		{"github.io test site", "Open SDG https://open-sdg-simple-starter-test.github.io/3-c-1 (UN)", "", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			links := CitationLinks(c.text)
			copies := 0
			for _, l := range links {
				if l.Copy {
					copies++
					if l.Label == "" {
						t.Errorf("copy %s without label", l.URL)
					}
				}
			}
			if got := PrimaryLink(links); got != c.primary || copies != c.copies {
				t.Errorf("primary %q copies %d: %+v", got, copies, links)
			}
			if len(links) > 0 && links[0].Copy && c.primary != "" {
				t.Error("a copy listed before the primary link")
			}
		})
	}
	c := SeriesCitation{Indicator: "HWF_0001", Publisher: "WHO", Database: "Global Health Observatory", Vintage: "data to 2023"}
	if got := c.Short(); got != "WHO, Global Health Observatory, HWF_0001, data to 2023" {
		t.Errorf("Short() = %q", got)
	}
}

func TestDistances(t *testing.T) {
	series := []Observation{obs("X", "A", 2009, 50), obs("X", "A", 2011, 52), obs("X", "A", 2017, 60), obs("X", "A", 2022, 55)}
	m := &Measure{Comparison: AtLeast, Target: 49}
	d := CountryDistances("A", series, m, []float64{10, 20, 30, 40, 55, 60, 70, 80}, 2024)
	if d == nil {
		t.Fatal("nil")
	}
	// 2010 is missing: 2009 and 2011 are both 1 year away, the earlier wins.
	if !eqp(d.Headroom, f(6)) || d.SinceCode == nil || d.SinceCode.FromYear != 2009 || d.SinceCode.Absolute != 5 {
		t.Errorf("headroom %v since 2010 %+v", d.Headroom, d.SinceCode)
	}
	if d.LastFiveYear == nil || d.LastFiveYear.FromYear != 2017 || !d.LastFiveYear.Declining || !eqp(d.LastFiveYear.Relative, f(tidy(55.0/60-1))) {
		t.Errorf("last five %+v", d.LastFiveYear)
	}
	// cut points of 10..80 (8 values): p25 27.5, median 47.5, p75 62.5 → 55 is in Q3.
	if d.Quartile != 3 || d.Label != DistanceLabel {
		t.Errorf("quartile %d", d.Quartile)
	}
	if CountryDistances("A", series[:2], m, nil, 2024) != nil {
		t.Error("a stale latest value has no distances")
	}
	if c := ChangeBetween([]Observation{obs("X", "A", 2005, 1), obs("X", "A", 2022, 2)}, 2010); c != nil {
		t.Errorf("baseline 5 years off accepted: %+v", c)
	}
	broken := []Observation{obs("X", "A", 2010, 1), {Indicator: "X", ISO3: "A", Year: 2015, Value: 3, Flag: FlagUnverifiedJump}, obs("X", "A", 2020, 3)}
	if c := ChangeBetween(broken, 2010); c == nil || !c.AcrossBreak {
		t.Errorf("across a jump: %+v", c)
	}
	for _, q := range []struct {
		v    float64
		want int
	}{{10, 1}, {27.5, 1}, {27.6, 2}, {47.5, 2}, {62.5, 3}, {80, 4}} {
		if got := QuartileOf(q.v, []float64{80, 10, 20, 30, 40, 55, 60, 70}); got != q.want {
			t.Errorf("QuartileOf(%v) = %d, want %d", q.v, got, q.want)
		}
	}
}
