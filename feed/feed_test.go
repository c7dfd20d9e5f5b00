package feed

import (
	"bytes"
	"encoding/xml"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// The Atom document as a reader parses it, declared apart from the writer's
// structs so that a mistake in those is not repeated here.
type parsedFeed struct {
	XMLName xml.Name      `xml:"http://www.w3.org/2005/Atom feed"`
	Lang    string        `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID      []string      `xml:"http://www.w3.org/2005/Atom id"`
	Title   []string      `xml:"http://www.w3.org/2005/Atom title"`
	Updated []string      `xml:"http://www.w3.org/2005/Atom updated"`
	Links   []parsedLink  `xml:"http://www.w3.org/2005/Atom link"`
	Authors []parsedName  `xml:"http://www.w3.org/2005/Atom author"`
	Entries []parsedEntry `xml:"http://www.w3.org/2005/Atom entry"`
}

type parsedEntry struct {
	ID      []string     `xml:"http://www.w3.org/2005/Atom id"`
	Title   []string     `xml:"http://www.w3.org/2005/Atom title"`
	Updated []string     `xml:"http://www.w3.org/2005/Atom updated"`
	Authors []parsedName `xml:"http://www.w3.org/2005/Atom author"`
	Links   []parsedLink `xml:"http://www.w3.org/2005/Atom link"`
	Summary []string     `xml:"http://www.w3.org/2005/Atom summary"`
	Content []struct {
		Type string `xml:"type,attr"`
		Text string `xml:",chardata"`
	} `xml:"http://www.w3.org/2005/Atom content"`
}

type parsedLink struct {
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
	Href string `xml:"href,attr"`
}

type parsedName struct {
	Name []string `xml:"http://www.w3.org/2005/Atom name"`
}

var (
	t0   = time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	opts = Options{
		BaseURL:       "https://hwf.example.org",
		CountryName:   names{"AUT": "Austria", "DEU": "Germany"}.get,
		IndicatorName: names{"HWF_0001": "Medical doctors (per 10 000 population)"}.get,
		Text:          english,
	}
)

// changes is what the store's Changes returns for three writes.
func changes() []indicators.Change {
	row := func(v int64, ind, iso3 string, year int, value float64, src, author string, at time.Time) indicators.Observation {
		return indicators.Observation{Indicator: ind, ISO3: iso3, Year: year, Value: value, Source: src, Version: v, Author: author, RecordedAt: at}
	}
	at3, at2 := t0.Add(2*time.Hour), t0.Add(time.Hour)
	was := 51.5
	brk := row(3, "HWF_0006", "DEU", 2019, 90.25, "Destatis", "ministry DEU", at3)
	brk.Break, brk.Note = true, "new definition <nursing> & midwifery"
	return []indicators.Change{
		{Version: 3, Indicator: "HWF_0006", ISO3: "DEU", Author: "ministry DEU", RecordedAt: at3, Rows: []indicators.Observation{brk}},
		{Version: 2, Indicator: "HWF_0001", ISO3: "AUT", Author: "importer", RecordedAt: at2,
			Rows: []indicators.Observation{row(2, "HWF_0001", "AUT", 2020, 52, "GHO", "importer", at2)}},
		{Version: 1, Indicator: "HWF_0001", ISO3: "AUT", Author: "ministry AUT", RecordedAt: t0, Rows: []indicators.Observation{
			row(1, "HWF_0001", "AUT", 2020, 53, "BMSGPK", "ministry AUT", t0), row(1, "HWF_0001", "AUT", 2021, 54.125, "BMSGPK", "ministry AUT", t0)},
			Previous: []*float64{&was, nil}},
	}
}

// english gives the site catalogue's messages in English, the words the
// server gives an English feed (the goldens are in English).
func english(key string) string { return catalogue.T("en", key) }

var catalogue = func() *public.Messages {
	m, err := public.LoadMessages(nil)
	if err != nil {
		panic(err)
	}
	return m
}()

type names map[string]string

func (m names) get(k string) string { return m[k] }

func TestRender(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		filter   indicators.ChangeFilter
		changes  []indicators.Change
		self     string
		page     string
		titleHas string
	}{
		{"all", indicators.ChangeFilter{}, changes(), "https://hwf.example.org/changes.atom", "https://hwf.example.org/", "changes to the data"},
		{"country", indicators.ChangeFilter{Country: "AUT"}, changes()[1:], "https://hwf.example.org/countries/AUT/changes.atom",
			"https://hwf.example.org/countries/AUT", "Austria"},
		{"indicator", indicators.ChangeFilter{Indicator: "HWF_0001"}, changes()[1:], "https://hwf.example.org/indicators/HWF_0001/changes.atom",
			"https://hwf.example.org/indicators/HWF_0001", "Medical doctors"},
		{"empty", indicators.ChangeFilter{Country: "FRA"}, nil, "https://hwf.example.org/countries/FRA/changes.atom",
			"https://hwf.example.org/countries/FRA", "FRA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body, etag, err := Render(tc.changes, tc.filter, opts)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", tc.name+".atom.golden"), body)
			checkAtom(t, body, len(tc.changes))

			var f parsedFeed
			if err := xml.Unmarshal(body, &f); err != nil {
				t.Fatal(err)
			}
			if f.Lang != "en" || !strings.Contains(f.Title[0], tc.titleHas) {
				t.Errorf("lang %q, title %q", f.Lang, f.Title)
			}
			links := map[string]string{}
			for _, l := range f.Links {
				links[l.Rel] = l.Href
			}
			if links["self"] != tc.self || links["alternate"] != tc.page {
				t.Errorf("links = %v, want self %s and alternate %s", links, tc.self, tc.page)
			}
			if wantUpdated := "1970-01-01T00:00:00Z"; len(tc.changes) > 0 {
				if got, want := f.Updated[0], tc.changes[0].RecordedAt.Format(time.RFC3339); got != want {
					t.Errorf("feed updated %s, want the newest entry's %s", got, want)
				}
			} else if f.Updated[0] != wantUpdated {
				t.Errorf("empty feed updated %s, want %s", f.Updated[0], wantUpdated)
			}

			again, etag2, err := Render(tc.changes, tc.filter, opts)
			if err != nil || !bytes.Equal(again, body) || etag2 != etag {
				t.Errorf("a second rendering differs (etag %s, %s, %v)", etag, etag2, err)
			}
			if !strings.HasPrefix(etag, `"`) || strings.HasPrefix(etag, "W/") || !strings.HasSuffix(etag, `"`) {
				t.Errorf("etag %s is not a strong entity tag", etag)
			}
		})
	}
}

// checkAtom checks what RFC 4287 requires of a feed and its entries.
func checkAtom(t *testing.T, body []byte, entries int) {
	t.Helper()
	if !bytes.HasPrefix(body, []byte(`<?xml version="1.0" encoding="UTF-8"?>`)) {
		t.Errorf("no XML declaration")
	}
	var f parsedFeed
	if err := xml.Unmarshal(body, &f); err != nil {
		t.Fatalf("not well-formed Atom: %v", err)
	}
	one := func(what string, vals []string) {
		t.Helper()
		if len(vals) != 1 || strings.TrimSpace(vals[0]) == "" {
			t.Errorf("%s: %d elements %q, want exactly one, not empty", what, len(vals), vals)
		}
	}
	iri := func(what, s string) {
		t.Helper()
		if u, err := url.Parse(s); err != nil || !u.IsAbs() {
			t.Errorf("%s %q is not an absolute IRI", what, s)
		}
	}
	date := func(what string, vals []string) {
		t.Helper()
		one(what, vals)
		if len(vals) == 1 {
			if _, err := time.Parse(time.RFC3339, vals[0]); err != nil {
				t.Errorf("%s %q is not an RFC 3339 date: %v", what, vals[0], err)
			}
		}
	}
	one("feed id", f.ID)
	one("feed title", f.Title)
	date("feed updated", f.Updated)
	if len(f.ID) == 1 {
		iri("feed id", f.ID[0])
	}
	self := 0
	for _, l := range f.Links {
		iri("feed link", l.Href)
		if l.Rel == "self" {
			self++
		}
	}
	if self != 1 {
		t.Errorf("feed has %d self links, want 1", self)
	}
	feedAuthor := len(f.Authors) > 0 && len(f.Authors[0].Name) == 1
	if len(f.Entries) != entries {
		t.Errorf("%d entries, want %d", len(f.Entries), entries)
	}
	ids := map[string]bool{}
	for i, e := range f.Entries {
		one("entry id", e.ID)
		one("entry title", e.Title)
		date("entry updated", e.Updated)
		one("entry summary", e.Summary)
		if len(e.ID) == 1 {
			iri("entry id", e.ID[0])
			if ids[e.ID[0]] {
				t.Errorf("entry id %s repeated", e.ID[0])
			}
			ids[e.ID[0]] = true
		}
		if !feedAuthor && (len(e.Authors) != 1 || len(e.Authors[0].Name) != 1) {
			t.Errorf("entry %d has no author and the feed none either", i)
		}
		// At most one alternate link per type and language (4.1.1), and at
		// least one link to the pages the change affects.
		alt := map[string]int{}
		for _, l := range e.Links {
			iri("entry link", l.Href)
			if l.Rel == "alternate" || l.Rel == "" {
				alt[l.Type]++
			}
		}
		for typ, n := range alt {
			if n > 1 {
				t.Errorf("entry %d: %d alternate links of type %q", i, n, typ)
			}
		}
		if len(e.Links) == 0 {
			t.Errorf("entry %d links to no page", i)
		}
		if len(e.Content) != 1 || e.Content[0].Type != "text" || e.Content[0].Text == "" {
			t.Errorf("entry %d content = %+v", i, e.Content)
		}
	}
}

func TestEntries(t *testing.T) {
	t.Parallel()
	body, _, err := Render(changes(), indicators.ChangeFilter{}, opts)
	if err != nil {
		t.Fatal(err)
	}
	var f parsedFeed
	if err := xml.Unmarshal(body, &f); err != nil {
		t.Fatal(err)
	}
	e := f.Entries[2]
	if got, want := e.ID[0], "tag:hwf.example.org,2026:change/1/HWF_0001/AUT"; got != want {
		t.Errorf("id %s, want %s", got, want)
	}
	if got, want := e.Title[0], "Austria: Medical doctors (per 10 000 population), 2020–2021 (2 figures)"; got != want {
		t.Errorf("title %q, want %q", got, want)
	}
	if e.Authors[0].Name[0] != "ministry AUT" || e.Updated[0] != "2026-12-01T09:30:00Z" {
		t.Errorf("author %v, updated %v", e.Authors, e.Updated)
	}
	want := []parsedLink{{"alternate", "text/html", "https://hwf.example.org/countries/AUT"}, {"related", "text/html", "https://hwf.example.org/indicators/HWF_0001"}}
	if len(e.Links) != 2 || e.Links[0] != want[0] || e.Links[1] != want[1] {
		t.Errorf("links %+v, want %+v", e.Links, want)
	}
	if got, want := e.Content[0].Text, "2020: 53, revised from 51.5 (source: BMSGPK)\n2021: 54.125, new (source: BMSGPK)\n"; got != want {
		t.Errorf("content %q, want %q", got, want)
	}
	// Markup in a note arrives as text.
	if got := f.Entries[0].Content[0].Text; !strings.Contains(got, "[series break] — new definition <nursing> & midwifery") {
		t.Errorf("content %q", got)
	}
}

func TestETag(t *testing.T) {
	t.Parallel()
	_, all, _ := Render(changes(), indicators.ChangeFilter{}, opts)
	_, older, _ := Render(changes()[1:], indicators.ChangeFilter{}, opts)
	_, country, _ := Render(changes()[1:], indicators.ChangeFilter{Country: "AUT"}, opts)
	other := opts
	other.BaseURL = "https://other.example.org"
	_, moved, _ := Render(changes(), indicators.ChangeFilter{}, other)
	seen := map[string]string{}
	for name, tag := range map[string]string{"all": all, "older": older, "country": country, "moved": moved} {
		if prev, dup := seen[tag]; dup {
			t.Errorf("%s and %s share the etag %s", name, prev, tag)
		}
		seen[tag] = name
	}
	if !strings.HasPrefix(all, `"3-`) {
		t.Errorf("etag %s does not start with the newest version", all)
	}
}

