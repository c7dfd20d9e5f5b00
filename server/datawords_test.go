package server_test

import (
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/public"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

// TestDataNotesInEveryLanguage: hwfdash's words kept with the data read in
// every page language: a shipped series' vintage, the last part of every
// source line (series_citations.csv: indicators.VintageKey), the notes on
// the roadmap's documents and sources (roadmap.json:
// roadmap.note.<documents|sources>.<id>) and on how a milestone's citation
// was read (milestone_citations.csv: ms.<id>.verification), a submitted
// indicator's source note (indicators.SourceKeys). Each has a
// message whose English is the file's own text and which the other
// languages translate.
func TestDataNotesInEveryLanguage(t *testing.T) {
	msgs, err := public.LoadMessages(nil)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := seeddata.Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := seeddata.Roadmap(ds.Milestones)
	if err != nil {
		t.Fatal(err)
	}
	notes := map[string]string{}
	for _, d := range r.Documents {
		if d.Note != "" {
			notes["roadmap.note.documents."+d.ID] = d.Note
		}
	}
	for _, s := range r.Sources {
		if s.Note != "" {
			notes["roadmap.note.sources."+s.ID] = s.Note
		}
	}
	for _, c := range ds.SeriesCitations {
		notes[indicators.VintageKey(c.Vintage)] = c.Vintage
	}
	for _, m := range ds.Milestones {
		if m.VerificationNote != "" {
			notes["ms."+m.ID+".verification"] = m.VerificationNote
		}
	}
	for _, ind := range indicators.Catalogue() {
		if ind.SourceType == indicators.SourceSubmitted {
			key, ok := indicators.SourceKeys[ind.Source]
			if !ok {
				t.Errorf("%s: its source note has no message (indicators.SourceKeys)", ind.ID)
				continue
			}
			notes[key] = ind.Source
		}
	}
	if len(notes) < 25 {
		t.Fatalf("%d notes: the vintages, the roadmap's or the milestones' notes were not read", len(notes))
	}
	for key, english := range notes {
		if got := msgs.T("en", key); got != english {
			t.Errorf("%s is %q in English, the data says %q", key, got, english)
		}
		for _, lang := range public.Languages()[1:] {
			if got := msgs.Optional(lang, key, ""); got == "" || got == english {
				t.Errorf("%s: %s is not translated", lang, key)
			}
		}
	}
}
