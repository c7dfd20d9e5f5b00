package feed

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/hwfdash/hwfdash/indicators"
)

// DefaultLimit is how many entries a feed carries unless told otherwise:
// enough for a reader polling daily, small enough to render on every write.
const DefaultLimit = 50

// tagDate is the date part of every tag: URI (RFC 4151); it must never
// change, or every entry id would.
const tagDate = "2026"

// Options say where the feed is served and how to name what it lists.
type Options struct {
	// BaseURL is the site's absolute URL without a trailing slash
	// ("https://hwf.example.org"); links and the self link start with it.
	BaseURL string
	// TagAuthority is the domain in entry and feed ids (tag:URIs). Ids
	// must never change, so set it to a domain the deployment controls for
	// good; empty means BaseURL's host name.
	TagAuthority string
	// CountryName and IndicatorName name a country (by ISO3) and an
	// indicator (by id) in titles; nil, or an empty answer, shows the code.
	CountryName   func(iso3 string) string
	IndicatorName func(id string) string
	// Lang is the language of the feed's words (xml:lang, and on its
	// links); empty means "en".
	Lang string
	// Text gives the feed's words in Lang by message key (the feed.* keys
	// of the site's catalogue: Keys), with {name} placeholders that the
	// feed fills in. It is required: the catalogue is the one place the
	// words are written.
	Text func(key string) string
	// DecimalMark is Lang's decimal mark (public.DecimalMark); empty
	// means a point.
	DecimalMark string
}

// Keys are the message keys a feed's Text must answer.
var Keys = []string{"feed.title_all", "feed.title_country", "feed.title_indicator", "feed.title_both",
	"feed.one_figure", "feed.figures", "feed.no_years", "feed.revised_from", "feed.new", "feed.source",
	"feed.series_break", "feed.summary"}

// t is the feed's word under key with its placeholders filled from pairs
// (name, value, name, value…).
func (o Options) t(key string, pairs ...string) string {
	return strings.NewReplacer(pairs...).Replace(o.Text(key))
}

// withLang adds the feed's language to a site path (LangPath).
func (o Options) withLang(path string) string { return LangPath(path, o.Lang) }

// LangPath is a site path (a feed's or a page's) in lang: with ?lang= (or
// &lang=) but for English, the default; no path stays none.
func LangPath(path, lang string) string {
	if path == "" || lang == "" || lang == "en" {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + "lang=" + url.QueryEscape(lang)
}

func (o Options) validate() (Options, error) {
	u, err := url.Parse(o.BaseURL)
	switch {
	case o.BaseURL == "":
		return o, errors.New("feed: BaseURL is required")
	case err != nil || !u.IsAbs() || u.Host == "" || strings.HasSuffix(o.BaseURL, "/"):
		return o, fmt.Errorf("feed: BaseURL %q: want an absolute URL without a trailing slash", o.BaseURL)
	}
	if o.TagAuthority == "" {
		o.TagAuthority = u.Hostname()
	}
	if strings.ContainsAny(o.TagAuthority, ",:/ ") {
		return o, fmt.Errorf("feed: TagAuthority %q: want a domain name", o.TagAuthority)
	}
	if o.Text == nil {
		return o, errors.New("feed: Text is required")
	}
	for _, k := range Keys {
		if o.Text(k) == "" {
			return o, fmt.Errorf("feed: Text has no %q", k)
		}
	}
	if o.Lang == "" {
		o.Lang = "en"
	}
	return o, nil
}

func (o Options) country(iso3 string) string {
	if o.CountryName != nil {
		if n := o.CountryName(iso3); n != "" {
			return n
		}
	}
	return iso3
}

func (o Options) indicator(id string) string {
	if o.IndicatorName != nil {
		if n := o.IndicatorName(id); n != "" {
			return n
		}
	}
	return id
}

// Path is the site path of the feed f selects: /changes.atom,
// /countries/{iso3}/changes.atom or /indicators/{id}/changes.atom (both
// filters: /changes.atom?country=…&indicator=…).
func Path(f indicators.ChangeFilter) string {
	switch {
	case f.Country != "" && f.Indicator != "":
		return "/changes.atom?" + url.Values{"country": {f.Country}, "indicator": {f.Indicator}}.Encode()
	case f.Country != "":
		return "/countries/" + url.PathEscape(f.Country) + "/changes.atom"
	case f.Indicator != "":
		return "/indicators/" + url.PathEscape(f.Indicator) + "/changes.atom"
	}
	return "/changes.atom"
}

// pagePath is the page a feed, or one of its entries, is about.
func pagePath(f indicators.ChangeFilter) string {
	switch {
	case f.Country != "":
		return "/countries/" + url.PathEscape(f.Country)
	case f.Indicator != "":
		return "/indicators/" + url.PathEscape(f.Indicator)
	}
	return "/"
}

// Render returns the Atom document listing changes (newest first, as the
// store's Changes returns them, already selected by f) and its strong ETag.
// The same input gives the same bytes: the feed's updated time is its newest
// entry's (the Unix epoch for an empty feed), never the clock's.
func Render(changes []indicators.Change, f indicators.ChangeFilter, opts Options) (body []byte, etag string, err error) {
	if opts, err = opts.validate(); err != nil {
		return nil, "", err
	}
	doc := atomFeed{
		NS:      atomNS,
		Lang:    opts.Lang,
		ID:      opts.tag("changes" + filterTag(f)),
		Title:   atomText{Type: "text", Text: feedTitle(f, opts)},
		Updated: atomTime(time.Unix(0, 0)),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: opts.BaseURL + opts.withLang(Path(f))},
			{Rel: "alternate", Type: "text/html", Href: opts.BaseURL + opts.withLang(pagePath(f))},
		},
		Author: atomPerson{Name: "hwfdash"},
	}
	var newest int64
	for i, c := range changes {
		if i == 0 {
			doc.Updated = atomTime(c.RecordedAt)
		}
		newest = max(newest, c.Version)
		doc.Entries = append(doc.Entries, entry(c, opts))
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return nil, "", fmt.Errorf("feed: render: %w", err)
	}
	buf.WriteByte('\n')
	sum := sha256.Sum256(buf.Bytes())
	return buf.Bytes(), `"` + strconv.FormatInt(newest, 10) + "-" + hex.EncodeToString(sum[:12]) + `"`, nil
}

