package server_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"
)

// hostileText is markup a hostile or careless submitter might send: pages
// must show it as text and never run it.
const hostileText = `<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">`

type experience struct {
	ID         int64    `json:"id"`
	ISO3       string   `json:"iso3"`
	Title      string   `json:"title"`
	Text       string   `json:"text"`
	Date       string   `json:"date"`
	Topic      string   `json:"topic"`
	Indicators []string `json:"indicators"`
	Milestones []string `json:"milestones"`
	Link       string   `json:"link"`
	Author     string   `json:"author"`
	Hidden     bool     `json:"hidden"`
	Version    int64    `json:"version"`
}

type experienceList struct {
	Experiences []experience `json:"experiences"`
	Next        string       `json:"next"`
}

type apiErr struct {
	Error  string `json:"error"`
	Field  string `json:"field"`
	Errors []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func goodExperience(iso3 string) map[string]any {
	return map[string]any{
		"iso3": iso3, "title": "Bilateral agreement on nurse mobility", "date": "2024-05-21",
		"text":  "Signed with a neighbouring country; includes a return clause.\nSecond paragraph.",
		"topic": "bilateral_agreements", "indicators": []string{"HWF_0006"}, "milestones": []string{"G01"},
		"link": "https://example.org/agreement",
	}
}

func with(m map[string]any, kv ...any) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func postExperience(t testing.TB, base, token string, body map[string]any) (int, experience, apiErr) {
	t.Helper()
	var res struct {
		Experience experience `json:"experience"`
		apiErr
	}
	resp := call(t, http.MethodPost, base+"/api/v1/experiences", token, "application/json", mustJSON(body), &res)
	return resp.StatusCode, res.Experience, res.apiErr
}

func hideExperience(t testing.TB, base, token string, id int64, action, reason string) (int, apiErr) {
	t.Helper()
	var res apiErr
	resp := call(t, http.MethodPost, fmt.Sprintf("%s/api/v1/experiences/%d/%s", base, id, action), token, "application/json",
		mustJSON(map[string]string{"reason": reason}), &res)
	return resp.StatusCode, res
}

func TestExperiencesAPI(t *testing.T) {
	a := startApp(t, appOptions{rate: 10000})
	tokID, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	good := goodExperience("AUT")

	t.Run("rejections name the field", func(t *testing.T) {
		cases := []struct {
			name  string
			body  map[string]any
			field string
		}{
			{"missing title", with(good, "title", nil), "title"},
			{"blank title", with(good, "title", "   "), "title"},
			{"title too long", with(good, "title", strings.Repeat("é", 201)), "title"},
			{"title with a control character", with(good, "title", "a\x07b"), "title"},
			{"missing text", with(good, "text", nil), "text"},
			{"text too long", with(good, "text", strings.Repeat("x", 5001)), "text"},
			{"missing date", with(good, "date", nil), "date"},
			{"malformed date", with(good, "date", "21/05/2024"), "date"},
			{"impossible date", with(good, "date", "2024-02-30"), "date"},
			{"future date", with(good, "date", time.Now().UTC().AddDate(0, 0, 2).Format(time.DateOnly)), "date"},
			{"date too early", with(good, "date", "1900-01-01"), "date"},
			{"unknown topic", with(good, "topic", "gossip"), "topic"},
			{"missing topic", with(good, "topic", nil), "topic"},
			{"unknown country", with(good, "iso3", "USA"), "iso3"},
			{"missing country", with(good, "iso3", nil), "iso3"},
			{"unknown indicator", with(good, "indicators", []string{"NOPE"}), "indicators"},
			{"indicator twice", with(good, "indicators", []string{"HWF_0006", "HWF_0006"}), "indicators"},
			{"unknown milestone", with(good, "milestones", []string{"Z99"}), "milestones"},
			{"neither indicator nor milestone", with(good, "indicators", []string{}, "milestones", nil), "indicators"},
			{"indicators not a list", with(good, "indicators", "HWF_0006"), "indicators"},
			{"title not a string", with(good, "title", 12), "title"},
			{"unknown field", with(good, "colour", "red"), "colour"},
			{"javascript link", with(good, "link", "javascript:alert(1)"), "link"},
			{"data link", with(good, "link", "data:text/html,<script>alert(1)</script>"), "link"},
			{"relative link", with(good, "link", "/countries/AUT"), "link"},
			{"scheme-relative link", with(good, "link", "//evil.example/x"), "link"},
			{"link without host", with(good, "link", "https:///path"), "link"},
			{"link with spaces", with(good, "link", "https://example.org/a b"), "link"},
			{"link with credentials", with(good, "link", "https://user:pw@example.org/"), "link"},
			{"ftp link", with(good, "link", "ftp://example.org/file"), "link"},
			{"link too long", with(good, "link", "https://example.org/"+strings.Repeat("a", 2000)), "link"},
		}
		before, _ := a.Store.Version(t.Context())
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, _, res := postExperience(t, a.URL, aut, tc.body)
				if status != http.StatusBadRequest {
					t.Fatalf("status %d, want 400: %+v", status, res)
				}
				if res.Field != tc.field || len(res.Errors) == 0 || res.Errors[0].Field != tc.field {
					t.Fatalf("field %q errors %+v, want %q", res.Field, res.Errors, tc.field)
				}
				if !strings.Contains(res.Error, tc.field) || !strings.Contains(res.Error, "nothing was stored") {
					t.Fatalf("message %q does not name %q", res.Error, tc.field)
				}
			})
		}
		if after, _ := a.Store.Version(t.Context()); after != before {
			t.Fatalf("rejected experiences changed the version %d → %d", before, after)
		}
	})

	t.Run("malformed bodies", func(t *testing.T) {
		for _, tc := range []struct{ name, ct, body, field string }{
			{"empty", "application/json", "", "body"},
			{"broken json", "application/json", `{"title":`, "body"},
			{"array", "application/json", `[{"title":"x"}]`, "body"},
			{"two objects", "application/json", `{} {}`, "body"},
			{"csv", "text/csv", "iso3,title\nAUT,x\n", "Content-Type"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				var res apiErr
				resp := call(t, http.MethodPost, a.URL+"/api/v1/experiences", aut, tc.ct, []byte(tc.body), &res)
				want := http.StatusBadRequest
				if tc.field == "Content-Type" {
					want = http.StatusUnsupportedMediaType
				}
				if resp.StatusCode != want || res.Field != tc.field {
					t.Fatalf("status %d field %q, want %d %q (%s)", resp.StatusCode, res.Field, want, tc.field, res.Error)
				}
			})
		}
	})

	t.Run("body over 1 MiB is 413", func(t *testing.T) {
		if status := postOversized(t, a.URL, "/api/v1/experiences", aut); status != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", status)
		}
	})

	t.Run("tokens and scope", func(t *testing.T) {
		cases := []struct {
			name, token string
			body        map[string]any
			want        int
		}{
			{"no token", "", good, http.StatusUnauthorized},
			{"unknown token", "hwf_not-a-token", good, http.StatusUnauthorized},
			{"another country", aut, goodExperience("DEU"), http.StatusForbidden},
			{"admin writes any country", adminToken, goodExperience("DEU"), http.StatusCreated},
			{"own country", aut, good, http.StatusCreated},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				status, e, res := postExperience(t, a.URL, tc.token, tc.body)
				if status != tc.want {
					t.Fatalf("status %d, want %d: %+v", status, tc.want, res)
				}
				if status == http.StatusForbidden && res.Field != "iso3" {
					t.Fatalf("403 names %q, want iso3", res.Field)
				}
				if status == http.StatusCreated && (e.ID == 0 || e.Version == 0 || e.ISO3 != tc.body["iso3"]) {
					t.Fatalf("created %+v", e)
				}
			})
		}
	})

	t.Run("stored as written, served escaped", func(t *testing.T) {
		title := hostileText + " & \"quotes\" 'single'  "
		text := "  " + hostileText + "\n\tindented — ünïcödé\r\n"
		status, e, res := postExperience(t, a.URL, aut, with(good, "title", title, "text", text, "topic", "retention",
			"indicators", []string{"HWF_0001", "hwf_dnm"}, "milestones", nil, "link", "HTTPS://Example.org/x?a=1&b=<2>"))
		if status != http.StatusCreated {
			t.Fatalf("status %d: %+v", status, res)
		}
		resp := getJSON(t, fmt.Sprintf("%s/api/v1/experiences/%d", a.URL, e.ID), nil)
		raw := readBody(t, resp)
		if strings.Contains(raw, "<script>") || strings.Contains(raw, "<img") {
			t.Fatalf("JSON carries raw markup: %.300s", raw)
		}
		var one struct {
			Experience experience `json:"experience"`
			History    []struct {
				Action string `json:"action"`
				Actor  string `json:"actor"`
			} `json:"history"`
		}
		if err := jsonUnmarshal([]byte(raw), &one); err != nil {
			t.Fatal(err)
		}
		got := one.Experience
		if got.Title != title || got.Text != text || got.Topic != "retention" || strings.Join(got.Indicators, ",") != "HWF_0001,hwf_dnm" ||
			got.Author != "Ministry of Health, Austria" || got.Link != "HTTPS://Example.org/x?a=1&b=<2>" {
			t.Fatalf("stored %+v", got)
		}
		if len(one.History) != 1 || one.History[0].Action != "created" || one.History[0].Actor != got.Author {
			t.Fatalf("history %+v", one.History)
		}
	})

	t.Run("list, filters and pages", func(t *testing.T) {
		var all experienceList
		getJSON(t, a.URL+"/api/v1/experiences?country=AUT", &all)
		if len(all.Experiences) < 2 {
			t.Fatalf("AUT list %+v", all)
		}
		for i := 1; i < len(all.Experiences); i++ {
			if all.Experiences[i].ID >= all.Experiences[i-1].ID {
				t.Fatal("not newest first")
			}
		}
		for _, tc := range []struct {
			query string
			check func(e experience) bool
		}{
			{"country=deu", func(e experience) bool { return e.ISO3 == "DEU" }},
			{"topic=retention", func(e experience) bool { return e.Topic == "retention" }},
			{"indicator=hwf_dnm", func(e experience) bool { return strings.Contains(strings.Join(e.Indicators, ","), "hwf_dnm") }},
			{"milestone=G01", func(e experience) bool { return strings.Join(e.Milestones, ",") == "G01" }},
		} {
			var l experienceList
			if r := getJSON(t, a.URL+"/api/v1/experiences?"+tc.query, &l); r.StatusCode != http.StatusOK || len(l.Experiences) == 0 {
				t.Errorf("%s: status %d, %d entries", tc.query, r.StatusCode, len(l.Experiences))
			}
			for _, e := range l.Experiences {
				if !tc.check(e) {
					t.Errorf("%s: got %+v", tc.query, e)
				}
			}
		}
		var page experienceList
		getJSON(t, a.URL+"/api/v1/experiences?limit=1", &page)
		if len(page.Experiences) != 1 || page.Next == "" {
			t.Fatalf("page 1: %+v", page)
		}
		var page2 experienceList
		getJSON(t, a.URL+page.Next, &page2)
		if len(page2.Experiences) != 1 || page2.Experiences[0].ID >= page.Experiences[0].ID {
			t.Fatalf("page 2: %+v after %+v", page2, page)
		}
		for _, tc := range []struct{ query, field string }{
			{"country=USA", "country"}, {"topic=gossip", "topic"}, {"indicator=NOPE", "indicator"}, {"milestone=Z9", "milestone"},
			{"limit=0", "limit"}, {"limit=101", "limit"}, {"before=-3", "before"}, {"include=everything", "include"},
		} {
			var res apiErr
			if r := getJSON(t, a.URL+"/api/v1/experiences?"+tc.query, &res); r.StatusCode != http.StatusBadRequest || res.Field != tc.field {
				t.Errorf("%s: status %d field %q, want 400 %q", tc.query, r.StatusCode, res.Field, tc.field)
			}
		}
		if r := getJSON(t, a.URL+"/api/v1/experiences/999999", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("unknown id: %d", r.StatusCode)
		}
		if r := getJSON(t, a.URL+"/api/v1/experiences/abc", nil); r.StatusCode != http.StatusBadRequest {
			t.Errorf("malformed id: %d", r.StatusCode)
		}
	})

	t.Run("hiding keeps the entry in the history", func(t *testing.T) {
		status, e, _ := postExperience(t, a.URL, aut, with(good, "title", "To be hidden"))
		if status != http.StatusCreated {
			t.Fatalf("post: %d", status)
		}
		for _, tc := range []struct {
			name, token, action, reason string
			id                          int64
			want                        int
			field                       string
		}{
			{"ministry token may not hide", aut, "hide", "mine", e.ID, http.StatusForbidden, "Authorization"},
			{"no token", "", "hide", "x", e.ID, http.StatusUnauthorized, "Authorization"},
			{"reason required", adminToken, "hide", "  ", e.ID, http.StatusBadRequest, "reason"},
			{"reason too long", adminToken, "hide", strings.Repeat("r", 501), e.ID, http.StatusBadRequest, "reason"},
			{"unknown entry", adminToken, "hide", "x", 999999, http.StatusNotFound, "id"},
			{"unhide a visible entry", adminToken, "unhide", "x", e.ID, http.StatusConflict, "id"},
			{"hide", adminToken, "hide", "personal data in the text", e.ID, http.StatusOK, ""},
			{"hide again", adminToken, "hide", "again", e.ID, http.StatusConflict, "id"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				status, res := hideExperience(t, a.URL, tc.token, tc.id, tc.action, tc.reason)
				if status != tc.want || res.Field != tc.field {
					t.Fatalf("status %d field %q, want %d %q (%s)", status, res.Field, tc.want, tc.field, res.Error)
				}
			})
		}
		visible := func(url, token string) bool {
			t.Helper()
			var l experienceList
			if r := call(t, http.MethodGet, url, token, "", nil, &l); r.StatusCode != http.StatusOK {
				t.Fatalf("%s: %d", url, r.StatusCode)
			}
			for _, x := range l.Experiences {
				if x.ID == e.ID {
					return true
				}
			}
			return false
		}
		if visible(a.URL+"/api/v1/experiences?country=AUT", "") {
			t.Error("hidden entry still listed")
		}
		if r := getJSON(t, fmt.Sprintf("%s/api/v1/experiences/%d", a.URL, e.ID), nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("hidden entry served to the public: %d", r.StatusCode)
		}
		if r := call(t, http.MethodGet, a.URL+"/api/v1/experiences?include=hidden", "", "", nil, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("include=hidden without a token: %d, want 403", r.StatusCode)
		}
		if r := call(t, http.MethodGet, a.URL+"/api/v1/experiences?include=hidden", aut, "", nil, nil); r.StatusCode != http.StatusForbidden {
			t.Errorf("include=hidden with a ministry token: %d, want 403", r.StatusCode)
		}
		if !visible(a.URL+"/api/v1/experiences?country=AUT&include=hidden", adminToken) {
			t.Error("admin does not see the hidden entry")
		}
		var one struct {
			Experience experience `json:"experience"`
			History    []struct {
				Action string `json:"action"`
				Actor  string `json:"actor"`
				Reason string `json:"reason"`
			} `json:"history"`
		}
		r := call(t, http.MethodGet, fmt.Sprintf("%s/api/v1/experiences/%d", a.URL, e.ID), adminToken, "", nil, &one)
		if r.StatusCode != http.StatusOK || !one.Experience.Hidden || one.Experience.Title != "To be hidden" || len(one.History) != 2 ||
			one.History[1].Action != "hidden" || one.History[1].Actor != "admin" || one.History[1].Reason != "personal data in the text" {
			t.Fatalf("admin view: %d %+v", r.StatusCode, one)
		}
		if r.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("admin view Cache-Control %q", r.Header.Get("Cache-Control"))
		}
		if status, _ := hideExperience(t, a.URL, adminToken, e.ID, "unhide", "checked with the ministry"); status != http.StatusOK {
			t.Fatalf("unhide: %d", status)
		}
		if !visible(a.URL+"/api/v1/experiences?country=AUT", "") {
			t.Error("entry shown again is not listed")
		}
		getJSON(t, fmt.Sprintf("%s/api/v1/experiences/%d", a.URL, e.ID), &one)
		if len(one.History) != 3 || one.History[2].Action != "unhidden" {
			t.Fatalf("history after unhide: %+v", one.History)
		}
	})

	t.Run("revoked token", func(t *testing.T) {
		if r := call(t, http.MethodDelete, a.URL+"/api/v1/tokens/"+tokID, adminToken, "", nil, nil); r.StatusCode != http.StatusNoContent {
			t.Fatalf("revoke: %d", r.StatusCode)
		}
		if status, _, _ := postExperience(t, a.URL, aut, good); status != http.StatusUnauthorized {
			t.Fatalf("revoked token: %d, want 401", status)
		}
	})
}

