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
		Lang:    "en",
		ID:      opts.tag("changes" + filterTag(f)),
		Title:   atomText{Type: "text", Text: feedTitle(f, opts)},
		Updated: atomTime(time.Unix(0, 0)),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: opts.BaseURL + Path(f)},
			{Rel: "alternate", Type: "text/html", Href: opts.BaseURL + pagePath(f)},
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
	switch {
	case f.Country != "" && f.Indicator != "":
		return "hwfdash: changes to " + opts.indicator(f.Indicator) + " for " + opts.country(f.Country)
	case f.Country != "":
		return "hwfdash: changes to the data for " + opts.country(f.Country)
	case f.Indicator != "":
		return "hwfdash: changes to " + opts.indicator(f.Indicator)
	}
	return "hwfdash: changes to the data"
}

// entry is one change: its id is stable because a write's version, country
// and indicator never change.
func entry(c indicators.Change, opts Options) atomEntry {
	country, ind := opts.country(c.ISO3), opts.indicator(c.Indicator)
	years := yearSpan(c.Rows)
	figures := "1 figure"
	if len(c.Rows) != 1 {
		figures = strconv.Itoa(len(c.Rows)) + " figures"
	}
	var content strings.Builder
	for i, o := range c.Rows {
		fmt.Fprintf(&content, "%d: %s", o.Year, number(o.Value))
		if i < len(c.Previous) {
			if p := c.Previous[i]; p != nil {
				content.WriteString(", revised from " + number(*p))
			} else {
				content.WriteString(", new")
			}
		}
		fmt.Fprintf(&content, " (source: %s)", o.Source)
		if o.Break {
			content.WriteString(" [series break]")
		}
		if o.Note != "" {
			content.WriteString(" — " + o.Note)
		}
		content.WriteByte('\n')
	}
	at := atomTime(c.RecordedAt)
	return atomEntry{
		ID:        opts.tag(fmt.Sprintf("change/%d/%s/%s", c.Version, url.PathEscape(c.Indicator), url.PathEscape(c.ISO3))),
		Title:     atomText{Type: "text", Text: fmt.Sprintf("%s: %s, %s (%s)", country, ind, years, figures)},
		Updated:   at,
		Published: at,
		Author:    atomPerson{Name: c.Author},
		Links: []atomLink{
			{Rel: "alternate", Type: "text/html", Href: opts.BaseURL + pagePath(indicators.ChangeFilter{Country: c.ISO3}), Title: country},
			{Rel: "related", Type: "text/html", Href: opts.BaseURL + pagePath(indicators.ChangeFilter{Indicator: c.Indicator}), Title: ind},
		},
		Summary: atomText{Type: "text", Text: fmt.Sprintf("%s of %s for %s, %s, recorded by %s at data version %d.",
			figures, ind, country, years, c.Author, c.Version)},
		Content: atomText{Type: "text", Text: content.String()},
	}
}

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// yearSpan names the years of rows (ordered by year): "2020" or "2019–2021".
func yearSpan(rows []indicators.Observation) string {
	if len(rows) == 0 {
		return "no years"
	}
	first, last := rows[0].Year, rows[len(rows)-1].Year
	if first == last {
		return strconv.Itoa(first)
	}
	return strconv.Itoa(first) + "–" + strconv.Itoa(last)
}
