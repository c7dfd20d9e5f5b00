package server_test

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/hwfdash/hwfdash/server"
)

// atomDoc is what a feed reader needs of an Atom 1.0 document (RFC 4287).
type atomDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2005/Atom feed"`
	ID      string   `xml:"id"`
	Title   string   `xml:"title"`
	Updated string   `xml:"updated"`
	Links   []struct {
		Rel  string `xml:"rel,attr"`
		Href string `xml:"href,attr"`
	} `xml:"link"`
	Author struct {
		Name string `xml:"name"`
	} `xml:"author"`
	Entries []struct {
		ID      string `xml:"id"`
		Title   string `xml:"title"`
		Updated string `xml:"updated"`
		Author  struct {
			Name string `xml:"name"`
		} `xml:"author"`
		Links []struct {
			Rel  string `xml:"rel,attr"`
			Href string `xml:"href,attr"`
		} `xml:"link"`
		Content string `xml:"content"`
	} `xml:"entry"`
}

func getFeed(t *testing.T, url, etag string) (*http.Response, atomDoc) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc atomDoc
	if resp.StatusCode == http.StatusOK {
		if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/atom+xml") {
			t.Fatalf("%s: Content-Type %q", url, ct)
		}
		if err := xml.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatalf("%s: not Atom XML: %v", url, err)
		}
		// The elements RFC 4287 requires of a feed and of each entry.
		if doc.ID == "" || doc.Title == "" || doc.Updated == "" || doc.Author.Name == "" {
			t.Errorf("%s: feed lacks id, title, updated or author: %+v", url, doc)
		}
		if _, err := time.Parse(time.RFC3339, doc.Updated); err != nil {
			t.Errorf("%s: updated %q is not RFC 3339", url, doc.Updated)
		}
		for _, e := range doc.Entries {
			if e.ID == "" || e.Title == "" || e.Updated == "" || e.Author.Name == "" || len(e.Links) == 0 {
				t.Errorf("%s: entry lacks a required element: %+v", url, e)
			}
		}
	}
	return resp, doc
}

func TestChangeFeeds(t *testing.T) {
	a := startApp(t, appOptions{cfg: func(c *server.Config) { c.PublicURL = "https://hwf.example.org/" }})
	_, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")

	resp, doc := getFeed(t, a.URL+"/changes.atom", "")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if len(doc.Entries) != 0 {
		t.Fatalf("the seed load shows in the feed: %d entries, first %+v", len(doc.Entries), doc.Entries[0])
	}
	self := ""
	for _, l := range doc.Links {
		if l.Rel == "self" {
			self = l.Href
		}
	}
	if self != "https://hwf.example.org/changes.atom" {
		t.Errorf("self link %q, want under PUBLIC_URL", self)
	}
	etag := resp.Header.Get("ETag")
	if resp, _ := getFeed(t, a.URL+"/changes.atom", etag); resp.StatusCode != http.StatusNotModified || etag == "" {
		t.Fatalf("If-None-Match %q: status %d, want 304", etag, resp.StatusCode)
	}

	status, _ := submit(t, a.URL, aut, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2025, Value: 61.5, Source: "Statistik Austria"})
	if status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	// The write is in the feed at once: its cache is keyed by data version.
	resp, doc = getFeed(t, a.URL+"/changes.atom", etag)
	if resp.StatusCode != http.StatusOK || len(doc.Entries) != 1 {
		t.Fatalf("after a write: status %d, %d entries, want 200 with 1", resp.StatusCode, len(doc.Entries))
	}
	e := doc.Entries[0]
	if e.Author.Name != "Ministry of Health, Austria" || !strings.Contains(e.Content, "2025: 61.5") {
		t.Errorf("entry %+v", e)
	}
	var links []string
	for _, l := range e.Links {
		links = append(links, l.Href)
	}
	if got := strings.Join(links, " "); got != "https://hwf.example.org/countries/AUT https://hwf.example.org/indicators/HWF_0001" {
		t.Errorf("entry links %q", got)
	}

	for _, tc := range []struct {
		path    string
		status  int
		entries int
	}{
		{"/countries/AUT/changes.atom", 200, 1},
		{"/countries/aut/changes.atom", 200, 1},
		{"/countries/DEU/changes.atom", 200, 0},
		{"/indicators/HWF_0001/changes.atom", 200, 1},
		{"/indicators/HWF_0006/changes.atom", 200, 0},
		{"/changes.atom?country=AUT&indicator=HWF_0001", 200, 1},
		{"/countries/XXX/changes.atom", 404, 0},
		{"/indicators/NOPE/changes.atom", 404, 0},
	} {
		resp, doc := getFeed(t, a.URL+tc.path, "")
		if resp.StatusCode != tc.status || len(doc.Entries) != tc.entries {
			t.Errorf("%s: status %d with %d entries, want %d with %d", tc.path, resp.StatusCode, len(doc.Entries), tc.status, tc.entries)
		}
	}

	// In another language: its words, country and indicator names, and
	// links; a language the site does not have is refused, field named.
	resp, doc = getFeed(t, a.URL+"/countries/AUT/changes.atom?lang=fr", "")
	if resp.StatusCode != http.StatusOK || doc.Title != "hwfdash : modifications des données pour Autriche" ||
		len(doc.Entries) != 1 || !strings.HasPrefix(doc.Entries[0].Title, "Autriche : ") && !strings.HasPrefix(doc.Entries[0].Title, "Autriche:") {
		t.Errorf("French feed: %d %q %+v", resp.StatusCode, doc.Title, doc.Entries)
	}
	var bad struct {
		Field string `json:"field"`
	}
	if r := getJSON(t, a.URL+"/changes.atom?lang=xx", &bad); r.StatusCode != http.StatusBadRequest || bad.Field != "lang" {
		t.Errorf("lang=xx: %d field %q, want 400 lang", r.StatusCode, bad.Field)
	}
	if body := readBody(t, call(t, http.MethodGet, a.URL+"/countries/AUT?lang=fr", "", "", nil, nil)); !strings.Contains(body,
		`<link rel="alternate" type="application/atom+xml" href="/countries/AUT/changes.atom?lang=fr"`) {
		t.Error("the French country page does not link its French feed")
	}

	// The pages name their feed for feed readers.
	for page, feed := range map[string]string{"/": "/changes.atom", "/countries/AUT": "/countries/AUT/changes.atom",
		"/indicators/HWF_0001": "/indicators/HWF_0001/changes.atom"} {
		body := readBody(t, call(t, http.MethodGet, a.URL+page, "", "", nil, nil))
		if !strings.Contains(body, `<link rel="alternate" type="application/atom+xml" href="`+feed+`"`) {
			t.Errorf("page %s does not link its feed %s", page, feed)
		}
	}
}

