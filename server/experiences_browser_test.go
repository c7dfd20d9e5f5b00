package server_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// expListReady waits until a page's experiences list has loaded and its
// websocket is live.
const expListReady = `document.querySelector('.live').dataset.state === 'live' &&
  [...document.querySelectorAll('.exp-list')].every(l => l.dataset.state === 'ready')`

// expShown is a script that says whether entry id is listed with exactly
// this title and text, as text.
func expShown(id int64, title, text string) string {
	return fmt.Sprintf(`(() => { const li = document.querySelector('.exp-list li[data-id="%d"]');
  return !!li && li.querySelector('.exp-title').textContent === %s && li.querySelector('.exp-text').textContent === %s; })()`,
		id, strconv.Quote(title), strconv.Quote(text))
}

func expGone(id int64) string {
	return fmt.Sprintf(`document.querySelector('.exp-list li[data-id="%d"]') === null`, id)
}

// TestBrowserExperiencesLive opens a country page, the regional feed and a
// feed filtered by topic; a ministry shares an experience whose title and
// text are hostile markup: it appears on the country page and in the feed
// without a reload, shown as the literal text, and nothing in it runs. The
// filtered feed shows only its topic. When the admin hides the entry it
// disappears from every page, live.
func TestBrowserExperiencesLive(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	_, secret := createToken(t, a.URL, "Ministry of Health, Malta", "MLT")
	b := newBrowser(t)
	tabs := map[string]context.Context{}
	loadIDs := map[string]string{}
	for _, path := range []string{"/countries/MLT", "/experiences", "/experiences?topic=retention"} {
		ctx := b.tab()
		var id string
		run(t, ctx, 60*time.Second,
			chromedp.Navigate(a.URL+path),
			chromedp.Poll(expListReady, nil, chromedp.WithPollingTimeout(30*time.Second)),
			chromedp.Evaluate(`window.__loadId`, &id),
		)
		tabs[path], loadIDs[path] = ctx, id
	}

	hostileTitle := hostileText
	hostileBody := "Line one " + hostileText + "\nLine two <b>not bold</b> & <a href=\"javascript:window.__pwned=3\">x</a>"
	status, e, res := postExperience(t, a.URL, secret, with(goodExperience("MLT"), "title", hostileTitle, "text", hostileBody,
		"link", "https://example.org/mlt-agreement"))
	if status != http.StatusCreated {
		t.Fatalf("post: %d %+v", status, res)
	}
	status, retention, _ := postExperience(t, a.URL, secret, with(goodExperience("MLT"), "title", "Rural retention allowance", "topic", "retention"))
	if status != http.StatusCreated {
		t.Fatalf("post retention: %d", status)
	}
	for _, path := range []string{"/countries/MLT", "/experiences"} {
		ctx := tabs[path]
		var pwned, markup bool
		var visible, rel, href string
		run(t, ctx, 20*time.Second,
			front(ctx),
			chromedp.Poll(expShown(e.ID, hostileTitle, hostileBody), nil, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Poll(expShown(retention.ID, "Rural retention allowance", goodExperience("MLT")["text"].(string)), nil, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Evaluate(`window.__pwned !== undefined`, &pwned),
			chromedp.Evaluate(`document.querySelectorAll('.exp-list script, .exp-list img, .exp-list b, .exp-list a[href^="javascript"]').length > 0`, &markup),
			chromedp.Evaluate(fmt.Sprintf(renderSections+` document.querySelector('.exp-list li[data-id="%d"]').innerText`, e.ID), &visible),
			chromedp.AttributeValue(fmt.Sprintf(`.exp-list li[data-id="%d"] .exp-link a`, e.ID), "rel", &rel, nil),
			chromedp.AttributeValue(fmt.Sprintf(`.exp-list li[data-id="%d"] .exp-link a`, e.ID), "href", &href, nil),
		)
		if pwned || markup {
			t.Fatalf("%s: submitted markup became elements (pwned %v, markup %v)", path, pwned, markup)
		}
		if !strings.Contains(visible, hostileText) || !strings.Contains(visible, "<b>not bold</b>") {
			t.Fatalf("%s: the literal text is not visible: %q", path, visible)
		}
		if rel != "noopener noreferrer nofollow ugc" || href != "https://example.org/mlt-agreement" {
			t.Fatalf("%s: link rel %q href %q", path, rel, href)
		}
		// Newest first.
		var order string
		run(t, ctx, 5*time.Second, chromedp.Evaluate(`[...document.querySelectorAll('.exp-list li')].map(li => li.dataset.id).join()`, &order))
		if !strings.HasPrefix(order, fmt.Sprintf("%d,%d", retention.ID, e.ID)) {
			t.Fatalf("%s: order %s", path, order)
		}
		if path == "/countries/MLT" {
			screenshotExperiences(t, ctx, "country-experiences")
		}
	}
	// The feed filtered by topic shows the retention entry and not the other.
	filtered := tabs["/experiences?topic=retention"]
	var hasOther bool
	run(t, filtered, 20*time.Second, front(filtered),
		chromedp.Poll(expShown(retention.ID, "Rural retention allowance", goodExperience("MLT")["text"].(string)), nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Evaluate(fmt.Sprintf(`!!document.querySelector('.exp-list li[data-id="%d"]')`, e.ID), &hasOther),
	)
	if hasOther {
		t.Fatal("the retention feed lists a bilateral agreement")
	}

	if status, _ := hideExperience(t, a.URL, adminToken, e.ID, "hide", "test of hiding"); status != http.StatusOK {
		t.Fatalf("hide: %d", status)
	}
	for path, ctx := range tabs {
		var id string
		var still bool
		run(t, ctx, 20*time.Second, front(ctx),
			chromedp.Poll(expGone(e.ID), nil, chromedp.WithPollingTimeout(10*time.Second)),
			chromedp.Evaluate(fmt.Sprintf(`!!document.querySelector('.exp-list li[data-id="%d"]')`, retention.ID), &still),
			chromedp.Evaluate(`window.__loadId`, &id),
		)
		if !still {
			t.Errorf("%s: hiding one entry removed another", path)
		}
		if id != loadIDs[path] {
			t.Errorf("%s reloaded", path)
		}
	}
	// The feed's filter is a permalink, and changing it reloads the list in
	// place.
	feed := tabs["/experiences"]
	var url string
	run(t, feed, 20*time.Second, front(feed),
		chromedp.SetValue(`form.exp-filter select[name="topic"]`, "bilateral_agreements"),
		chromedp.Evaluate(`document.querySelector('form.exp-filter').dispatchEvent(new Event('change')); true`, nil),
		chromedp.Poll(fmt.Sprintf(`document.querySelector('.exp-list').dataset.state === 'ready' && %s`, expGone(retention.ID)), nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Location(&url),
	)
	if !strings.HasSuffix(url, "/experiences?topic=bilateral_agreements") {
		t.Fatalf("feed URL %s", url)
	}
	// On a phone the feed, with a long unbroken text, fits the screen.
	if status, _, _ := postExperience(t, a.URL, secret, with(goodExperience("MLT"), "text", strings.Repeat("x", 400))); status != http.StatusCreated {
		t.Fatalf("post long: %d", status)
	}
	phone := b.tab()
	var width int
	run(t, phone, 60*time.Second,
		chromedp.EmulateViewport(375, 800),
		chromedp.Navigate(a.URL+"/experiences"),
		chromedp.Poll(expListReady+` && document.querySelectorAll('.exp-list li').length >= 2`, nil, chromedp.WithPollingTimeout(30*time.Second)),
		chromedp.Evaluate(`document.documentElement.scrollWidth`, &width),
	)
	if width > 375 {
		t.Errorf("the feed is %d px wide at 375 px", width)
	}
	b.checkNoErrors()
}

func screenshotExperiences(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	run(t, ctx, 10*time.Second, chromedp.ScrollIntoView(`section.experiences`))
	screenshot(t, ctx, name)
}

// TestBrowserExperienceForm shares an experience through the /submit form:
// every field error is shown, and a valid entry is stored and listed.
func TestBrowserExperienceForm(t *testing.T) {
	skipShort(t, "browser")
	a := startApp(t, appOptions{})
	_, secret := createToken(t, a.URL, "Ministry of Health, Estonia", "EST")
	b := newBrowser(t)
	ctx := b.tab()
	f := `form.experience-form `
	var shown string
	run(t, ctx, 60*time.Second,
		chromedp.Navigate(a.URL+"/submit"),
		chromedp.SendKeys(f+`input[name="token"]`, secret),
		chromedp.SetValue(f+`select[name="iso3"]`, "LVA"),
		chromedp.SendKeys(f+`input[name="title"]`, "Nursing workforce registry"),
		chromedp.SetValue(f+`input[name="date"]`, "2023-09-01"),
		chromedp.SetValue(f+`select[name="topic"]`, "information_systems"),
		chromedp.Evaluate(`document.querySelector('form.experience-form select[name="indicators"] option[value="HWF_0006"]').selected = true`, nil),
		chromedp.SetValue(f+`input[name="link"]`, "javascript:window.__pwned=1"),
		chromedp.SetValue(f+`textarea[name="text"]`, "A national registry of nurses, updated monthly."),
		chromedp.Click(f+`button[type="submit"]`),
		chromedp.Poll(`document.querySelectorAll('.experience-result li').length >= 2`, nil, chromedp.WithPollingTimeout(10*time.Second)),
		chromedp.Text(`.experience-result`, &shown),
	)
	if !strings.Contains(shown, "link: must be an http:// or https:// address") || !strings.Contains(shown, "iso3: this token may not write this country") {
		t.Fatalf("form shows %q", shown)
	}
	run(t, ctx, 30*time.Second,
		chromedp.SetValue(f+`select[name="iso3"]`, "EST"),
		chromedp.SetValue(f+`input[name="link"]`, "https://example.org/registry"),
		chromedp.Click(f+`button[type="submit"]`),
		chromedp.Poll(`document.querySelector('.experience-result .ok') !== null`, nil, chromedp.WithPollingTimeout(10*time.Second)),
	)
	var list experienceList
	getJSON(t, a.URL+"/api/v1/experiences?country=EST", &list)
	if len(list.Experiences) != 1 {
		t.Fatalf("stored %+v", list)
	}
	got := list.Experiences[0]
	if got.Title != "Nursing workforce registry" || got.Date != "2023-09-01" || got.Topic != "information_systems" ||
		strings.Join(got.Indicators, ",") != "HWF_0006" || got.Link != "https://example.org/registry" || got.Author != "Ministry of Health, Estonia" {
		t.Fatalf("stored %+v", got)
	}
	var url string
	var pwned bool
	run(t, ctx, 5*time.Second, chromedp.Location(&url), chromedp.Evaluate(`window.__pwned !== undefined`, &pwned))
	if strings.Contains(url, secret) || pwned {
		t.Fatalf("token in the URL (%v) or script ran (%v)", strings.Contains(url, secret), pwned)
	}
	b.checkNoErrors()
}
