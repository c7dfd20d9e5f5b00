package server

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestJSMessagesCoverScripts checks that every message key the page script
// names (T('key') or, for a key built at run time, T('group.' + …)) is in
// a group jsMessagePrefixes sends: one left out would show as ⟦key⟧.
func TestJSMessagesCoverScripts(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("..", "public", "static", "js", "*.js"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no page scripts: %v", err)
	}
	named := regexp.MustCompile(`\b(?:T|known)\(\s*'([^']+)'`)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range named.FindAllSubmatch(b, -1) {
			n++
			key := string(m[1])
			covered := false
			for _, p := range jsMessagePrefixes {
				covered = covered || strings.HasPrefix(key, p)
			}
			if !covered {
				t.Errorf("%s: message %q is in no group of jsMessagePrefixes (server/pages.go)", filepath.Base(f), key)
			}
		}
	}
	if n < 50 {
		t.Fatalf("found %d message keys in the page scripts; has T() been renamed?", n)
	}
}