func TestExperiencesRateLimited(t *testing.T) {
	a := startApp(t, appOptions{rate: 2})
	var statuses []int
	for range 4 {
		s, _, _ := postExperience(t, a.URL, adminToken, goodExperience("MLT"))
		statuses = append(statuses, s)
	}
	if statuses[0] != http.StatusCreated || statuses[3] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v: want 201 first and 429 last", statuses)
	}
}

// experienceNotice is the payload of an experiences topic update.
type experienceNotice struct {
	Action     string     `json:"action"`
	Experience experience `json:"experience"`
}

func awaitNotice(t *testing.T, ws *wsClient, topic, action string, id int64) experienceNotice {
	t.Helper()
	var n experienceNotice
	ws.await(func(m wsMessage) bool {
		if m.Type != "update" || m.Topic != topic {
			return false
		}
		n = experienceNotice{}
		if err := json.Unmarshal(m.Payload, &n); err != nil {
			t.Fatalf("notice %s: %v", m.Payload, err)
		}
		return n.Action == action && (id == 0 || n.Experience.ID == id)
	})
	return n
}

// checkExperiencesLive posts an experience on a and hides it: b's
// websocket clients of the feed and of the country's topic get both
// notices, and the hidden notice carries no text.
func checkExperiencesLive(t *testing.T, a, b *app) {
	_, secret := createToken(t, a.URL, "Ministry of Health, Malta", "MLT")
	feed := dialWS(t, b.URL, nil)
	feed.subscribe("experiences")
	country := dialWS(t, b.URL, nil)
	country.subscribe("experiences:MLT")
	other := dialWS(t, b.URL, nil)
	other.subscribe("experiences:AUT", "milestones")

	status, e, res := postExperience(t, a.URL, secret, with(goodExperience("MLT"), "title", hostileText, "text", hostileText))
	if status != http.StatusCreated {
		t.Fatalf("post: %d %+v", status, res)
	}
	for _, ws := range []*wsClient{feed, country} {
		topic := "experiences"
		if ws == country {
			topic = "experiences:MLT"
		}
		n := awaitNotice(t, ws, topic, "created", e.ID)
		if n.Experience.Title != hostileText || n.Experience.Text != hostileText || n.Experience.Version != e.Version {
			t.Fatalf("created notice %+v", n.Experience)
		}
	}
	if status, _ := hideExperience(t, a.URL, adminToken, e.ID, "hide", "test"); status != http.StatusOK {
		t.Fatalf("hide: %d", status)
	}
	for _, ws := range []*wsClient{feed, country} {
		topic := "experiences"
		if ws == country {
			topic = "experiences:MLT"
		}
		n := awaitNotice(t, ws, topic, "hidden", e.ID)
		if !n.Experience.Hidden || n.Experience.Text != "" || n.Experience.Title != "" || n.Experience.Version <= e.Version {
			t.Fatalf("hidden notice %+v", n.Experience)
		}
	}
	// The other country's subscriber got nothing about MLT: after a write
	// that does concern it, the first experiences update it sees is not MLT's.
	_, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	status, e2, _ := postExperience(t, a.URL, aut, goodExperience("AUT"))
	if status != http.StatusCreated {
		t.Fatalf("post AUT: %d", status)
	}
	n := awaitNotice(t, other, "experiences:AUT", "created", 0)
	if n.Experience.ID != e2.ID {
		t.Fatalf("AUT subscriber got %+v first, want entry %d", n.Experience, e2.ID)
	}
}