func TestOptions(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts Options
		want string
	}{
		{"no base URL", Options{}, "BaseURL is required"},
		{"relative", Options{BaseURL: "/hwf"}, "absolute URL"},
		{"trailing slash", Options{BaseURL: "https://hwf.example.org/"}, "trailing slash"},
		{"bad authority", Options{BaseURL: "https://hwf.example.org", TagAuthority: "a:b"}, "TagAuthority"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, _, err := Render(nil, indicators.ChangeFilter{}, tc.opts); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to say %q", err, tc.want)
			}
		})
	}
	// The authority defaults to the host name, without its port.
	body, _, err := Render(nil, indicators.ChangeFilter{}, Options{BaseURL: "http://localhost:8080", Text: english})
	if err != nil || !bytes.Contains(body, []byte("<id>tag:localhost,2026:changes</id>")) {
		t.Errorf("feed id with a port in BaseURL: %v\n%s", err, body)
	}
}

func TestPath(t *testing.T) {
	t.Parallel()
	for f, want := range map[indicators.ChangeFilter]string{
		{}:                                      "/changes.atom",
		{Country: "AUT"}:                        "/countries/AUT/changes.atom",
		{Indicator: "SP.POP.TOTL"}:              "/indicators/SP.POP.TOTL/changes.atom",
		{Country: "AUT", Indicator: "HWF_0001"}: "/changes.atom?country=AUT&indicator=HWF_0001",
	} {
		if got := Path(f); got != want {
			t.Errorf("Path(%+v) = %s, want %s", f, got, want)
		}
	}
}

