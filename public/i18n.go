package public

import (
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

//go:embed i18n/*.json
var messageFiles embed.FS

// Languages are the interface languages, WHO Europe's official languages;
// the first is the default.
var languages = []string{"en", "fr", "de", "ru"}

// Languages lists the interface languages, the default first.
func Languages() []string { return append([]string(nil), languages...) }

// DecimalMark is a language's decimal mark, as the pages write numbers
// (methods.numbers; format.js has the same, from CLDR): a comma in French,
// German and Russian.
func DecimalMark(lang string) string {
	if lang == "" || lang == "en" {
		return "."
	}
	return ","
}

// Messages holds the interface's messages and the Member States' names in
// every language.
type Messages struct {
	msgs      map[string]map[string]string
	countries map[string]map[string]string
}

// LoadMessages reads the message files and the CLDR country names built
// into the assets.
func LoadMessages(a *Assets) (*Messages, error) {
	m := &Messages{msgs: map[string]map[string]string{}, countries: map[string]map[string]string{}}
	for _, lang := range languages {
		b, err := messageFiles.ReadFile("i18n/" + lang + ".json")
		if err != nil {
			return nil, fmt.Errorf("public: messages %s: %w", lang, err)
		}
		var msgs map[string]string
		if err := json.Unmarshal(b, &msgs); err != nil {
			return nil, fmt.Errorf("public: messages %s: %w", lang, err)
		}
		m.msgs[lang] = msgs
	}
	if a != nil {
		body, _, ok := a.Open(strings.TrimPrefix(a.Path("country-names.json"), URLPrefix))
		if !ok {
			return nil, fmt.Errorf("public: assets lack country-names.json")
		}
		if err := json.Unmarshal(body, &m.countries); err != nil {
			return nil, fmt.Errorf("public: country-names.json: %w", err)
		}
	}
	return m, nil
}

// Missing lists, per language, the keys of the default language that it
// lacks or leaves empty, and the keys it has that the default lacks.
func (m *Messages) Missing() map[string][]string {
	out := map[string][]string{}
	base := m.msgs[languages[0]]
	for _, lang := range languages[1:] {
		for k := range base {
			if strings.TrimSpace(m.msgs[lang][k]) == "" {
				out[lang] = append(out[lang], k)
			}
		}
		for k := range m.msgs[lang] {
			if _, ok := base[k]; !ok {
				out[lang] = append(out[lang], k+" (not in "+languages[0]+")")
			}
		}
		sort.Strings(out[lang])
	}
	return out
}

// Has says whether the default language has a key.
func (m *Messages) Has(key string) bool {
	_, ok := m.msgs[languages[0]][key]
	return ok
}

// T gives a message in a language. A key missing there is shown as
// ⟦key⟧, so that tests and users see the gap instead of a silent English
// fallback.
func (m *Messages) T(lang, key string) string {
	if v, ok := m.msgs[lang][key]; ok && v != "" {
		return v
	}
	return "⟦" + key + "⟧"
}

// Optional gives a message when the language has it, and def otherwise: for
// data-derived texts (indicator names, milestone titles) whose translation
// is added over time and whose source wording is a fine fallback.
func (m *Messages) Optional(lang, key, def string) string {
	if v, ok := m.msgs[lang][key]; ok && v != "" {
		return v
	}
	return def
}

// Country gives a Member State's name in a language (Unicode CLDR).
func (m *Messages) Country(lang, iso3, def string) string {
	if v := m.countries[lang][iso3]; v != "" {
		return v
	}
	return def
}

// Subset returns the messages whose keys start with one of prefixes, for
// the page scripts.
func (m *Messages) Subset(lang string, prefixes ...string) map[string]string {
	out := map[string]string{}
	for k, v := range m.msgs[lang] {
		for _, p := range prefixes {
			if strings.HasPrefix(k, p) {
				out[k] = v
				break
			}
		}
	}
	return out
}

// Negotiate picks the language: an explicit ?lang= wins, then the
// browser's Accept-Language by quality, then the default.
func Negotiate(query, acceptLanguage string) string {
	if l := supported(query); l != "" {
		return l
	}
	best, bestQ := "", 0.0
	for _, part := range strings.Split(acceptLanguage, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		q := 1.0
		if v, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		if l := supported(tag); l != "" && q > bestQ {
			best, bestQ = l, q
		}
	}
	if best != "" {
		return best
	}
	return languages[0]
}

func supported(tag string) string {
	tag = strings.ToLower(strings.TrimSpace(tag))
	primary, _, _ := strings.Cut(tag, "-")
	for _, l := range languages {
		if primary == l {
			return l
		}
	}
	return ""
}
