package indicators

import (
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// experienceTopics are the subjects an experience is filed under, in the
// order forms list them; each has a message exp.topic.<id> in every language.
var experienceTopics = []string{
	"bilateral_agreements", "ethical_recruitment", "retention", "education_training",
	"information_systems", "migration_data", "other",
}

// ExperienceTopics lists the topics an experience may have.
func ExperienceTopics() []string { return append([]string(nil), experienceTopics...) }

// IsExperienceTopic says whether t is one of ExperienceTopics.
func IsExperienceTopic(t string) bool {
	for _, x := range experienceTopics {
		if x == t {
			return true
		}
	}
	return false
}

// Limits on an experience's fields, in characters (Unicode code points).
const (
	MaxExperienceTitle  = 200
	MaxExperienceText   = 5000
	MaxExperienceLink   = 2000
	MaxExperienceRefs   = 20
	MaxExperienceReason = 500
)

// Experience is a short account, shared by a ministry, of implementing the
// Global Code in its country. Title and Text are kept exactly as written;
// pages render them as text, never as markup. Entries are never deleted or
// edited: an admin may hide one, which is recorded as an ExperienceEvent.
type Experience struct {
	ID    int64  `json:"id"`
	ISO3  string `json:"iso3"`
	Title string `json:"title"`
	Text  string `json:"text"`
	// Date is when the experience happened (YYYY-MM-DD), not when it was
	// shared (RecordedAt).
	Date       string   `json:"date"`
	Topic      string   `json:"topic"`
	Indicators []string `json:"indicators"`
	Milestones []string `json:"milestones"`
	Link       string   `json:"link,omitempty"`
	// Author is the label of the token that shared it.
	Author     string    `json:"author"`
	TokenID    string    `json:"-"`
	RecordedAt time.Time `json:"recorded_at"`
	Hidden     bool      `json:"hidden"`
	// Version is the data version of the entry's latest state change
	// (sharing, hiding or showing again), so that a client can tell a stale
	// notice from a newer one.
	Version int64 `json:"version"`
}

// The actions recorded in an experience's history.
const (
	ExperienceCreated  = "created"
	ExperienceHidden   = "hidden"
	ExperienceUnhidden = "unhidden"
)

// ExperienceEvent is one entry of an experience's history: who did what,
// when, and why.
type ExperienceEvent struct {
	ID           int64     `json:"id"`
	ExperienceID int64     `json:"experience_id"`
	Action       string    `json:"action"`
	Actor        string    `json:"actor"`
	Reason       string    `json:"reason,omitempty"`
	Version      int64     `json:"version"`
	At           time.Time `json:"at"`
}

// ExperienceQuery selects experiences, newest shared first. Empty fields are
// open; Before (an id) pages backwards; Limit <= 0 means all.
type ExperienceQuery struct {
	Country       string
	Topic         string
	Indicator     string
	Milestone     string
	IncludeHidden bool
	Before        int64
	Limit         int
	// AsOf pins the list to a data version (0 is live): entries shared by
	// then, hidden or shown as they were then.
	AsOf int64
}

// ExperienceRefs says which indicator and milestone ids exist.
type ExperienceRefs struct {
	Country   func(iso3 string) bool
	Indicator func(id string) bool
	Milestone func(id string) bool
}

// ValidateExperience checks a shared experience: every problem is reported
// with its field. today bounds the date (an experience has happened).
func ValidateExperience(e Experience, refs ExperienceRefs, today time.Time) []FieldError {
	var errs []FieldError
	bad := func(field, format string, args ...any) {
		errs = append(errs, FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	if !refs.Country(e.ISO3) {
		bad("iso3", "unknown country %q: not a Member State of the WHO European Region", clip(e.ISO3))
	}
	textField := func(field, v string, max int, multiline bool) {
		switch n := utf8.RuneCountInString(v); {
		case strings.TrimSpace(v) == "":
			bad(field, "missing")
		case n > max:
			bad(field, "%d characters: at most %d", n, max)
		case !utf8.ValidString(v):
			bad(field, "not valid UTF-8")
		case hasControl(v, multiline):
			bad(field, "contains control or bidirectional-override characters")
		}
	}
	textField("title", e.Title, MaxExperienceTitle, false)
	textField("text", e.Text, MaxExperienceText, true)
	if d, err := time.Parse(time.DateOnly, e.Date); err != nil {
		bad("date", "%q is not a date YYYY-MM-DD", clip(e.Date))
	} else if d.Year() < MinYear || d.After(today) {
		bad("date", "%s is outside %d-01-01..%s", e.Date, MinYear, today.Format(time.DateOnly))
	}
	if !IsExperienceTopic(e.Topic) {
		bad("topic", "%q: use one of %s", clip(e.Topic), strings.Join(experienceTopics, ", "))
	}
	refList := func(field string, ids []string, known func(string) bool) {
		if len(ids) > MaxExperienceRefs {
			bad(field, "%d ids: at most %d", len(ids), MaxExperienceRefs)
			return
		}
		seen := map[string]bool{}
		for _, id := range ids {
			switch {
			case !known(id):
				bad(field, "unknown id %q", clip(id))
			case seen[id]:
				bad(field, "%q listed twice", clip(id))
			}
			seen[id] = true
		}
	}
	refList("indicators", e.Indicators, refs.Indicator)
	refList("milestones", e.Milestones, refs.Milestone)
	if len(e.Indicators) == 0 && len(e.Milestones) == 0 {
		bad("indicators", "name at least one related indicator or milestone")
	}
	if e.Link != "" {
		if msg := checkLink(e.Link); msg != "" {
			bad("link", "%s", msg)
		}
	}
	return errs
}

// checkLink accepts only absolute http and https URLs with a host: any other
// scheme (javascript:, data:, file:) could run or read something when
// followed from a page.
func checkLink(s string) string {
	if utf8.RuneCountInString(s) > MaxExperienceLink {
		return fmt.Sprintf("longer than %d characters", MaxExperienceLink)
	}
	if strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) >= 0 {
		return "must not contain spaces or control characters"
	}
	u, err := url.Parse(s)
	if err != nil {
		return "not a URL"
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return "must be an http:// or https:// address"
	}
	if u.Host == "" || u.Opaque != "" {
		return "must be an absolute http:// or https:// address with a host"
	}
	if u.User != nil {
		return "must not carry a user name or password"
	}
	return ""
}

// SafeLink says whether a stored link may be rendered as a hyperlink.
func SafeLink(s string) bool { return s != "" && checkLink(s) == "" }

// hasControl says whether s holds a character that would act on a terminal,
// a log or a page rather than show: C0 and C1 controls (NUL, ESC, DEL, …;
// tab, CR and newline only where the text is multiline) and the bidi
// embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069), which
// can make text display in another order than it is stored.
func hasControl(s string, multiline bool) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		if multiline && (r == '\n' || r == '\r' || r == '\t') {
			return false
		}
		return unicode.IsControl(r) || (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
	}) >= 0
}

// ValidateHideReason checks the reason an admin gives for hiding or showing
// an experience.
func ValidateHideReason(reason string) *FieldError {
	switch n := utf8.RuneCountInString(reason); {
	case strings.TrimSpace(reason) == "":
		return &FieldError{Field: "reason", Message: "missing: say why"}
	case n > MaxExperienceReason:
		return &FieldError{Field: "reason", Message: fmt.Sprintf("%d characters: at most %d", n, MaxExperienceReason)}
	case hasControl(reason, false):
		return &FieldError{Field: "reason", Message: "contains control or bidirectional-override characters"}
	}
	return nil
}