func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n%s", path, got)
	}
}

// TestRenderInAnotherLanguage: a feed's words come from the catalogue in
// its language, xml:lang says which, and its links keep the language.
func TestRenderInAnotherLanguage(t *testing.T) {
	t.Parallel()
	fr := opts
	fr.Lang = "fr"
	fr.DecimalMark = ","
	fr.Text = func(key string) string { return catalogue.T("fr", key) }
	fr.CountryName = names{"AUT": "Autriche", "DEU": "Allemagne"}.get
	for _, tc := range []struct {
		filter indicators.ChangeFilter
		title  string
		self   string
	}{
		{indicators.ChangeFilter{Country: "AUT"}, "hwfdash : modifications des données pour Autriche",
			"https://hwf.example.org/countries/AUT/changes.atom?lang=fr"},
		{indicators.ChangeFilter{Country: "AUT", Indicator: "HWF_0001"}, "hwfdash : modifications de Medical doctors (per 10 000 population) pour Autriche",
			"https://hwf.example.org/changes.atom?country=AUT&indicator=HWF_0001&lang=fr"},
	} {
		body, _, err := Render(changes()[1:], tc.filter, fr)
		if err != nil {
			t.Fatal(err)
		}
		var f parsedFeed
		if err := xml.Unmarshal(body, &f); err != nil {
			t.Fatal(err)
		}
		links := map[string]string{}
		for _, l := range f.Links {
			links[l.Rel] = l.Href
		}
		if f.Lang != "fr" || f.Title[0] != tc.title || links["self"] != tc.self {
			t.Errorf("lang %q, title %q, self %q; want fr, %q, %q", f.Lang, f.Title[0], links["self"], tc.title, tc.self)
		}
		last := f.Entries[len(f.Entries)-1]
		// French typography: a space before the colon, a decimal comma.
		if !strings.Contains(last.Content[0].Text, "2020 : 53, révisé, auparavant 51,5 (source : BMSGPK)") || !strings.HasPrefix(last.Title[0], "Autriche : ") ||
			!strings.Contains(last.Summary[0], "2 chiffres de Medical doctors") || last.Links[0].Href != "https://hwf.example.org/countries/AUT?lang=fr" {
			t.Errorf("entry in French: %q / %q / %q / %q", last.Title[0], last.Content[0].Text, last.Summary[0], last.Links[0].Href)
		}
	}
	if _, _, err := Render(nil, indicators.ChangeFilter{}, Options{BaseURL: "https://hwf.example.org", Text: func(string) string { return "" }}); err == nil ||
		!strings.Contains(err.Error(), "feed.title_all") {
		t.Errorf("a Text without the feed's words: %v", err)
	}
}
