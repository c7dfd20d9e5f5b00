package server

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// TestSubmissionCodesTranslated: every problem code a submission can carry
// has a message in every language, so the form never falls back to English
// (issue 16 item 9). The codes are read from the source that emits them.
func TestSubmissionCodesTranslated(t *testing.T) {
	emit := regexp.MustCompile(`(?:Problem|bad|bodyProblem)\(\s*(?:[^,()]|\([^()]*\))+,\s*"([a-z0-9_]+)"`)
	codes := map[string]bool{}
	for _, file := range []string{"submit.go", "submit_xlsx.go", "observations.go", "../indicators/validate.go"} {
		src, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range emit.FindAllStringSubmatch(string(src), -1) {
			codes[m[1]] = true
		}
	}
	if len(codes) < 43 {
		t.Fatalf("found %d codes: the pattern no longer matches the source", len(codes))
	}
	langs, _ := filepath.Glob("../public/i18n/*.json")
	for _, p := range langs {
		var msgs map[string]string
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &msgs); err != nil {
			t.Fatal(err)
		}
		for code := range codes {
			if msgs["submit.err."+code] == "" {
				t.Errorf("%s: no submit.err.%s", filepath.Base(p), code)
			}
		}
	}
}

func TestReportOnceByRow(t *testing.T) {
	p := func(row int, field, msg string) indicators.FieldError {
		return indicators.FieldError{Row: row, Field: field, Message: msg}
	}
	got := report([]indicators.FieldError{p(2, "value", "a"), p(1, "iso3", "b"), p(2, "value", "a"), p(1, "iso3", "c"), p(0, "body", "d")})
	want := []indicators.FieldError{p(0, "body", "d"), p(1, "iso3", "b"), p(1, "iso3", "c"), p(2, "value", "a")}
	if len(got) != len(want) {
		t.Fatalf("%+v, want %+v", got, want)
	}
	for i := range want {
		if got[i].Row != want[i].Row || got[i].Message != want[i].Message {
			t.Fatalf("%+v, want %+v", got, want)
		}
	}
	if report(nil) != nil {
		t.Fatal("no problems must be nil")
	}
}
