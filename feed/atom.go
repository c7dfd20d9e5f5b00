// Package feed renders the store's changes as Atom 1.0 feeds (RFC 4287):
// one entry per write (a submission, an import or a seed), country and
// indicator, so that readers follow changes without keeping a page open.
// Output is a pure function of its input, so that its ETag is strong.
package feed

import (
	"encoding/xml"
	"time"
)

// atomNS is the Atom 1.0 namespace.
const atomNS = "http://www.w3.org/2005/Atom"

// ContentType is the media type of a rendered feed.
const ContentType = "application/atom+xml; charset=utf-8"

// The Atom elements hwfdash writes; field order is element order.
type atomFeed struct {
	XMLName xml.Name    `xml:"feed"`
	NS      string      `xml:"xmlns,attr"`
	Lang    string      `xml:"xml:lang,attr"`
	ID      string      `xml:"id"`
	Title   atomText    `xml:"title"`
	Updated string      `xml:"updated"`
	Links   []atomLink  `xml:"link"`
	Author  atomPerson  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomEntry struct {
	ID        string     `xml:"id"`
	Title     atomText   `xml:"title"`
	Updated   string     `xml:"updated"`
	Published string     `xml:"published"`
	Author    atomPerson `xml:"author"`
	Links     []atomLink `xml:"link"`
	Summary   atomText   `xml:"summary"`
	Content   atomText   `xml:"content"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Text string `xml:",chardata"`
}

type atomLink struct {
	Rel   string `xml:"rel,attr"`
	Type  string `xml:"type,attr,omitempty"`
	Href  string `xml:"href,attr"`
	Title string `xml:"title,attr,omitempty"`
}

type atomPerson struct {
	Name string `xml:"name"`
}

// atomTime formats an Atom date construct (RFC 3339, UTC).
func atomTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }
