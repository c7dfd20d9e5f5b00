package indicators

import (
	"encoding/json"
	"testing"
)

// TestInformationAreas checks that every WHA64.6 information area has at
// least one indicator defined with unit, valid range and source type, and
// that the examples the issue names are in the area they belong to.
func TestInformationAreas(t *testing.T) {
	cases := []struct {
		area   Area
		id     string
		source SourceType
		unit   string
		lo, hi *float64
	}{
		{AreaStock, "HWF_0001", SourcePublished, "per 10,000 population", ptr(0.0), ptr(10000.0)},
		{AreaStock, "hwf_dnm", SourceDerived, "per 10,000 population", ptr(0.0), ptr(10000.0)},
		{AreaEducation, "MEDICALGRAD", SourcePublished, "per 100,000 population", ptr(0.0), ptr(100000.0)},
		{AreaDistribution, "dist_doctors_rural_pct", SourceSubmitted, "%", ptr(0.0), ptr(100.0)},
		{AreaMigration, "mig_doctors_foreign_trained_pct", SourceSubmitted, "%", ptr(0.0), ptr(100.0)},
		{AreaMigration, "mig_nurses_foreign_trained_pct", SourceSubmitted, "%", ptr(0.0), ptr(100.0)},
		{AreaExpenditure, "GHED_GGHE-DGGE_SHA2011", SourcePublished, "% of general government expenditure", ptr(0.0), ptr(100.0)},
		{AreaExpenditure, "GHED_CHE_pc_US_SHA2011", SourcePublished, "US$ per capita", ptr(0.0), ptr(1e6)},
	}
	for _, tc := range cases {
		t.Run(tc.id, func(t *testing.T) {
			ind, ok := Lookup(tc.id)
			if !ok {
				t.Fatalf("%s is not in the catalogue", tc.id)
			}
			if ind.Area != tc.area || ind.SourceType != tc.source || ind.Unit != tc.unit {
				t.Errorf("area %q source %q unit %q, want %q %q %q", ind.Area, ind.SourceType, ind.Unit, tc.area, tc.source, tc.unit)
			}
			lo, hi := ind.ValidRange()
			if !sameBound(lo, tc.lo) || !sameBound(hi, tc.hi) {
				t.Errorf("valid range %v..%v, want %v..%v", bound(lo), bound(hi), bound(tc.lo), bound(tc.hi))
			}
		})
	}
	count := map[Area]int{}
	for _, ind := range Catalogue() {
		count[ind.Area]++
	}
	for _, a := range InformationAreas() {
		if count[a] == 0 {
			t.Errorf("no indicator in the WHA64.6 area %q", a)
		}
	}
}

// TestCatalogueSourceTypes checks each indicator's source type against the
// rest of its definition.
func TestCatalogueSourceTypes(t *testing.T) {
	areas := map[Area]bool{"": true}
	for _, a := range InformationAreas() {
		areas[a] = true
	}
	for _, ind := range Catalogue() {
		switch {
		case !areas[ind.Area]:
			t.Errorf("%s: unknown area %q", ind.ID, ind.Area)
		case ind.Area == "" && ind.Category != CategoryCode && ind.Category != CategoryPopulation:
			// Only the Code's reporting answers and population lie outside
			// the workforce information areas.
			t.Errorf("%s (%s) has no information area", ind.ID, ind.Category)
		}
		switch ind.SourceType {
		case SourceDerived:
			if ind.Derived == nil {
				t.Errorf("%s: derived source type without a derivation", ind.ID)
			}
		case SourcePublished, SourceSubmitted:
			if ind.Derived != nil {
				t.Errorf("%s: derived, but source type %q", ind.ID, ind.SourceType)
			}
			if ind.SourceType == SourceSubmitted && !ind.Submittable {
				t.Errorf("%s: submission only, but not submittable", ind.ID)
			}
		default:
			t.Errorf("%s: source type %q", ind.ID, ind.SourceType)
		}
		if lo, _ := ind.ValidRange(); lo == nil || ind.Unit == "" {
			t.Errorf("%s: no unit or lower bound", ind.ID)
		}
	}
}

func TestIndicatorJSON(t *testing.T) {
	cases := []struct {
		id, want string
	}{
		{"dist_doctors_rural_pct", `{"min":0,"max":100}`},
		{"HWF_0001", `{"min":0,"max":10000}`},
		{"code_dna", `{"min":0,"max":1}`},
	}
	for _, tc := range cases {
		ind, _ := Lookup(tc.id)
		b, err := json.Marshal(ind)
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]json.RawMessage
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatal(err)
		}
		if string(m["valid_range"]) != tc.want || m["id"] == nil || m["source_type"] == nil {
			t.Errorf("%s: %s", tc.id, b)
		}
		if _, ok := m["information_area"]; ok != (ind.Area != "") {
			t.Errorf("%s: information_area present %v, area %q", tc.id, ok, ind.Area)
		}
	}
}

func sameBound(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

func bound(p *float64) any {
	if p == nil {
		return "open"
	}
	return *p
}
