package server_test

import (
	"testing"

	"github.com/hwfdash/hwfdash/public"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

// TestRoadmapNotesInEveryLanguage: hwfdash's notes on the roadmap's
// documents and sources (roadmap.json) read in every page language: each
// has a message, roadmap.note.<documents|sources>.<id>, whose English is
// the file's own text and which the other languages translate.
func TestRoadmapNotesInEveryLanguage(t *testing.T) {
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
	if len(notes) < 6 {
		t.Fatalf("%d notes: the roadmap's notes were not read", len(notes))
	}
	for key, english := range notes {
		if got := msgs.T("en", key); got != english {
			t.Errorf("%s is %q in English, roadmap.json says %q", key, got, english)
		}
		for _, lang := range public.Languages()[1:] {
			if got := msgs.Optional(lang, key, ""); got == "" || got == english {
				t.Errorf("%s: %s is not translated", lang, key)
			}
		}
	}
}
