package seeddata

import (
	"io/fs"
	"strconv"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/hwfdash/hwfdash/indicators"
)

func TestLoad(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if got := len(ds.Countries); got != 53 {
		t.Errorf("countries = %d, want 53", got)
	}
	// Row counts per PROVENANCE.md: 6083 + 9482 + 3445 + 1053 + 8449.
	if got, want := len(ds.Observations), 6083+9482+3445+1053+8449; got != want {
		t.Errorf("observations = %d, want %d", got, want)
	}
	if len(ds.Hash) != 64 || len(ds.Provenance) == 0 || len(ds.Rounds) != 30 || len(ds.Breaks) != 30 {
		t.Errorf("hash %q, provenance %d bytes, rounds %d, breaks %d", ds.Hash, len(ds.Provenance), len(ds.Rounds), len(ds.Breaks))
	}
	if si := ds.SourceIndicators["SP.POP.TOTL"]; si.Unit != "persons" || si.Publisher != "World Bank (WDI)" {
		t.Errorf("SP.POP.TOTL = %+v", si)
	}

	obs := map[indicators.Key]indicators.Observation{}
	for _, o := range ds.Observations {
		obs[o.Key()] = o
	}
	tests := []struct {
		key       indicators.Key
		value     string
		source    string // prefix
		wantBreak bool
	}{
		{indicators.Key{Indicator: "HWF_0001", ISO3: "ALB", Year: 1990}, "13.78", "WHO GHO/NHWA via github.com/open-numbers/ddf--who--gho@433fd1ec", false},
		{indicators.Key{Indicator: "HWF_0002", ISO3: "ALB", Year: 1989}, "4466", "WHO GHO/NHWA export (DateModified 2022-01)", false},
		{indicators.Key{Indicator: "SP.POP.TOTL", ISO3: "ALB", Year: 1960}, "1608800", "World Bank WDI SP.POP.TOTL", false},
		{indicators.Key{Indicator: "GHED_CHEGDP_SHA2011", ISO3: "ALB", Year: 2001}, "5.92585", "WHO GHO GHED_CHEGDP_SHA2011", false},
		{indicators.Key{Indicator: "MEDICALGRAD", ISO3: "AUT", Year: 1981}, "14.93", "OECD MEDICALGRAD", false},
		{indicators.Key{Indicator: "HWF_0001", ISO3: "AUT", Year: 1997}, "", "", true},
		{indicators.Key{Indicator: "HWF_0001", ISO3: "AUT", Year: 1994}, "", "", false},
		{indicators.Key{Indicator: "MEDICALGRAD", ISO3: "AUT", Year: 1999}, "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.key.Indicator+"/"+tt.key.ISO3+"/"+strconv.Itoa(tt.key.Year), func(t *testing.T) {
			o, ok := obs[tt.key]
			if !ok {
				t.Fatal("missing")
			}
			if tt.value != "" && strconv.FormatFloat(o.Value, 'f', -1, 64) != tt.value {
				t.Errorf("value = %v, want %s", o.Value, tt.value)
			}
			if !strings.HasPrefix(o.Source, tt.source) {
				t.Errorf("source = %q, want prefix %q", o.Source, tt.source)
			}
			if o.Break != tt.wantBreak {
				t.Errorf("break = %v, want %v", o.Break, tt.wantBreak)
			}
			if o.Author != SeedAuthor {
				t.Errorf("author = %q", o.Author)
			}
		})
	}

	var alb, deu, kaz indicators.Country
	for _, c := range ds.Countries {
		switch c.ISO3 {
		case "ALB":
			alb = c
		case "DEU":
			deu = c
		case "KAZ":
			kaz = c
		}
	}
	if alb.Name != "Albania" || alb.ISO2 != "AL" || alb.M49 != "008" || strings.Join(alb.Groups, "|") != "Southern Europe" {
		t.Errorf("ALB = %+v", alb)
	}
	if strings.Join(deu.Groups, "|") != "EU27|EEA|Euro area|Western Europe" {
		t.Errorf("DEU groups = %v", deu.Groups)
	}
	if kaz.Subregion != "Central Asia" {
		t.Errorf("KAZ = %+v", kaz)
	}

	ms := map[string]indicators.Milestone{}
	for _, m := range ds.Milestones {
		ms[m.ID] = m
	}
	for _, id := range []string{"G19", "G20"} {
		if m, ok := ms[id]; !ok || m.Year != nil {
			t.Errorf("%s year = %v, want nil", id, m.Year)
		}
	}
	if m := ms["G14"]; m.Year == nil || *m.Year != 2016 || m.Measure == nil || m.Measure.Target != 44.5 ||
		m.Measure.DueYear != 2030 || m.Measure.BaselineYear != nil || m.Measure.Comparison != indicators.AtLeast {
		t.Errorf("G14 = %+v measure %+v", m, m.Measure)
	}
	if ms["G01"].Measure != nil {
		t.Error("G01 has a measure")
	}

	var numbers, texts int
	for _, r := range ds.Rounds {
		if r.Number == nil {
			texts++
			continue
		}
		numbers++
		if strconv.FormatFloat(*r.Number, 'f', -1, 64) != r.Value {
			t.Errorf("round fact %q parsed as %v", r.Value, *r.Number)
		}
	}
	if texts != 2 || numbers != 28 {
		t.Errorf("round facts: %d numeric, %d text", numbers, texts)
	}
}

