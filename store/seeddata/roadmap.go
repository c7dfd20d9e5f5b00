package seeddata

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/hwfdash/hwfdash/indicators"
)

// roadmapFile is the project's own summary of the seed documents on the
// WHO/Europe Roadmap (see README.md). It is not seed data for the store, so
// it is outside the dataset hash: editing it does not re-seed anything.
//
//go:embed roadmap.json
var roadmapFile []byte

// Roadmap parses the embedded roadmap.json and checks it against the
// milestones it refers to.
func Roadmap(milestones []indicators.Milestone) (*indicators.Roadmap, error) {
	return parseRoadmap(roadmapFile, milestones)
}

func parseRoadmap(b []byte, milestones []indicators.Milestone) (*indicators.Roadmap, error) {
	var r indicators.Roadmap
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil {
		return nil, fmt.Errorf("seeddata: roadmap.json: %w", err)
	}
	known := map[string]bool{}
	for _, m := range milestones {
		known[m.ID] = true
	}
	sources := map[string]bool{}
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("seeddata: roadmap.json: "+format, args...))
	}
	for i, s := range r.Sources {
		if s.ID == "" || strings.TrimSpace(s.Citation) == "" {
			bad("sources[%d]: id and citation are required", i)
		}
		sources[s.ID] = true
	}
	checkSource := func(where, id string) {
		if !sources[id] {
			bad("%s: source %q is not in sources", where, id)
		}
	}
	if r.Title == "" || r.Discussion == "" || len(r.Purpose.Overall) == 0 || len(r.Purpose.Specific) == 0 {
		bad("title, discussion and both lists of objectives are required")
	}
	checkSource("roadmap", r.Source)
	checkSource("milestones_source", r.MilestonesSource)
	ids := map[string]bool{}
	for i, d := range r.Documents {
		where := fmt.Sprintf("documents[%d] (%s)", i, d.ID)
		if d.ID == "" || ids[d.ID] {
			bad("%s: id missing or repeated", where)
		}
		ids[d.ID] = true
		if strings.TrimSpace(d.Listed) == "" || strings.TrimSpace(d.Citation) == "" {
			bad("%s: listed_as and citation are required", where)
		}
		checkSource(where, d.Source)
		if d.Milestone != "" && !known[d.Milestone] {
			bad("%s: related_milestone %q is not in milestones.csv", where, d.Milestone)
		}
		if d.Quotes == nil {
			r.Documents[i].Quotes = []indicators.Quote{}
		}
		for j, q := range d.Quotes {
			if strings.TrimSpace(q.Text) == "" || q.Where == "" {
				bad("%s quotes[%d]: text and where are required", where, j)
			}
			checkSource(fmt.Sprintf("%s quotes[%d]", where, j), q.Source)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return &r, nil
}
