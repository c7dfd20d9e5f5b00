package importer

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"testing"

	"github.com/hwfdash/hwfdash/public"
)

// TestImportCodesTranslated: every code a rejected or ignored row can carry
// is declared, and has a message in every language of the pages that names
// only the parameters the code gives, so the import page never falls back
// to English nor shows an unfilled {place}. The codes emitted are read from
// the source that emits them.
func TestImportCodesTranslated(t *testing.T) {
	emit := regexp.MustCompile(`problem\(\s*(?:(?:[^,()]|\([^()]*\))+,\s*){3}"([a-z0-9_]+)"`)
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	emitted := 0
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range emit.FindAllStringSubmatch(string(src), -1) {
			emitted++
			if _, ok := ProblemCodes[m[1]]; !ok {
				t.Errorf("%s emits the undeclared code %q", f, m[1])
			}
		}
	}
	if emitted < 15 {
		t.Fatalf("found %d problems emitted: the pattern no longer matches the source", emitted)
	}
	msgs, err := public.LoadMessages(nil)
	if err != nil {
		t.Fatal(err)
	}
	place := regexp.MustCompile(`\{(\w+)\}`)
	for _, set := range []struct {
		prefix string
		codes  map[string][]string
	}{{"import.err.", ProblemCodes}, {"import.why.", WhyCodes}} {
		for code, names := range set.codes {
			key := set.prefix + code
			for _, lang := range public.Languages() {
				text := msgs.Optional(lang, key, "")
				if text == "" {
					t.Errorf("%s: no %s", lang, key)
					continue
				}
				for _, m := range place.FindAllStringSubmatch(text, -1) {
					if m[1] != "value" && !slices.Contains(names, m[1]) {
						t.Errorf("%s: %s names {%s}, which %s does not give", lang, key, m[1], code)
					}
				}
			}
		}
	}
}
