package engine

import (
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
)

// TestEveryUnitReadsInEveryLanguage: a unit the catalogue uses, shown on the
// indicator list, an axis and a table, has a message (other languages are
// held to the English keys by public's own test); "%" needs none.
func TestEveryUnitReadsInEveryLanguage(t *testing.T) {
	msgs, err := public.LoadMessages(nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, ind := range indicators.Catalogue() {
		if ind.Unit == "%" {
			continue
		}
		key, ok := unitKeys[ind.Unit]
		if !ok {
			t.Errorf("%s: unit %q has no message", ind.ID, ind.Unit)
			continue
		}
		if got := msgs.T("en", key); got != ind.Unit {
			t.Errorf("%s: %s is %q in English, the catalogue says %q", ind.ID, key, got, ind.Unit)
		}
		if msgs.T("fr", key) == ind.Unit {
			t.Errorf("%s: %s is the English %q in French", ind.ID, key, ind.Unit)
		}
	}
}
