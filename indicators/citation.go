package indicators

import (
	"net/url"
	"regexp"
	"strings"
)

// SeriesCitation is how a reader cites a shipped series: publisher,
// database, indicator code and vintage. The mirror and commit it was copied
// from stay in PROVENANCE.md.
type SeriesCitation struct {
	Indicator string `json:"indicator"`
	Publisher string `json:"publisher"`
	Database  string `json:"database"`
	Vintage   string `json:"vintage"`
}

// Short is the one-line citation ("WHO, Global Health Observatory, National
// Health Workforce Accounts, HWF_0001, data to 2023").
func (c SeriesCitation) Short() string { return c.ShortWith(c.Vintage) }

// ShortWith is Short with the vintage in other words (a page's language):
// the publisher, database and code are cited as published; the vintage is
// hwfdash's description of the copy it ships.
func (c SeriesCitation) ShortWith(vintage string) string {
	parts := []string{c.Publisher, c.Database, c.Indicator, vintage}
	out := parts[:0]
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, ", ")
}

// VintageKey is the message of a vintage's words ("data to 2023 (newest
// vintage shipped)" → "vintage.data_to_2023_newest_vintage_shipped"); a
// vintage without one reads in English.
func VintageKey(vintage string) string {
	var b strings.Builder
	b.WriteString("vintage.")
	gap := false
	for _, r := range strings.ToLower(vintage) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if gap && b.Len() > len("vintage.") {
				b.WriteByte('_')
			}
			b.WriteRune(r)
			gap = false
		} else {
			gap = true
		}
	}
	return b.String()
}

// copyHostWords mark a host as a copy of a page where one of its words
// (split at dots and hyphens) is one of them: sandbox and test hosts
// ("who-sandbox.squiz.cloud", "test-cms.who.int"; not "latest.example").
var copyHostWords = map[string]bool{"sandbox": true, "test": true, "staging": true}

// reprintHosts republish documents or news first published elsewhere.
var reprintHosts = []string{
	"documents.pub", "vdocuments.us", "businessdocbox.com", "123dok.net", "docslib.org", "dokumen.tips",
	"scribd.com", "studylib.net", "yumpu.com", "readkong.com", "slymedianews.com", "plugalerts.com",
	"thenationonlineng.net", "polity.org.za", "rdrr.io", "play.google.com", "g2h2.org",
	"biblioteca.observatoriosaudepublica.com.br", "thezuricher.com", "neweuropetoday.com", "services1.arcgis.com",
}

// Copy labels.
const (
	CopySandbox = "sandbox or test copy"
	CopyReprint = "reprint"
)

// ClassifyLink says whether an address is a copy (a sandbox, test or reprint
// host) and which kind.
func ClassifyLink(raw string) Link {
	l := Link{URL: raw}
	u, err := url.Parse(raw)
	if err != nil {
		return l
	}
	host := strings.ToLower(strings.TrimPrefix(u.Hostname(), "www."))
	for _, w := range strings.FieldsFunc(host, func(r rune) bool { return r == '.' || r == '-' }) {
		if copyHostWords[w] {
			l.Copy, l.Label = true, CopySandbox
			return l
		}
	}
	for _, h := range reprintHosts {
		if host == h || strings.HasSuffix(host, "."+h) {
			l.Copy, l.Label = true, CopyReprint
			return l
		}
	}
	return l
}

var urlPattern = regexp.MustCompile(`https?://[^\s;"()]+[^\s;"().,:]`)

// CitationLinks lists the addresses in a citation text, primary ones first
// (in the text's order), then copies, each once.
func CitationLinks(citation string) []Link {
	var primary, copies []Link
	seen := map[string]bool{}
	for _, raw := range urlPattern.FindAllString(citation, -1) {
		if seen[raw] {
			continue
		}
		seen[raw] = true
		l := ClassifyLink(raw)
		if l.Copy {
			copies = append(copies, l)
		} else {
			primary = append(primary, l)
		}
	}
	return append(primary, copies...)
}

// PrimaryLink is the first link that is not a copy, or "" when a citation
// has only copies.
func PrimaryLink(links []Link) string {
	for _, l := range links {
		if !l.Copy {
			return l.URL
		}
	}
	return ""
}
