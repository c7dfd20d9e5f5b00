package indicators

import (
	"strings"
	"testing"
	"time"
)

func TestSafeLink(t *testing.T) {
	cases := []struct {
		link string
		ok   bool
	}{
		{"https://example.org/a?b=c#d", true},
		{"http://example.org", true},
		{"HTTPS://Example.org/", true},
		{"javascript:alert(1)", false},
		{"JaVaScRiPt:alert(1)", false},
		{"data:text/html,x", false},
		{"vbscript:x", false},
		{"file:///etc/passwd", false},
		{"//example.org", false},
		{"/relative", false},
		{"https:example.org", false},
		{"https:///nohost", false},
		{"https://user:pw@example.org", false},
		{"https://example.org/a b", false},
		{"https://example.org/\u0000", false},
		{" https://example.org", false},
		{"https://example.org/" + strings.Repeat("a", MaxExperienceLink), false},
		{"", false},
	}
	for _, tc := range cases {
		if got := SafeLink(tc.link); got != tc.ok {
			t.Errorf("SafeLink(%q) = %v, want %v", tc.link, got, tc.ok)
		}
	}
}

func TestValidateExperience(t *testing.T) {
	refs := ExperienceRefs{
		Country:   func(c string) bool { return c == "AUT" },
		Indicator: func(id string) bool { return id == "HWF_0001" },
		Milestone: func(id string) bool { return id == "G01" },
	}
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	good := Experience{ISO3: "AUT", Title: "T", Text: "line 1\nline 2\ttab", Date: "2026-11-30", Topic: "retention", Milestones: []string{"G01"}}
	if errs := ValidateExperience(good, refs, today); errs != nil {
		t.Fatalf("good entry: %v", errs)
	}
	cases := []struct {
		name  string
		edit  func(*Experience)
		field string
	}{
		{"country", func(e *Experience) { e.ISO3 = "USA" }, "iso3"},
		{"title blank", func(e *Experience) { e.Title = " \n " }, "title"},
		{"title newline", func(e *Experience) { e.Title = "a\nb" }, "title"},
		{"title 201 runes", func(e *Experience) { e.Title = strings.Repeat("ж", 201) }, "title"},
		{"text NUL", func(e *Experience) { e.Text = "a\x00b" }, "text"},
		{"text 5001 runes", func(e *Experience) { e.Text = strings.Repeat("a", 5001) }, "text"},
		{"date tomorrow", func(e *Experience) { e.Date = "2026-12-01" }, "date"},
		{"date format", func(e *Experience) { e.Date = "2026-1-5" }, "date"},
		{"date before 1950", func(e *Experience) { e.Date = "1949-12-31" }, "date"},
		{"topic", func(e *Experience) { e.Topic = "Retention" }, "topic"},
		{"no refs", func(e *Experience) { e.Milestones = nil }, "indicators"},
		{"unknown indicator", func(e *Experience) { e.Indicators = []string{"X"} }, "indicators"},
		{"unknown milestone", func(e *Experience) { e.Milestones = []string{"G99"} }, "milestones"},
		{"too many refs", func(e *Experience) { e.Milestones = make([]string, MaxExperienceRefs+1) }, "milestones"},
		{"link scheme", func(e *Experience) { e.Link = "javascript:x" }, "link"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := good
			tc.edit(&e)
			errs := ValidateExperience(e, refs, today)
			if len(errs) != 1 || errs[0].Field != tc.field {
				t.Fatalf("errors %v, want one on %q", errs, tc.field)
			}
		})
	}
	if fe := ValidateHideReason(""); fe == nil || fe.Field != "reason" {
		t.Errorf("empty reason: %v", fe)
	}
	if fe := ValidateHideReason("duplicate"); fe != nil {
		t.Errorf("good reason: %v", fe)
	}
}
