package server_test

import (
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
)

// Served assets and inline <script> are checked by
// TestPagesReferenceServedAssets; these tests check the rest of what the CSP
// needs and what the server itself renders.

var (
	scriptTag   = regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`)
	styleTag    = regexp.MustCompile(`(?is)<style\b`)
	inlineAttr  = regexp.MustCompile(`(?i)<[^>]*\s(on[a-z]+|style)\s*=`)
	jsURL       = regexp.MustCompile(`(?i)(href|src|action)\s*=\s*["']?\s*javascript:`)
	srcAttr     = regexp.MustCompile(`(?i)\bsrc\s*=`)
	jsonType    = regexp.MustCompile(`(?i)\btype\s*=\s*"application/(ld\+)?json"`)
	countryLink = regexp.MustCompile(`href="/countries/[A-Z]{3}[?"]`)
)

// getPage fetches a page without following redirects and returns its body.
func getPage(t *testing.T, url string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// checkPageHeaders checks what every HTML answer carries: a CSP that allows
// no inline code.
func checkPageHeaders(t *testing.T, resp *http.Response) {
	t.Helper()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("Content-Type %q", ct)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"script-src 'self'", "style-src 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("CSP %q allows inline code", csp)
	}
}

// checkNoInlineCode fails on anything that CSP would block: inline scripts
// (a JSON data block is allowed), style elements, event-handler and style
// attributes, javascript: URLs.
func checkNoInlineCode(t *testing.T, body string) {
	t.Helper()
	for _, m := range scriptTag.FindAllStringSubmatch(body, -1) {
		attrs, code := m[1], strings.TrimSpace(m[2])
		switch {
		case jsonType.MatchString(attrs):
		case !srcAttr.MatchString(attrs):
			t.Errorf("script without src: %.120s", m[0])
		case code != "":
			t.Errorf("script with src and inline code: %.120s", m[0])
		}
	}
	if styleTag.MatchString(body) {
		t.Error("inline <style> element")
	}
	for _, m := range inlineAttr.FindAllString(body, 5) {
		t.Errorf("inline handler or style attribute: %.120s", m)
	}
	if jsURL.MatchString(body) {
		t.Error("javascript: URL")
	}
}

func TestPagesCSPAndNoInlineCode(t *testing.T) {
	a := startApp(t, appOptions{})
	paths := append([]string{
		"/countries/aut",
		"/indicators/hwf_dnm",
		"/indicators/HWF_0001?countries=AUT,DEU&time=2000..2022&year=2020&tab=map",
	}, languagePages...)
	for _, path := range paths {
		t.Run(path, func(t *testing.T) {
			resp, body := getPage(t, a.URL+path)
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("status %d: %.300s", resp.StatusCode, body)
			}
			checkPageHeaders(t, resp)
			checkNoInlineCode(t, body)
			if !strings.Contains(body, `aria-live="polite"`) {
				t.Error("no aria-live region")
			}
			if strings.HasPrefix(path, "/embed/") || strings.HasPrefix(path, "/present") {
				return
			}
			for _, want := range []string{`href="/api/v1/provenance"`, `class="live"`,
				`href="/?lang=`, `href="/indicators?`, `href="/countries?`, `href="/milestones?`, `href="/experiences?`} {
				if !strings.Contains(body, want) {
					t.Errorf("layout lacks %s", want)
				}
			}
		})
	}
}

func TestPagesNotFound(t *testing.T) {
	a := startApp(t, appOptions{})
	for _, path := range []string{
		"/countries/XYZ",
		"/countries/A",
		"/indicators/NOPE_0000",
		"/embed/countries/USA",
		"/embed/charts/nochart",
	} {
		t.Run(path, func(t *testing.T) {
			resp, body := getPage(t, a.URL+path)
			if resp.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d, want 404", resp.StatusCode)
			}
			checkPageHeaders(t, resp)
			checkNoInlineCode(t, body)
			if !strings.Contains(body, "Not found") {
				t.Errorf("body %.300s", body)
			}
		})
	}
	for _, path := range []string{"/assets/", "/assets/app.js", "/assets/..%2fpublic.go"} {
		t.Run(path, func(t *testing.T) {
			if resp, _ := getPage(t, a.URL+path); resp.StatusCode != http.StatusNotFound {
				t.Fatalf("status %d, want 404", resp.StatusCode)
			}
		})
	}
}

// TestPagesContent checks what the server renders itself: the country list,
// the milestone table with missing years shown as missing, and the
// explorer's permalink state carried into its charts.
func TestPagesContent(t *testing.T) {
	a := startApp(t, appOptions{})
	_, body := getPage(t, a.URL+"/countries")
	if n := len(countryLink.FindAllString(body, -1)); n != 53 {
		t.Errorf("the country list links %d Member States, want 53", n)
	}

	var ms struct {
		Milestones []struct {
			ID   string `json:"id"`
			Year *int   `json:"year"`
		} `json:"milestones"`
	}
	getJSON(t, a.URL+"/api/v1/milestones", &ms)
	if len(ms.Milestones) == 0 {
		t.Fatal("no milestones in the API")
	}
	_, body = getPage(t, a.URL+"/milestones?lang=en")
	undated := 0
	for _, m := range ms.Milestones {
		if !strings.Contains(body, `data-id="`+m.ID+`"`) {
			t.Errorf("milestone %s not in the table", m.ID)
		}
		if m.Year == nil {
			undated++
		}
	}
	if got := strings.Count(body, `<span class="missing">year not stated</span>`); got != undated {
		t.Errorf(`%d "year not stated" cells, want %d`, got, undated)
	}

	_, body = getPage(t, a.URL+"/indicators/HWF_0001?countries=AUT,DEU&time=2000..2022&year=2020&tab=map")
	for _, want := range []string{`data-chart="map" data-query="indicator=HWF_0001&amp;year=2020`, `countries=AUT%2CDEU`,
		`time=2000..2022`, `role="tab"`, `aria-selected=`} {
		if !strings.Contains(body, want) {
			t.Errorf("explorer lacks %s", want)
		}
	}
	if resp, _ := getPage(t, a.URL+"/indicators/HWF_0001?time=bogus"); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a malformed permalink: status %d, want 400", resp.StatusCode)
	}
}

// TestPageFavicon: /favicon.ico leads to the SVG icon, which every page
// (projector and embeds included) links.
func TestPageFavicon(t *testing.T) {
	a := startApp(t, appOptions{})
	resp, body := getPage(t, a.URL+"/favicon.ico")
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" || !strings.Contains(body, "<svg") {
		t.Fatalf("/favicon.ico: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
		t.Errorf("icon Cache-Control %q", cc)
	}
	for _, p := range []string{"/", "/present", "/embed/charts/code", "/embed/countries/MLT"} {
		_, page := getPage(t, a.URL+p)
		if !strings.Contains(page, `<link rel="icon" type="image/svg+xml" href="/assets/favicon.`) {
			t.Errorf("%s does not link the icon", p)
		}
	}
}
