package server_test

import (
	"net/http"
	"strings"
	"testing"
)

// roadmapAnswer is the part of /api/v1/roadmap the tests read.
type roadmapAnswer struct {
	Version int64 `json:"version"`
	Roadmap struct {
		Title   string `json:"title"`
		Purpose struct {
			Overall  []string `json:"overall_objectives"`
			Specific []string `json:"specific_objectives"`
		} `json:"purpose"`
		Documents []struct {
			ID       string `json:"id"`
			Listed   string `json:"listed_as"`
			Citation string `json:"citation"`
			Related  *struct {
				ID       string `json:"id"`
				Title    string `json:"title"`
				Citation string `json:"source_citation"`
			} `json:"related_milestone"`
		} `json:"documents"`
	} `json:"roadmap"`
	Global   []roadmapMilestone `json:"global_milestones"`
	European []roadmapMilestone `json:"european_milestones"`
}

type roadmapMilestone struct {
	ID         string `json:"id"`
	Scope      string `json:"scope"`
	Citation   string `json:"source_citation"`
	Href       string `json:"href"`
	MeasuredBy *struct {
		Indicator string `json:"indicator"`
	} `json:"measured_by"`
	Status *struct {
		Status string `json:"status"`
		Met    int    `json:"met"`
		Total  int    `json:"total"`
	} `json:"status"`
}

func (r roadmapAnswer) milestone(id string) (roadmapMilestone, bool) {
	for _, m := range append(append([]roadmapMilestone{}, r.Global...), r.European...) {
		if m.ID == id {
			return m, true
		}
	}
	return roadmapMilestone{}, false
}

// TestRoadmapAPI checks the Roadmap's documents with their citations, the
// milestones split by scope and linked to what measures them, and that a
// submission moves a measured milestone's status.
func TestRoadmapAPI(t *testing.T) {
	a := startApp(t, appOptions{})
	var r roadmapAnswer
	resp := getJSON(t, a.URL+"/api/v1/roadmap", &r)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("ETag") == "" {
		t.Fatalf("status %d, ETag %q", resp.StatusCode, resp.Header.Get("ETag"))
	}
	if r.Roadmap.Title == "" || len(r.Roadmap.Purpose.Overall) == 0 || len(r.Roadmap.Purpose.Specific) == 0 {
		t.Fatalf("title or purpose missing: %+v", r.Roadmap)
	}
	docs := []struct{ id, related, relatedTitle string }{
		{"roadmap", "E07", "Roadmap: implementing the WHO Global Code of Practice in the European Region"},
		{"toolkit", "", ""},
		{"policy_brief", "E08", "RC62 Technical Briefing 2"},
		{"wha63_16", "G01", "resolution WHA63.16"},
		{"wha64_6", "", ""},
	}
	if len(r.Roadmap.Documents) != len(docs) {
		t.Fatalf("%d documents, want %d", len(r.Roadmap.Documents), len(docs))
	}
	for i, want := range docs {
		d := r.Roadmap.Documents[i]
		switch {
		case d.ID != want.id || d.Citation == "" || d.Listed == "":
			t.Errorf("document %d: %+v, want %s with a citation", i, d, want.id)
		case want.related == "" && d.Related != nil:
			t.Errorf("%s: unexpected related milestone %+v", d.ID, d.Related)
		case want.related != "" && (d.Related == nil || d.Related.ID != want.related ||
			!strings.Contains(d.Related.Title, want.relatedTitle) || d.Related.Citation == ""):
			t.Errorf("%s: related milestone %+v, want %s", d.ID, d.Related, want.related)
		}
	}
	var all struct {
		Milestones []struct {
			ID    string `json:"id"`
			Scope string `json:"scope"`
		} `json:"milestones"`
	}
	getJSON(t, a.URL+"/api/v1/milestones", &all)
	if len(r.Global)+len(r.European) != len(all.Milestones) {
		t.Fatalf("%d+%d milestones on the roadmap, %d in /milestones", len(r.Global), len(r.European), len(all.Milestones))
	}
	for _, m := range r.Global {
		if m.Scope != "global" {
			t.Errorf("%s in the global list has scope %q", m.ID, m.Scope)
		}
	}
	for _, m := range r.European {
		if m.Scope != "europe" {
			t.Errorf("%s in the European list has scope %q", m.ID, m.Scope)
		}
	}
	links := []struct {
		id, href, status string
	}{
		{"G14", "/indicators/hwf_dnm", ""},
		{"G09", "/indicators/code_nri_report", "no_data"},
		{"E07", "/milestones", ""},
		{"G19", "/milestones", ""},
	}
	for _, want := range links {
		m, ok := r.milestone(want.id)
		switch {
		case !ok:
			t.Errorf("%s missing", want.id)
		case m.Href != want.href || m.Citation == "":
			t.Errorf("%s: href %q citation %q, want href %q", want.id, m.Href, m.Citation, want.href)
		case (m.MeasuredBy != nil) != (m.Status != nil) || (m.MeasuredBy != nil) != strings.HasPrefix(m.Href, "/indicators/"):
			t.Errorf("%s: measured_by %+v but status %+v", want.id, m.MeasuredBy, m.Status)
		case want.status != "" && m.Status.Status != want.status:
			t.Errorf("%s: status %q, want %q", want.id, m.Status.Status, want.status)
		}
	}
	if status, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "code_nri_report", ISO3: "AUT", Year: 2024, Value: 1, Source: "roadmap test"}); status != http.StatusCreated {
		t.Fatalf("submit: %d", status)
	}
	var after roadmapAnswer
	getJSON(t, a.URL+"/api/v1/roadmap", &after)
	if m, _ := after.milestone("G09"); m.Status == nil || m.Status.Met != 1 || m.Status.Status == "no_data" || after.Version <= r.Version {
		t.Fatalf("after a round 5 report: G09 %+v, version %d (was %d)", m.Status, after.Version, r.Version)
	}
	if etag := getJSON(t, a.URL+"/api/v1/roadmap", nil).Header.Get("ETag"); etag == resp.Header.Get("ETag") {
		t.Fatalf("the ETag %s did not change with the milestone's data", etag)
	}
}

