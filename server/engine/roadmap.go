package engine

import (
	"context"
	"net/url"

	"github.com/hwfdash/hwfdash/indicators"
)

// RoadmapResult is the answer to /api/v1/roadmap: the Roadmap document as the
// seeds give it, with each related milestone resolved, and the aligned
// global and European milestones with their live regional status.
type RoadmapResult struct {
	Version  int64              `json:"version"`
	Roadmap  RoadmapView        `json:"roadmap"`
	Global   []RoadmapMilestone `json:"global_milestones"`
	European []RoadmapMilestone `json:"european_milestones"`
	Timeline string             `json:"timeline"`          // the page with every milestone on one time axis
	Areas    string             `json:"information_areas"` // the indicators grouped by WHA64.6 area
}

// RoadmapView is the Roadmap document with its related milestones resolved.
type RoadmapView struct {
	indicators.Roadmap
	Documents []RoadmapDocumentView `json:"documents"`
}

// RoadmapDocumentView is a document of the discussion with its related
// milestone's own title and citation.
type RoadmapDocumentView struct {
	indicators.RoadmapDocument
	Related *RelatedMilestone `json:"related_milestone,omitempty"`
}

// RelatedMilestone is a milestones.csv row a document refers to.
type RelatedMilestone struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Year     *int   `json:"year"`
	Citation string `json:"source_citation"`
}

// RoadmapMilestone is an aligned milestone on the Roadmap: where it is
// measured, the indicator page that charts it and its regional status.
type RoadmapMilestone struct {
	ID       string `json:"id"`
	Scope    string `json:"scope"`
	Year     *int   `json:"year"`
	Title    string `json:"title"`
	Citation string `json:"source_citation"`
	// MeasuredBy is the indicator the milestone is measured on, nil for a
	// dated commitment without a numeric target.
	MeasuredBy *indicators.Measure `json:"measured_by"`
	// Href is the page that charts the milestone: its indicator's explorer,
	// or the milestones time axis where nothing measures it.
	Href   string         `json:"href"`
	Status *RoadmapStatus `json:"status"`
}

// RoadmapStatus is the regional status of a measured milestone.
type RoadmapStatus struct {
	Status indicators.Status         `json:"status"`
	Reason string                    `json:"reason"`
	Why    *indicators.Why           `json:"why,omitempty"` // Reason, to be said in the page's language
	Counts map[indicators.Status]int `json:"counts"`
	Total  int                       `json:"total"`
	// Met is Counts["met"]: the Member States that meet the milestone;
	// for a reporting round, the yes answers received by hwfdash.
	Met int `json:"met"`
	// Counted is false for a list membership, whose status is not a
	// count of Member States meeting something.
	Counted bool `json:"counted"`
}

// Roadmap is the Roadmap document with its milestones' live status.
func (e *Engine) Roadmap(ctx context.Context, version int64) (*RoadmapResult, error) {
	doc := e.ref.Roadmap
	if doc == nil {
		return nil, notFound("roadmap", "no Roadmap document is loaded")
	}
	ms, err := e.Milestones(ctx, version)
	if err != nil {
		return nil, err
	}
	res := &RoadmapResult{Version: version, Roadmap: RoadmapView{Roadmap: *doc}, Global: []RoadmapMilestone{},
		European: []RoadmapMilestone{}, Timeline: "/milestones", Areas: "/indicators"}
	for _, d := range doc.Documents {
		v := RoadmapDocumentView{RoadmapDocument: d}
		if m, ok := e.ref.MilestoneByID[d.Milestone]; ok {
			v.Related = &RelatedMilestone{ID: m.ID, Title: m.Title, Year: m.Year, Citation: m.Citation}
		}
		res.Roadmap.Documents = append(res.Roadmap.Documents, v)
	}
	for _, m := range ms.Milestones {
		rm := RoadmapMilestone{ID: m.ID, Scope: m.Scope, Year: m.Year, Title: m.Title, Citation: m.Citation,
			MeasuredBy: m.Measure, Href: "/milestones"}
		if m.Measure != nil {
			rm.Href = "/indicators/" + url.PathEscape(m.Measure.Indicator)
		}
		if m.Region != nil {
			rm.Status = &RoadmapStatus{Status: m.Region.Status, Reason: m.Region.Reason, Why: m.Region.Why, Counts: m.Region.Counts, Total: m.Region.Total,
				Met: m.Region.Counts[indicators.StatusMet] + m.Region.Counts[indicators.StatusReceivedYes], Counted: m.Type != indicators.MilestoneList}
		}
		if m.Scope == "europe" {
			res.European = append(res.European, rm)
		} else {
			res.Global = append(res.Global, rm)
		}
	}
	return res, nil
}
