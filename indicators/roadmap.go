package indicators

// Roadmap is the WHO/Europe Roadmap for implementing the Global Code as the
// seed documents present it: its purpose, and the documents for discussion
// each with its citation as the seeds give it. It holds only the seeds'
// wording (quotations stay in English); the aligned milestones are the rows
// of milestones.csv and are referred to by id, never repeated.
type Roadmap struct {
	Title      string `json:"title"`
	Discussion string `json:"discussion"`
	// Source is the id of the source the title and purpose come from.
	Source    string            `json:"source"`
	Purpose   RoadmapPurpose    `json:"purpose"`
	Documents []RoadmapDocument `json:"documents"`
	// MilestonesHeading is the seeds' heading for the aligned milestones.
	MilestonesHeading string          `json:"milestones_heading"`
	MilestonesSource  string          `json:"milestones_source"`
	Sources           []RoadmapSource `json:"sources"`
}

// RoadmapPurpose is the technical discussion's objectives, as quoted.
type RoadmapPurpose struct {
	Overall  []string `json:"overall_objectives"`
	Specific []string `json:"specific_objectives"`
}

// RoadmapDocument is one document of the Roadmap's discussion.
type RoadmapDocument struct {
	ID string `json:"id"`
	// Listed is the document's name in the seeds' words.
	Listed string `json:"listed_as"`
	// Citation is the citation the seeds give (for most documents, their
	// name is all the seeds give).
	Citation string `json:"citation"`
	// ListedForDiscussion is false for a document the seeds carry but do
	// not list among the "Documents for discussion".
	ListedForDiscussion bool    `json:"listed_for_discussion"`
	Quotes              []Quote `json:"quotes"`
	// Milestone is a related row of milestones.csv, whose own citation
	// gives the publication details found for it.
	Milestone string `json:"related_milestone,omitempty"`
	Note      string `json:"note,omitempty"`
	Source    string `json:"source"`
}

// Quote is a passage quoted from a source, with where it is in the source.
type Quote struct {
	Text   string `json:"text"`
	Where  string `json:"where"`
	Source string `json:"source"`
}

// RoadmapSource is one of the documents the Roadmap's content is taken
// from.
type RoadmapSource struct {
	ID       string `json:"id"`
	Citation string `json:"citation"`
	Note     string `json:"note,omitempty"`
}