// TestLoadMilestoneTypesAndCitations checks the typing and citations as a
// reader meets them: every milestone typed, G11 a list membership with none
// of the European Region listed, the citation free of curator notes, copies
// never first.
func TestLoadMilestoneTypesAndCitations(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	ms := map[string]indicators.Milestone{}
	for _, m := range ds.Milestones {
		ms[m.ID] = m
		if m.Type == "" {
			t.Errorf("%s has no type", m.ID)
		}
		if m.Cite == "" {
			t.Errorf("%s has no citation", m.ID)
		}
		for _, note := range []string{"NOT found", "[ ] =", "SECONDARY", "available copy", "not in the available", "Verify before"} {
			if strings.Contains(m.Cite, note) {
				t.Errorf("%s citation holds the curator's note %q: %s", m.ID, note, m.Cite)
			}
		}
		for i, l := range m.Links {
			if l.Copy && i == 0 && indicators.PrimaryLink(m.Links) != "" {
				t.Errorf("%s lists a copy before its primary link", m.ID)
			}
		}
	}
	types := []struct {
		id  string
		typ indicators.MilestoneType
	}{
		{"G09", indicators.MilestoneRound}, {"G11", indicators.MilestoneList}, {"G10", indicators.MilestoneList},
		{"G14", indicators.MilestoneThreshold}, {"G15", indicators.MilestoneThreshold}, {"G01", indicators.MilestoneUnmeasured},
	}
	for _, tt := range types {
		if got := ms[tt.id].Type; got != tt.typ {
			t.Errorf("%s type %q, want %q", tt.id, got, tt.typ)
		}
	}
	if m := ms["G09"]; m.Round != 5 {
		t.Errorf("G09 round %d", m.Round)
	}
	if m := ms["G14"]; m.VerificationNote == "" || !strings.HasPrefix(m.VerificationNote, "Secondary source only") {
		t.Errorf("G14 note %q", m.VerificationNote)
	}
	// E02's only WHO/Europe page is on a sandbox host: labelled as a copy.
	for _, l := range ms["E02"].Links {
		if strings.Contains(l.URL, "sandbox") && (!l.Copy || l.Label != indicators.CopySandbox) {
			t.Errorf("E02 link %+v", l)
		}
	}
	for _, c := range ds.Countries {
		if r := indicators.ListMembership(ms["G11"], ds.Lists, indicators.EuropeanRegion, nil); r.Status != indicators.StatusNotListed || r.Citation == "" {
			t.Fatalf("%s: %+v", c.ISO3, r)
		}
	}
	if r := indicators.ListMembership(ms["G10"], ds.Lists, indicators.EuropeanRegion, nil); r.Status != indicators.StatusMembershipUnknown {
		t.Errorf("G10: %+v", r)
	}
	if len(ds.Lists) != 6 || ds.Lists[1].Citation != ds.Lists[0].Citation {
		t.Errorf("lists %+v", ds.Lists)
	}
	for id := range ds.SourceIndicators {
		c, ok := ds.SeriesCitations[id]
		if !ok {
			t.Errorf("no series citation for %s", id)
			continue
		}
		if s := c.Short(); strings.Contains(s, "github") || !strings.Contains(s, id) {
			t.Errorf("%s citation %q", id, s)
		}
	}
}