func TestIndicatorFreshness(t *testing.T) {
	a := startApp(t, appOptions{})
	_, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	type fresh struct {
		ID                 string  `json:"id"`
		LastUpdated        *string `json:"last_updated"`
		Vintage            *string `json:"vintage"`
		NextExpectedUpdate *string `json:"next_expected_update"`
	}
	var one struct {
		Indicator map[string]any `json:"indicator"`
	}
	getJSON(t, a.URL+"/api/v1/indicators/HWF_0001", &one)
	for _, k := range []string{"last_updated", "next_expected_update", "vintage", "id", "valid_min"} {
		if _, ok := one.Indicator[k]; !ok && k != "valid_min" {
			t.Errorf("indicator lacks %q: %v", k, one.Indicator)
		}
	}
	before, _ := one.Indicator["last_updated"].(string)
	if _, err := time.Parse(time.RFC3339, before); err != nil {
		t.Fatalf("last_updated %q: %v", before, err)
	}
	if status, _ := submit(t, a.URL, aut, obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2025, Value: 61.5, Source: "s"}); status != http.StatusCreated {
		t.Fatal(status)
	}
	var after struct {
		Indicator fresh `json:"indicator"`
	}
	getJSON(t, a.URL+"/api/v1/indicators/HWF_0001", &after)
	if after.Indicator.LastUpdated == nil || *after.Indicator.LastUpdated < before {
		t.Errorf("last_updated after a write: %v, before %s", after.Indicator.LastUpdated, before)
	}
	var list struct {
		Indicators []fresh `json:"indicators"`
	}
	getJSON(t, a.URL+"/api/v1/indicators", &list)
	byID := map[string]fresh{}
	for _, f := range list.Indicators {
		byID[f.ID] = f
	}
	if f := byID["code_nri_report"]; f.NextExpectedUpdate == nil || *f.NextExpectedUpdate == "" {
		t.Errorf("code_nri_report: no next_expected_update: %+v", f)
	}
	if f := byID["hwf_dnm"]; f.LastUpdated == nil || f.Vintage == nil {
		t.Errorf("derived hwf_dnm: last_updated %v vintage %v", f.LastUpdated, f.Vintage)
	}
	// The country page shows each indicator's freshness.
	body := readBody(t, call(t, http.MethodGet, a.URL+"/countries/AUT", "", "", nil, nil))
	if !strings.Contains(body, `<tr data-indicator="HWF_0001">`) || !strings.Contains(body, (*after.Indicator.LastUpdated)[:10]) {
		t.Errorf("country page lacks HWF_0001's freshness")
	}
}

// TestFeedBaseURL checks where feed links point without PUBLIC_URL: the
// request's origin only when ALLOWED_ORIGINS trusts it, never a Host
// header alone.
func TestFeedBaseURL(t *testing.T) {
	selfLink := func(t *testing.T, url, host string) string {
		t.Helper()
		req, err := http.NewRequest(http.MethodGet, url+"/changes.atom", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var doc atomDoc
		if err := xml.NewDecoder(resp.Body).Decode(&doc); err != nil {
			t.Fatal(err)
		}
		for _, l := range doc.Links {
			if l.Rel == "self" {
				return l.Href
			}
		}
		return ""
	}
	a := startApp(t, appOptions{cfg: func(c *server.Config) { c.AllowedOrigins = []string{"http://trusted.example"} }})
	if got := selfLink(t, a.URL, "trusted.example"); got != "http://trusted.example/changes.atom" {
		t.Errorf("trusted origin: self link %q", got)
	}
	if got := selfLink(t, a.URL, "evil.example"); got != "http://localhost/changes.atom" {
		t.Errorf("untrusted Host header: self link %q, want http://localhost/changes.atom", got)
	}
}
