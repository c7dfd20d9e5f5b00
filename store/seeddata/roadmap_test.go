package seeddata

import (
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// TestRoadmap checks the shipped Roadmap document: the documents for
// discussion in the seeds' order, each with a citation, and every related
// milestone present in milestones.csv.
func TestRoadmap(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	r, err := Roadmap(ds.Milestones)
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id, listed, milestone string
		forDiscussion         bool
	}{
		{"roadmap", "WHO Europe Roadmap “Action toward a sustainable health workforce”", "E07", true},
		{"toolkit", "Toolkit for strengthening country health workforce", "", true},
		{"policy_brief", "Policy brief “Implementing the Code”", "E08", true},
		{"wha63_16", "Resolution WHA63.16", "G01", true},
		{"wha64_6", "Resolution WHA64.6", "", false},
	}
	if len(r.Documents) != len(want) {
		t.Fatalf("%d documents, want %d", len(r.Documents), len(want))
	}
	for i, w := range want {
		d := r.Documents[i]
		if d.ID != w.id || d.Listed != w.listed || d.Milestone != w.milestone || d.ListedForDiscussion != w.forDiscussion || d.Citation == "" {
			t.Errorf("document %d: %+v, want %+v", i, d, w)
		}
	}
	// WHA64.6's information areas are quoted, since the catalogue is
	// organised by them.
	var areas bool
	for _, q := range r.Documents[4].Quotes {
		areas = areas || strings.Contains(q.Text, "stock, education and training capacity, distribution, migration and expenditures")
	}
	if !areas {
		t.Error("WHA64.6 paragraph 1(9) is not quoted")
	}
	if len(r.Purpose.Overall) != 2 || len(r.Purpose.Specific) != 3 {
		t.Errorf("objectives: %d overall, %d specific", len(r.Purpose.Overall), len(r.Purpose.Specific))
	}
}

func TestRoadmapErrors(t *testing.T) {
	ms := []indicators.Milestone{{ID: "E07"}}
	base := `{"title":"T","discussion":"D","source":"s","milestones_heading":"H","milestones_source":"s",
	  "purpose":{"overall_objectives":["a"],"specific_objectives":["b"]},
	  "sources":[{"id":"s","citation":"C"}],
	  "documents":[%s]}`
	cases := []struct {
		name, doc, want string
	}{
		{"valid", `{"id":"r","listed_as":"R","citation":"R","source":"s","related_milestone":"E07"}`, ""},
		{"unknown milestone", `{"id":"r","listed_as":"R","citation":"R","source":"s","related_milestone":"G99"}`, `related_milestone "G99"`},
		{"no citation", `{"id":"r","listed_as":"R","citation":" ","source":"s"}`, "citation are required"},
		{"unknown source", `{"id":"r","listed_as":"R","citation":"R","source":"x"}`, `source "x"`},
		{"quote without where", `{"id":"r","listed_as":"R","citation":"R","source":"s","quotes":[{"text":"q","source":"s"}]}`, "text and where"},
		{"repeated id", `{"id":"r","listed_as":"R","citation":"R","source":"s"},{"id":"r","listed_as":"R","citation":"R","source":"s"}`, "repeated"},
		{"unknown field", `{"id":"r","listed_as":"R","citation":"R","source":"s","year":2012}`, "unknown field"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseRoadmap([]byte(strings.Replace(base, "%s", tc.doc, 1)), ms)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
		})
	}
}