// tag is a tag: URI (RFC 4151) under the deployment's authority.
func (o Options) tag(specific string) string {
	return "tag:" + o.TagAuthority + "," + tagDate + ":" + specific
}

func filterTag(f indicators.ChangeFilter) string {
	s := ""
	if f.Country != "" {
		s += "/country/" + url.PathEscape(f.Country)
	}
	if f.Indicator != "" {
		s += "/indicator/" + url.PathEscape(f.Indicator)
	}
	return s
}

func feedTitle(f indicators.ChangeFilter, opts Options) string {
	country, ind := opts.country(f.Country), opts.indicator(f.Indicator)
	switch {
	case f.Country != "" && f.Indicator != "":
		return opts.t("feed.title_both", "{indicator}", ind, "{country}", country)
	case f.Country != "":
		return opts.t("feed.title_country", "{country}", country)
	case f.Indicator != "":
		return opts.t("feed.title_indicator", "{indicator}", ind)
	}
	return opts.t("feed.title_all")
}

// entry is one change: its id is stable because a write's version, country
// and indicator never change.
func entry(c indicators.Change, opts Options) atomEntry {
	country, ind := opts.country(c.ISO3), opts.indicator(c.Indicator)
	years := yearSpan(c.Rows, opts)
	figures := opts.t("feed.one_figure")
	if len(c.Rows) != 1 {
		figures = opts.t("feed.figures", "{n}", strconv.Itoa(len(c.Rows)))
	}
	var content strings.Builder
	for i, o := range c.Rows {
		content.WriteString(opts.t("feed.row", "{year}", strconv.Itoa(o.Year), "{value}", opts.number(o.Value)))
		if i < len(c.Previous) {
			if p := c.Previous[i]; p != nil {
				content.WriteString(", " + opts.t("feed.revised_from", "{value}", opts.number(*p)))
			} else {
				content.WriteString(", " + opts.t("feed.new"))
			}
		}
		content.WriteString(" (" + opts.t("feed.source", "{source}", o.Source) + ")")
		if o.Break {
			content.WriteString(" [" + opts.t("feed.series_break") + "]")
		}
		if o.Note != "" {
			content.WriteString(" — " + o.Note)
		}
		content.WriteByte('\n')
	}
	at := atomTime(c.RecordedAt)
	return atomEntry{
		ID:        opts.tag(fmt.Sprintf("change/%d/%s/%s", c.Version, url.PathEscape(c.Indicator), url.PathEscape(c.ISO3))),
		Title:     atomText{Type: "text", Text: opts.t("feed.entry_title", "{country}", country, "{indicator}", ind, "{years}", years, "{figures}", figures)},
		Updated:   at,
		Published: at,
		Author:    atomPerson{Name: c.Author},
		Links: []atomLink{
			{Rel: "alternate", Type: "text/html", Href: opts.BaseURL + opts.withLang(pagePath(indicators.ChangeFilter{Country: c.ISO3})), Title: country},
			{Rel: "related", Type: "text/html", Href: opts.BaseURL + opts.withLang(pagePath(indicators.ChangeFilter{Indicator: c.Indicator})), Title: ind},
		},
		Summary: atomText{Type: "text", Text: opts.t("feed.summary", "{figures}", figures, "{indicator}", ind, "{country}", country,
			"{years}", years, "{author}", c.Author, "{version}", strconv.FormatInt(c.Version, 10))},
		Content: atomText{Type: "text", Text: content.String()},
	}
}

// number writes a figure as stored, with the feed language's decimal
// mark, never grouped.
func (o Options) number(v float64) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if o.DecimalMark != "" {
		s = strings.Replace(s, ".", o.DecimalMark, 1)
	}
	return s
}

// yearSpan names the years of rows (ordered by year): "2020" or "2019–2021".
func yearSpan(rows []indicators.Observation, opts Options) string {
	if len(rows) == 0 {
		return opts.t("feed.no_years")
	}
	first, last := rows[0].Year, rows[len(rows)-1].Year
	if first == last {
		return strconv.Itoa(first)
	}
	return strconv.Itoa(first) + "–" + strconv.Itoa(last)
}
