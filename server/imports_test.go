package server_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/hwfdash/hwfdash/importer"
	"github.com/hwfdash/hwfdash/indicators"
)

// importIndicator is what the OECD HEALTH_WFMI mapping's FTRAIN_PHYS_SH
// series maps to.
const importIndicator = "mig_doctors_foreign_trained_pct"

// importReview is the part of POST /api/v1/admin/imports's answer the tests
// read.
type importReview struct {
	SHA256      string `json:"sha256"`
	BaseVersion int64  `json:"base_version"`
	Rows        int    `json:"rows"`
	Tally       struct {
		New, Changed, Unchanged, Ignored, Rejected int
	} `json:"tally"`
	Changes []struct {
		Kind string                 `json:"kind"`
		New  indicators.Observation `json:"new"`
	} `json:"changes"`
	Rejected []importer.Problem  `json:"rejected"`
	Ignored  []importer.Ignored  `json:"ignored"`
	Applied  bool                `json:"applied"`
	Revision indicators.Revision `json:"revision"`
	Message  string              `json:"message"`
	Error    string              `json:"error"`
	Field    string              `json:"field"`
}

// wfmiCSV writes an OECD HEALTH_WFMI SDMX-CSV export: the share of
// foreign-trained doctors for each country and year given (value = base +
// the row's index), and one row for New Zealand, which is not a Member
// State of the WHO European Region.
func wfmiCSV(countries []string, years []int, base float64) []byte {
	var b strings.Builder
	b.WriteString("DATAFLOW,REF_AREA,FREQ,MEASURE,UNIT_MEASURE,TIME_PERIOD,OBS_VALUE,OBS_STATUS\n")
	const flow = "OECD.ELS.HD:DSD_HEALTH_WFMI@DF_HEALTH_WFMI(1.0)"
	i := 0
	for _, c := range countries {
		for _, y := range years {
			fmt.Fprintf(&b, "%s,%s,A,FTRAIN_PHYS_SH,PT_PHYS,%d,%s,A\n", flow, c, y, strconv.FormatFloat(base+float64(i%50)/10, 'f', -1, 64))
			i++
		}
	}
	fmt.Fprintf(&b, "%s,NZL,A,FTRAIN_PHYS_SH,PT_PHYS,2021,42.5,A\n", flow)
	return []byte(b.String())
}

func postImport(t testing.TB, base, token, query string, body []byte) (int, importReview) {
	t.Helper()
	var r importReview
	resp := call(t, http.MethodPost, base+"/api/v1/admin/imports?"+query, token, "text/csv", body, &r)
	return resp.StatusCode, r
}

