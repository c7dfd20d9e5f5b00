package public

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// TestMessagesComplete fails when a message is missing in any language, or
// when a template or a page script module uses a key the messages lack.
func TestMessagesComplete(t *testing.T) {
	m, err := LoadMessages(nil)
	if err != nil {
		t.Fatal(err)
	}
	for lang, keys := range m.Missing() {
		if len(keys) > 0 {
			t.Errorf("%s lacks %d messages: %v", lang, len(keys), keys)
		}
	}
	uses := regexp.MustCompile(`\bt "([a-z_0-9.]+)"|\bT\('([a-z_0-9.]+)'\)`)
	files, _ := filepath.Glob("templates/*.html")
	scripts, _ := filepath.Glob("static/js/*.js")
	if len(scripts) == 0 {
		t.Fatal("no page script modules in static/js")
	}
	files = append(files, scripts...)
	used := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, match := range uses.FindAllStringSubmatch(string(b), -1) {
			key := match[1] + match[2]
			used++
			if !m.Has(key) {
				t.Errorf("%s uses %q, which has no message", f, key)
			}
		}
	}
	if used < 50 {
		t.Errorf("only %d message uses found: are templates and script translated?", used)
	}
}

// TestMessageVerbs: a message the charts format (fmt verbs such as %s, %d)
// keeps the English verbs, in order, in every language: another order or
// count would print the wrong figure or %!d(MISSING) in a chart.
func TestMessageVerbs(t *testing.T) {
	m, err := LoadMessages(nil)
	if err != nil {
		t.Fatal(err)
	}
	verbs := regexp.MustCompile(`%[a-z]`)
	checked := 0
	for key, english := range m.msgs["en"] {
		en := strings.Join(verbs.FindAllString(english, -1), " ")
		if en == "" {
			continue
		}
		checked++
		for _, lang := range languages {
			if got := strings.Join(verbs.FindAllString(m.msgs[lang][key], -1), " "); got != en {
				t.Errorf("%s in %s has verbs %q, English %q", key, lang, got, en)
			}
		}
	}
	if checked < 6 {
		t.Fatalf("only %d messages with verbs checked", checked)
	}
}

func TestNegotiateLanguage(t *testing.T) {
	cases := []struct{ query, accept, want string }{
		{"", "", "en"},
		{"fr", "de", "fr"},
		{"xx", "de-AT,de;q=0.9,en;q=0.5", "de"},
		{"", "ru-RU,ru;q=0.9", "ru"},
		{"", "es-ES,fr;q=0.3,en;q=0.7", "en"},
		{"", "pt-BR", "en"},
		{"RU", "", "ru"},
	}
	for _, tc := range cases {
		if got := Negotiate(tc.query, tc.accept); got != tc.want {
			t.Errorf("Negotiate(%q, %q) = %q, want %q", tc.query, tc.accept, got, tc.want)
		}
	}
}

func TestCountryNamesEveryLanguage(t *testing.T) {
	a, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	m, err := LoadMessages(a)
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range Languages() {
		if len(m.countries[lang]) != 53 {
			t.Errorf("%s: %d country names, want 53", lang, len(m.countries[lang]))
		}
	}
	if got := m.Country("fr", "DEU", ""); got != "Allemagne" {
		t.Errorf("DEU in French = %q", got)
	}
}

// TestIndicatorAndMilestoneMessages checks that every indicator of the
// catalogue and every milestone has its name or title in every language, and
// that the English ones are the sources' own wording.
func TestIndicatorAndMilestoneMessages(t *testing.T) {
	m, err := LoadMessages(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ind := range indicators.Catalogue() {
		for _, lang := range Languages() {
			for _, k := range []string{"ind." + ind.ID + ".name", "ind." + ind.ID + ".short", "cat." + string(ind.Category)} {
				if strings.HasPrefix(m.T(lang, k), "⟦") {
					t.Errorf("%s: no %s", lang, k)
				}
			}
		}
		if m.T("en", "ind."+ind.ID+".name") != ind.Name || m.T("en", "ind."+ind.ID+".short") != ind.ShortName {
			t.Errorf("English message for %s differs from the catalogue", ind.ID)
		}
	}
	f, err := os.Open("../store/seeddata/milestones.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		id, title := r[0], r[3]
		for _, lang := range Languages() {
			if strings.HasPrefix(m.T(lang, "ms."+id+".title"), "⟦") {
				t.Errorf("%s: no title for milestone %s", lang, id)
			}
		}
		if m.T("en", "ms."+id+".title") != title {
			t.Errorf("English title of %s differs from milestones.csv", id)
		}
	}
}

// TestWhyMessages: every status reason (indicators.Why) has its message in
// each language, English as the Go source says it, each with the same
// placeholders, so that no number or sub-reason is dropped in translation.
func TestWhyMessages(t *testing.T) {
	m, err := LoadMessages(nil)
	if err != nil {
		t.Fatal(err)
	}
	holes := regexp.MustCompile(`\{(?:sub|parts|metric|\d+)\}`)
	set := func(s string) map[string]int {
		out := map[string]int{}
		for _, h := range holes.FindAllString(s, -1) {
			out[h]++
		}
		return out
	}
	for key, en := range indicators.WhyMessages {
		if got := m.Optional("en", "why."+key, ""); got != en {
			t.Errorf("en why.%s = %q, the Go source says %q", key, got, en)
		}
		want := set(en)
		for _, lang := range Languages() {
			msg := m.Optional(lang, "why."+key, "")
			if msg == "" {
				t.Errorf("%s lacks why.%s", lang, key)
				continue
			}
			got := set(msg)
			if len(got) != len(want) {
				t.Errorf("%s why.%s has placeholders %v, English %v", lang, key, got, want)
				continue
			}
			for h, n := range want {
				if got[h] != n {
					t.Errorf("%s why.%s has placeholders %v, English %v", lang, key, got, want)
					break
				}
			}
		}
	}
}