func TestExperiencesLive(t *testing.T) {
	a := startApp(t, appOptions{})
	checkExperiencesLive(t, a, a)
}

func TestExperiencesLiveAcrossInstances(t *testing.T) {
	requireRedis(t)
	dsn := pgSchemaDSN(t)
	prefix := "hwfdash-test-" + randHex(4) + ":"
	a := startApp(t, appOptions{dsn: dsn, redisURL: redisURL, prefix: prefix, poll: time.Hour})
	b := startApp(t, appOptions{dsn: dsn, redisURL: redisURL, prefix: prefix, poll: time.Hour})
	checkExperiencesLive(t, a, b)
}

// TestExperiencesCaughtUp runs two instances with no shared bus: B learns
// of A's experience and of its hiding from the store's version alone.
func TestExperiencesCaughtUp(t *testing.T) {
	dsn := pgSchemaDSN(t)
	a := startApp(t, appOptions{dsn: dsn, poll: time.Hour})
	b := startApp(t, appOptions{dsn: dsn, poll: 100 * time.Millisecond})
	ws := dialWS(t, b.URL, nil)
	ws.subscribe("experiences:EST")
	status, e, _ := postExperience(t, a.URL, adminToken, goodExperience("EST"))
	if status != http.StatusCreated {
		t.Fatalf("post: %d", status)
	}
	awaitNotice(t, ws, "experiences:EST", "created", e.ID)
	if status, _ := hideExperience(t, a.URL, adminToken, e.ID, "hide", "test"); status != http.StatusOK {
		t.Fatalf("hide: %d", status)
	}
	awaitNotice(t, ws, "experiences:EST", "hidden", e.ID)
	// A client that reconnects with an older version is told to reload.
	again := dialWS(t, b.URL, nil)
	again.send(map[string]any{"subscribe": []string{"experiences"}, "since": e.Version - 1})
	awaitNotice(t, again, "experiences", "resync", 0)
	var res wsMessage
	bad := dialWS(t, b.URL, nil)
	bad.send(map[string]any{"subscribe": []string{"experiences:USA"}})
	res = bad.await(func(m wsMessage) bool { return m.Type == "error" })
	if !strings.Contains(res.Error, "USA") {
		t.Fatalf("error %q", res.Error)
	}
}