func storeVersion(t testing.TB, a *app) int64 {
	t.Helper()
	v, err := a.Store.Version(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestImportAPI reviews, applies and re-applies a file through the API,
// and checks that every refused request changes nothing.
func TestImportAPI(t *testing.T) {
	a := startApp(t, appOptions{})
	file := wfmiCSV([]string{"AUT", "DEU", "FRA"}, []int{2021}, 20)
	_, ministry := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	ws := dialWS(t, a.URL, nil)
	ws.subscribe("indicator:"+importIndicator, "country:AUT", "country:DEU", "country:MLT")

	for _, tc := range []struct {
		name, token string
		want        int
	}{{"no token", "", http.StatusUnauthorized}, {"ministry token", ministry, http.StatusForbidden}} {
		t.Run(tc.name+" is refused", func(t *testing.T) {
			if st, _ := postImport(t, a.URL, tc.token, "format=sdmx-csv&apply=true", file); st != tc.want {
				t.Fatalf("status %d, want %d", st, tc.want)
			}
			for _, path := range []string{"/api/v1/admin/imports", "/api/v1/admin/imports/progress/p1"} {
				if resp := call(t, http.MethodGet, a.URL+path, tc.token, "", nil, nil); resp.StatusCode != tc.want {
					t.Fatalf("GET %s: status %d, want %d", path, resp.StatusCode, tc.want)
				}
			}
		})
	}
	t.Run("body over the limit is 413", func(t *testing.T) {
		if st := postOversized(t, a.URL, "/api/v1/admin/imports?format=sdmx-csv", adminToken); st != http.StatusRequestEntityTooLarge {
			t.Fatalf("status %d, want 413", st)
		}
	})
	before := storeVersion(t, a)
	for _, tc := range []struct {
		name, query string
		body        []byte
		want        int
		field       string
	}{
		{"unknown format", "format=xls", file, http.StatusBadRequest, "format"},
		{"not the format named", "format=gho", file, http.StatusBadRequest, "file"},
		{"empty body", "format=sdmx-csv&apply=true", nil, http.StatusBadRequest, "file"},
		{"cut short", "format=jsonstat&apply=true", []byte(`{"version":"2.0","class":"dataset","id":[`), http.StatusBadRequest, "file"},
		{"unknown mapping", "format=sdmx-csv&mapping=nope", file, http.StatusBadRequest, "mapping"},
		{"rejected rows", "format=sdmx-csv&apply=true", readFixture(t, "oecd_health_wfmi.csv"), http.StatusUnprocessableEntity, "skip_rejected"},
	} {
		t.Run("bad file: "+tc.name, func(t *testing.T) {
			st, r := postImport(t, a.URL, adminToken, tc.query, tc.body)
			if st != tc.want || r.Field != tc.field || r.Error == "" {
				t.Fatalf("status %d field %q (%q), want %d %q", st, r.Field, r.Error, tc.want, tc.field)
			}
			if v := storeVersion(t, a); v != before {
				t.Fatalf("data version moved from %d to %d", before, v)
			}
		})
	}

	st, review := postImport(t, a.URL, adminToken, "format=sdmx-csv&file=wfmi.csv&progress=p1", file)
	if st != http.StatusOK || review.Applied || review.Tally.New+review.Tally.Changed != 3 || review.Tally.Ignored != 1 ||
		len(review.Changes) != 3 || review.BaseVersion != before || len(review.SHA256) != 64 {
		t.Fatalf("dry run: %d %+v", st, review)
	}
	if v := storeVersion(t, a); v != before {
		t.Fatalf("a dry run moved the data version from %d to %d", before, v)
	}
	var prog struct {
		Rows  int   `json:"rows"`
		Bytes int64 `json:"bytes"`
		Total int64 `json:"total"`
		Done  bool  `json:"done"`
	}
	if resp := call(t, http.MethodGet, a.URL+"/api/v1/admin/imports/progress/p1", adminToken, "", nil, &prog); resp.StatusCode != http.StatusOK ||
		!prog.Done || prog.Rows != review.Rows || prog.Bytes != int64(len(file)) || prog.Total != int64(len(file)) {
		t.Fatalf("progress: %d %+v", resp.StatusCode, prog)
	}

	t.Run("another file than the reviewed one is 409", func(t *testing.T) {
		other := wfmiCSV([]string{"AUT", "DEU", "FRA"}, []int{2021}, 30)
		q := fmt.Sprintf("format=sdmx-csv&apply=true&sha256=%s&base_version=%d", review.SHA256, review.BaseVersion)
		if st, r := postImport(t, a.URL, adminToken, q, other); st != http.StatusConflict || r.Field != "sha256" {
			t.Fatalf("status %d %+v", st, r)
		}
	})

	q := fmt.Sprintf("format=sdmx-csv&file=wfmi.csv&apply=true&sha256=%s&base_version=%d", review.SHA256, review.BaseVersion)
	st, applied := postImport(t, a.URL, adminToken, q, file)
	if st != http.StatusCreated || !applied.Applied || applied.Revision.Rows != 3 || applied.Revision.SHA256 != review.SHA256 ||
		applied.Revision.Version != before+1 {
		t.Fatalf("apply: %d %+v", st, applied)
	}
	revs, err := a.Store.Revisions(context.Background(), 0)
	if err != nil || len(revs) != 1 || revs[0].Version != applied.Revision.Version || revs[0].File != "wfmi.csv" {
		t.Fatalf("revisions after apply: %+v %v", revs, err)
	}
	for _, c := range review.Changes {
		if v, ok := latestValue(t, a.URL, importIndicator, c.New.ISO3, 2021); !ok || v != c.New.Value {
			t.Fatalf("%s 2021: %v (found %v), want %v", c.New.ISO3, v, ok, c.New.Value)
		}
	}

	t.Run("open pages get one update per topic", func(t *testing.T) {
		// A submission after the import marks the end of its updates: the
		// hub sends each connection's frames in order.
		if st, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "code_nri_report", ISO3: "MLT", Year: 2024, Value: 1, Source: "marker"}); st != http.StatusCreated {
			t.Fatalf("marker submission: %d", st)
		}
		seen := map[string]int{}
		ws.await(func(m wsMessage) bool {
			if m.Type == "update" && m.Version == applied.Revision.Version {
				seen[m.Topic]++
			}
			return m.Type == "update" && m.Topic == "country:MLT"
		})
		for _, topic := range []string{"indicator:" + importIndicator, "country:AUT", "country:DEU"} {
			if seen[topic] != 1 {
				t.Errorf("%s: %d updates at the import's version, want 1 (%v)", topic, seen[topic], seen)
			}
		}
	})

	t.Run("the same file again changes nothing", func(t *testing.T) {
		v := storeVersion(t, a)
		st, r := postImport(t, a.URL, adminToken, "format=sdmx-csv&apply=true", file)
		if st != http.StatusOK || r.Applied || r.Tally.Unchanged != 3 || r.Message == "" {
			t.Fatalf("second apply: %d %+v", st, r)
		}
		if now := storeVersion(t, a); now != v {
			t.Fatalf("data version moved from %d to %d", v, now)
		}
	})

	t.Run("a stale review is 409", func(t *testing.T) {
		other := wfmiCSV([]string{"AUT"}, []int{2020}, 11)
		_, r := postImport(t, a.URL, adminToken, "format=sdmx-csv", other)
		if st, _ := submit(t, a.URL, adminToken, obsRow{Indicator: "code_nri_report", ISO3: "MLT", Year: 2023, Value: 1, Source: "in between"}); st != http.StatusCreated {
			t.Fatalf("submission: %d", st)
		}
		v := storeVersion(t, a)
		q := fmt.Sprintf("format=sdmx-csv&apply=true&sha256=%s&base_version=%d", r.SHA256, r.BaseVersion)
		st, res := postImport(t, a.URL, adminToken, q, other)
		if st != http.StatusConflict || !strings.Contains(res.Error, "data changed since the review, review again") {
			t.Fatalf("status %d %+v", st, res)
		}
		if now := storeVersion(t, a); now != v {
			t.Fatalf("data version moved from %d to %d", v, now)
		}
	})

	t.Run("revisions and provenance name the file", func(t *testing.T) {
		var list struct {
			Revisions []indicators.Revision `json:"revisions"`
		}
		if resp := call(t, http.MethodGet, a.URL+"/api/v1/admin/imports", adminToken, "", nil, &list); resp.StatusCode != http.StatusOK ||
			len(list.Revisions) != 1 || list.Revisions[0].SHA256 != review.SHA256 {
			t.Fatalf("list: %d %+v", resp.StatusCode, list)
		}
		var prov struct {
			Imports []struct {
				indicators.Revision
				Figures int `json:"figures"`
			} `json:"imports"`
		}
		getJSON(t, a.URL+"/api/v1/indicators/"+importIndicator+"/provenance", &prov)
		if len(prov.Imports) != 1 || prov.Imports[0].SHA256 != review.SHA256 || prov.Imports[0].Figures != 3 ||
			!strings.HasPrefix(prov.Imports[0].Source, "OECD") || prov.Imports[0].Vintage == "" {
			t.Fatalf("provenance: %+v", prov)
		}
		page := readBody(t, getJSON(t, a.URL+"/indicators/"+importIndicator, nil))
		if !strings.Contains(page, review.SHA256) || !strings.Contains(page, prov.Imports[0].Vintage) {
			t.Fatal("the indicator page does not show the import's SHA-256 and vintage")
		}
	})
}

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("../importer/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestImportRoundTrip imports a publisher's fixture and finds each
// accepted figure in the data API's CSV export.
func TestImportRoundTrip(t *testing.T) {
	a := startApp(t, appOptions{})
	st, r := postImport(t, a.URL, adminToken, "format=sdmx-csv&apply=true&skip_rejected=true", readFixture(t, "oecd_health_wfmi.csv"))
	if st != http.StatusCreated || len(r.Changes) == 0 || len(r.Rejected) == 0 {
		t.Fatalf("import: %d %+v", st, r)
	}
	exports := map[string]map[string]string{}
	for _, c := range r.Changes {
		o := c.New
		rows, ok := exports[o.Indicator]
		if !ok {
			rows = map[string]string{}
			resp := getJSON(t, a.URL+"/api/v1/indicators/"+o.Indicator+"/data?format=csv", nil)
			recs, err := csv.NewReader(resp.Body).ReadAll()
			if err != nil || len(recs) < 2 || recs[0][0] != "iso3" || recs[0][3] != "year" || recs[0][4] != "value" {
				t.Fatalf("%s export: %v %v", o.Indicator, recs, err)
			}
			for _, rec := range recs[1:] {
				rows[rec[0]+" "+rec[3]] = rec[4]
			}
			exports[o.Indicator] = rows
		}
		want := strconv.FormatFloat(o.Value, 'f', -1, 64)
		if got := rows[fmt.Sprintf("%s %d", o.ISO3, o.Year)]; got != want {
			t.Errorf("%s %s %d: export has %q, the file %q", o.Indicator, o.ISO3, o.Year, got, want)
		}
	}
}

// TestImportCLICaughtUp applies a large import the way `hwfdash import
// -apply` does, straight to the store with no bus: the running server's
// version poll finds more than catchUpLimit changes, raises its cache
// floor and pushes every subscribed topic, so open pages still update.
func TestImportCLICaughtUp(t *testing.T) {
	a := startApp(t, appOptions{poll: 50 * time.Millisecond})
	ctx := context.Background()
	ds := loadDataset(t)
	var countries []string
	for _, c := range ds.Countries {
		countries = append(countries, c.ISO3)
	}
	var years []int
	for y := 2000; y <= 2024; y++ {
		years = append(years, y)
	}
	file := wfmiCSV(countries, years, 3)
	ws := dialWS(t, a.URL, nil)
	ws.subscribe("indicator:"+importIndicator, "country:AUT")
	// Fill the cache at the current version, so a stale payload would show.
	before, _ := latestValue(t, a.URL, importIndicator, "AUT", 2010)

	res, err := importer.Parse(ctx, strings.NewReader(string(file)), importer.Options{Format: importer.FormatSDMXCSV,
		Countries: ds.Countries, File: "large.csv"})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := importer.Diff(ctx, a.Store, res)
	if err != nil {
		t.Fatal(err)
	}
	rev, err := importer.Apply(ctx, a.Store, plan, importer.ApplyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if rev.Rows <= 1000 {
		t.Fatalf("the import writes %d rows: not more than the catch-up limit", rev.Rows)
	}
	pending := map[string]bool{"indicator:" + importIndicator: true, "country:AUT": true}
	ws.await(func(m wsMessage) bool {
		if m.Type == "update" && m.Version == rev.Version {
			delete(pending, m.Topic)
		}
		return len(pending) == 0
	})
	want := plan.Changes[0].New.Value
	for _, c := range plan.Changes {
		if c.New.ISO3 == "AUT" && c.New.Year == 2010 {
			want = c.New.Value
		}
	}
	if got, ok := latestValue(t, a.URL, importIndicator, "AUT", 2010); !ok || got != want {
		t.Fatalf("AUT 2010 after the import: %v (found %v, was %v), want %v", got, ok, before, want)
	}
}

// TestImportProgressAcrossInstances: behind nginx the admin page's progress
// polls go to any instance, not the one parsing the upload; with Redis each
// instance answers for the others' imports, finished once the upload's
// answer is back. An id outside the pattern is refused with its field
// named, and an unknown one is 404 everywhere.
func TestImportProgressAcrossInstances(t *testing.T) {
	requireRedis(t)
	prefix := "hwfdash-test-" + randHex(4) + ":"
	a := startApp(t, appOptions{redisURL: redisURL, prefix: prefix})
	b := startApp(t, appOptions{redisURL: redisURL, prefix: prefix})
	file := wfmiCSV([]string{"AUT", "DEU", "FRA"}, []int{2021}, 20)
	st, review := postImport(t, a.URL, adminToken, "format=sdmx-csv&file=wfmi.csv&progress=across-1", file)
	if st != http.StatusOK {
		t.Fatalf("dry run on A: %d", st)
	}
	for name, base := range map[string]string{"A (parsing)": a.URL, "B (other)": b.URL} {
		var prog struct {
			Rows  int   `json:"rows"`
			Bytes int64 `json:"bytes"`
			Total int64 `json:"total"`
			Done  bool  `json:"done"`
		}
		resp := call(t, http.MethodGet, base+"/api/v1/admin/imports/progress/across-1", adminToken, "", nil, &prog)
		if resp.StatusCode != http.StatusOK || !prog.Done || prog.Rows != review.Rows || prog.Bytes != int64(len(file)) || prog.Total != int64(len(file)) {
			t.Errorf("progress on %s: %d %+v, want done, %d rows, %d bytes", name, resp.StatusCode, prog, review.Rows, len(file))
		}
		if resp := call(t, http.MethodGet, base+"/api/v1/admin/imports/progress/never-started", adminToken, "", nil, nil); resp.StatusCode != http.StatusNotFound {
			t.Errorf("unknown progress id on %s: %d, want 404", name, resp.StatusCode)
		}
		var bad struct {
			Field string `json:"field"`
		}
		if resp := call(t, http.MethodGet, base+"/api/v1/admin/imports/progress/"+strings.Repeat("x", 41), adminToken, "", nil, &bad); resp.StatusCode != http.StatusBadRequest || bad.Field != "id" {
			t.Errorf("a 41-character id on %s: %d field %q, want 400 id", name, resp.StatusCode, bad.Field)
		}
	}
}