func TestLoadHashStable(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	b, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if a.Hash != b.Hash {
		t.Error("hash differs between loads")
	}
}

// TestLoadErrors edits a copy of the shipped files and checks that each
// error names the file and line.
func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name, file, old, new, want string
	}{
		{"unknown country", "population.csv", "ALB,1961,", "XXX,1961,", "population.csv line 3: unknown country"},
		{"bad value", "workforce_density.csv", "ALB,1990,HWF_0001,13.78", "ALB,1990,HWF_0001,n/a", "workforce_density.csv line 2:"},
		{"bad year", "workforce_counts.csv", "ALB,1989,", "ALB,19x9,", "workforce_counts.csv line 2:"},
		{"unknown milestone", "milestone_targets.csv", "G14,", "Z99,", "milestone_targets.csv line 2: unknown milestone"},
		{"unknown type", "milestone_types.csv", "G01,no_measurable_indicator", "G01,target", "milestone_types.csv line 2: unknown type"},
		{"threshold without target", "milestone_types.csv", "G01,no_measurable_indicator", "G01,threshold", "milestone_types.csv line 2: threshold milestone \"G01\""},
		{"round not a round", "milestone_types.csv", "G04,reporting_round,1", "G04,reporting_round,6", "milestone_types.csv line 5: round 6"},
		{"untyped milestone", "milestone_types.csv", "G01,no_measurable_indicator", "G99,no_measurable_indicator", "unknown milestone \"G99\""},
		{"empty citation", "milestone_citations.csv", "E09,WHO Regional Office for Europe. Making progress towards health workforce sustainability in the WHO European Region. Copenhagen: WHO/Europe; 2015,", "E09,,", "milestone_citations.csv line 14: empty citation"},
		{"citation of unknown series", "series_citations.csv", "HWF_0001,", "HWF_9999,", "series_citations.csv line 2: indicator \"HWF_9999\""},
		{"negative list count", "safeguards_list.csv", ",37,", ",-37,", "safeguards_list.csv line 2: countries_listed -37"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := fstest.MapFS{}
			err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := fs.ReadFile(files, p)
				if p == tt.file {
					b = []byte(strings.Replace(string(b), tt.old, tt.new, 1))
				}
				m[p] = &fstest.MapFile{Data: b}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			_, err = load(m)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want containing %q", err, tt.want)
			}
		})
	}
}

// TestSeedsWithinPlausibleBounds checks every shipped figure against its
// indicator's plausibility bounds (indicators.Indicator.ValidRange), which
// submissions and imports are held to: the bounds must not refuse what the
// publishers themselves publish.
func TestSeedsWithinPlausibleBounds(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range ds.Observations {
		ind, ok := indicators.Lookup(o.Indicator)
		if !ok {
			continue
		}
		lo, hi := ind.ValidRange()
		if (lo != nil && o.Value < *lo) || (hi != nil && o.Value > *hi) {
			t.Errorf("%s %s %d: %g is outside the valid range", o.Indicator, o.ISO3, o.Year, o.Value)
		}
	}
}