// TestInformationAreasAPI checks, for each WHA64.6 information area, that
// the catalogue answer carries the area, unit, valid range and source type,
// and that the source type is honest: a published series has shipped data,
// a submission-only indicator has none until a ministry submits.
func TestInformationAreasAPI(t *testing.T) {
	a := startApp(t, appOptions{})
	var cat struct {
		Indicators []struct {
			ID         string `json:"id"`
			Unit       string `json:"unit"`
			Area       string `json:"information_area"`
			SourceType string `json:"source_type"`
			Range      *struct {
				Min *float64 `json:"min"`
				Max *float64 `json:"max"`
			} `json:"valid_range"`
		} `json:"indicators"`
	}
	getJSON(t, a.URL+"/api/v1/indicators", &cat)
	byArea := map[string]int{}
	for _, ind := range cat.Indicators {
		if ind.Unit == "" || ind.Range == nil || ind.Range.Min == nil || ind.SourceType == "" {
			t.Errorf("%s: unit %q, range %+v, source type %q", ind.ID, ind.Unit, ind.Range, ind.SourceType)
		}
		byArea[ind.Area]++
		var data struct {
			Rows []any `json:"rows"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/"+ind.ID+"/data", &data)
		switch ind.SourceType {
		case "published", "derived":
			if len(data.Rows) == 0 {
				t.Errorf("%s: %s, but no data ships", ind.ID, ind.SourceType)
			}
		case "submitted":
			if len(data.Rows) != 0 {
				t.Errorf("%s: submission only, but %d rows ship", ind.ID, len(data.Rows))
			}
		default:
			t.Errorf("%s: source type %q", ind.ID, ind.SourceType)
		}
	}
	cases := []struct {
		area, id, source string
		max              *float64
	}{
		{"stock", "HWF_0001", "published", ptrTo(10000.0)},
		{"education_training", "MEDICALGRAD", "published", ptrTo(100000.0)},
		{"distribution", "dist_doctors_rural_pct", "submitted", ptrTo(100.0)},
		{"migration", "mig_doctors_foreign_trained_pct", "submitted", ptrTo(100.0)},
		{"expenditure", "GHED_GGHE-DGGE_SHA2011", "published", ptrTo(100.0)},
	}
	for _, tc := range cases {
		t.Run(tc.area, func(t *testing.T) {
			if byArea[tc.area] == 0 {
				t.Fatalf("no indicator in %s", tc.area)
			}
			var one struct {
				Indicator struct {
					Area       string `json:"information_area"`
					SourceType string `json:"source_type"`
					Range      struct {
						Min *float64 `json:"min"`
						Max *float64 `json:"max"`
					} `json:"valid_range"`
				} `json:"indicator"`
			}
			getJSON(t, a.URL+"/api/v1/indicators/"+tc.id, &one)
			got := one.Indicator
			if got.Area != tc.area || got.SourceType != tc.source || got.Range.Min == nil || *got.Range.Min != 0 ||
				(got.Range.Max == nil) != (tc.max == nil) || (tc.max != nil && *got.Range.Max != *tc.max) {
				t.Fatalf("%s: %+v", tc.id, got)
			}
		})
	}
	// A value outside the valid range is refused, naming the field.
	var bad struct {
		Errors []struct {
			Field string `json:"field"`
		} `json:"errors"`
	}
	resp := call(t, http.MethodPost, a.URL+"/api/v1/observations", adminToken, "application/json",
		mustJSON([]obsRow{{Indicator: "dist_doctors_rural_pct", ISO3: "AUT", Year: 2023, Value: 120, Source: "test"}}), &bad)
	if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnprocessableEntity || len(bad.Errors) != 1 || bad.Errors[0].Field != "value" {
		t.Fatalf("120%% of doctors: %d %+v", resp.StatusCode, bad)
	}
}

func ptrTo[T any](v T) *T { return &v }

// TestAreaPages checks the pages: /indicators grouped by area, an indicator
// without data inviting a submission (and one with data not), the form
// preselecting the indicator, and the Roadmap page with its documents.
func TestAreaPages(t *testing.T) {
	a := startApp(t, appOptions{})
	cases := []struct {
		path      string
		status    int
		want, not []string
	}{
		{"/indicators", 200, []string{`data-area="stock"`, `data-area="education_training"`, `data-area="distribution"`,
			`data-area="migration"`, `data-area="expenditure"`, `/indicators/dist_doctors_rural_pct?`}, nil},
		{"/indicators/dist_doctors_rural_pct", 200, []string{`class="no-data"`, `href="/submit?indicator=dist_doctors_rural_pct&amp;lang=en"`,
			"No data submitted yet", `data-awaiting="true" hidden`, "0–100"}, nil},
		{"/indicators/dist_doctors_rural_pct?lang=fr", 200, []string{"Aucune donnée transmise pour l&#39;instant"}, nil},
		{"/indicators/MEDICALGRAD", 200, []string{`data-area="education_training"`, `data-source-type="published"`}, []string{`class="no-data"`, "data-awaiting"}},
		{"/submit?indicator=mig_nurses_foreign_trained_pct", 200, []string{`class="selected-indicator" data-indicator="mig_nurses_foreign_trained_pct"`,
			",mig_nurses_foreign_trained_pct,,,", `aria-current="true"><code>mig_nurses_foreign_trained_pct`}, nil},
		{"/submit?indicator=hwf_dnm", 400, []string{`"field":"indicator"`}, nil},
		{"/submit?indicator=nope", 400, []string{`"field":"indicator"`}, nil},
		{"/roadmap", 200, []string{`data-doc="roadmap"`, `data-doc="toolkit"`, `data-doc="policy_brief"`, `data-doc="wha63_16"`,
			`data-doc="wha64_6"`, `<tr id="ms-G14" data-id="G14">`, `href="/indicators/hwf_dnm?lang=en"`, `aria-current="page">Roadmap`,
			`lang="en">Resolution WHA63.16`}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			resp, body := getPage(t, a.URL+tc.path)
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("lacks %q", w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(body, n) {
					t.Errorf("has %q", n)
				}
			}
			if resp.StatusCode == http.StatusOK {
				checkPageHeaders(t, resp)
				checkNoInlineCode(t, body)
			}
		})
	}
}
