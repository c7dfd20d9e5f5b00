package server_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

const mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// problem is one entry of a refused submission's "errors".
type problem struct {
	Row     int               `json:"row"`
	Line    int               `json:"line"`
	Field   string            `json:"field"`
	Message string            `json:"message"`
	Code    string            `json:"code"`
	Params  map[string]string `json:"params"`
}

// postProblems sends a submission and decodes its answer's problems.
func postProblems(t *testing.T, base, token, contentType string, body []byte) (int, []problem) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/api/v1/observations", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var res struct {
		Errors []problem `json:"errors"`
	}
	if resp.StatusCode >= 400 {
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatalf("status %d: decode %q: %v", resp.StatusCode, b, err)
		}
	}
	return resp.StatusCode, res.Errors
}

// brief gives problems as "line/row field code" strings, sorted, with the
// params named in keep.
func brief(ps []problem, keep ...string) []string {
	var out []string
	for _, p := range ps {
		s := fmt.Sprintf("%d/%d %s %s", p.Line, p.Row, p.Field, p.Code)
		for _, k := range keep {
			if v, ok := p.Params[k]; ok {
				s += " " + k + "=" + v
			}
		}
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

func sameList(t *testing.T, got, want []string) {
	t.Helper()
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestSubmissionEveryProblem reproduces issue 16 item 7: a submission with
// several problems reported one (a value error hid the others). Every
// problem of every row comes in one answer, with the row, the line the
// clerk sees, the field, a code and params, and nothing is stored.
func TestSubmissionEveryProblem(t *testing.T) {
	a := startApp(t, appOptions{})
	_, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	before, _ := a.Store.Version(t.Context())

	t.Run("CSV", func(t *testing.T) {
		body := "iso3,indicator,year,value,source\n" + // line 1
			"aut,HWF_0001,2024,\"55,3\",\n" + // line 2: decimal comma, no source
			"\n" + // line 3: blank (not a row)
			"Atlantis,HWF_9999,1800,12.5,src\n" + // line 4: country, indicator and year
			"AUT,HWF_0001,2024,-3,src\n" + // line 5: range, and the same key as line 2
			"DEU,HWF_0001,2024,40,src\n" + // line 6: not this token's country
			"AUT,HWF_0001,2023,1,2,src\n" // line 7: a decimal comma splits the row
		status, ps := postProblems(t, a.URL, aut, "text/csv", []byte(body))
		if status != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", status)
		}
		sameList(t, brief(ps, "value", "fixed", "line"), []string{
			"2/1 value decimal_comma value=55,3 fixed=55.3",
			"2/1 source source_missing",
			"4/2 iso3 unknown_country value=Atlantis",
			"4/2 indicator unknown_indicator value=HWF_9999",
			"4/2 year year_range value=1800",
			"5/3 value value_range value=-3",
			"5/3 year duplicate_row line=2",
			"6/4 iso3 scope value=DEU",
			"7/5 row fields_decimal_comma value=1,2 fixed=1.2",
		})
		for _, p := range ps {
			if p.Message == "" || strings.Contains(p.Message, "finite") {
				t.Errorf("message %q", p.Message)
			}
		}
	})

	t.Run("JSON", func(t *testing.T) {
		body := `[{"indicator":"HWF_0001","iso3":"AUT","year":2024,"value":55.3,"source":"s"},
			{"indicator":"HWF_0001","iso3":"Atlantis","year":"2024","value":"55,3","source":"s","extra":1},
			{"indicator":5,"iso3":"AUT","year":2024,"value":1e400}]`
		status, ps := postProblems(t, a.URL, aut, "application/json", []byte(body))
		if status != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", status)
		}
		sameList(t, brief(ps, "value", "name"), []string{
			"0/2 extra unknown_field name=extra",
			`0/2 year not_year value="2024"`,
			`0/2 value not_number value="55,3"`,
			"0/2 iso3 unknown_country value=Atlantis",
			"0/3 indicator json_type",
			"0/3 value not_number value=1e400",
			"0/3 source missing",
		})
	})

	if after, _ := a.Store.Version(t.Context()); after != before {
		t.Fatalf("refused submissions changed the version %d → %d", before, after)
	}
}

// TestSubmissionSpreadsheetHabits reproduces issue 16 item 8: the CSV of
// Excel in de, fr or ru (semicolons or tabs, decimal commas) failed. The
// separator is read from the header line; with a semicolon or a tab the
// decimal mark may be a comma and thousands separators are refused; a
// comma-separated file with a decimal comma says what to change.
func TestSubmissionSpreadsheetHabits(t *testing.T) {
	a := startApp(t, appOptions{})
	_, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")

	for _, tc := range []struct {
		name, body string
		year       int
		want       float64
	}{
		{"semicolons, decimal comma, BOM, CRLF", "\ufeffiso3;indicator;year;value;source\r\nAUT;HWF_0001;2021;55,3;Statistik Austria, 2025\r\n", 2021, 55.3},
		{"tabs, decimal comma", "iso3\tindicator\tyear\tvalue\tsource\nAUT\tHWF_0001\t2020\t54,1\tStatistik Austria\n", 2020, 54.1},
		{"semicolons, decimal point", "iso3;indicator;year;value;source\nAUT;HWF_0001;2019;53.25;Statistik Austria\n", 2019, 53.25},
		{"semicolons, a point that cannot group thousands", "iso3;indicator;year;value;source\nAUT;HWF_0001;2014;0.125;Statistik Austria\n", 2014, 0.125},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if status, ps := postProblems(t, a.URL, aut, "text/csv", []byte(tc.body)); status != http.StatusCreated {
				t.Fatalf("status %d %+v, want 201", status, ps)
			}
			if v, _ := latestValue(t, a.URL, "HWF_0001", "AUT", tc.year); v != tc.want {
				t.Fatalf("stored %v, want %v", v, tc.want)
			}
		})
	}

	for _, tc := range []struct {
		name, body string
		want       []string
	}{
		{"semicolons, thousands point", "iso3;indicator;year;value;source\nAUT;HWF_0001;2018;1.234;s\n",
			[]string{"2/1 value ambiguous_point value=1.234 plain=1234 comma=1,234"}},
		{"semicolons, grouped", "iso3;indicator;year;value;source\nAUT;HWF_0001;2018;1.234,5;s\nAUT;HWF_0001;2017;1 234;s\n",
			[]string{"2/1 value not_decimal_locale value=1.234,5", "3/2 value not_decimal_locale value=1 234"}},
		{"commas, decimal comma", "iso3,indicator,year,value,source\nAUT,HWF_0001,2018,55,3,s\n",
			[]string{"2/1 row fields_decimal_comma value=55,3 fixed=55.3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ps := postProblems(t, a.URL, aut, "text/csv", []byte(tc.body))
			if status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", status)
			}
			sameList(t, brief(ps, "value", "plain", "comma", "fixed"), tc.want)
		})
	}
}

// workbook builds an .xlsx whose first sheet has rows; a second sheet that
// must be ignored holds rubbish.
func workbook(t *testing.T, rows ...[]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	for i, r := range rows {
		if r == nil {
			continue
		}
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.NewSheet("Notes"); err != nil {
		t.Fatal(err)
	}
	if err := f.SetCellValue("Notes", "A1", "not a header"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestSubmissionXLSX: an Excel workbook goes to the same endpoint; its
// first sheet is read with the CSV's header rules, lines are its row
// numbers, and what it unpacks to is bounded.
func TestSubmissionXLSX(t *testing.T) {
	a := startApp(t, appOptions{})
	_, aut := createToken(t, a.URL, "Ministry of Health, Austria", "AUT")
	header := []any{"iso3", "indicator", "year", "value", "source"}

	t.Run("stored", func(t *testing.T) {
		body := workbook(t, header, []any{"AUT", "HWF_0001", 2016, 55.25, "Statistik Austria"}, []any{"AUT", "HWF_0001", 2015, 0.0000001 + 50, "Statistik Austria"})
		if status, ps := postProblems(t, a.URL, aut, mimeXLSX, body); status != http.StatusCreated {
			t.Fatalf("status %d %+v, want 201", status, ps)
		}
		if v, _ := latestValue(t, a.URL, "HWF_0001", "AUT", 2016); v != 55.25 {
			t.Fatalf("stored %v, want 55.25", v)
		}
	})

	t.Run("problems by sheet row", func(t *testing.T) {
		body := workbook(t, header, nil, []any{"Atlantis", "HWF_0001", 2016, "55,3", "s"}, []any{"AUT", "HWF_0001", 2016, 55.3})
		status, ps := postProblems(t, a.URL, aut, mimeXLSX, body)
		if status != http.StatusBadRequest {
			t.Fatalf("status %d, want 400", status)
		}
		sameList(t, brief(ps, "value"), []string{
			"3/1 value text_number value=55,3",
			"3/1 iso3 unknown_country value=Atlantis",
			"4/2 source source_missing",
		})
	})

	wide := make([]any, 70)
	for i := range wide {
		wide[i] = "x"
	}
	for _, tc := range []struct {
		name string
		body []byte
		code string
	}{
		{"not a workbook", []byte("PK\x03\x04 not really"), "not_xlsx"},
		{"unpacks too large", padded(t, workbook(t, header), 20<<20), "xlsx_too_large"},
		{"row too wide", workbook(t, header, wide), "too_many_rows"},
		{"cell right of the table", workbook(t, header, []any{"AUT", "HWF_0001", 2016, 55.3, "s", "stray"}), "fields_more_sheet"},
		{"a row far below", farRow(t, workbook(t, header)), "too_many_rows"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, ps := postProblems(t, a.URL, aut, mimeXLSX, tc.body)
			if status != http.StatusBadRequest || len(ps) != 1 || ps[0].Code != tc.code {
				t.Fatalf("status %d %+v, want 400 %s", status, ps, tc.code)
			}
		})
	}
}

// padded adds a part of n zero bytes to a workbook: a few kilobytes on the
// wire that unpack to n.
func padded(t *testing.T, xlsx []byte, n int) []byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if err := zw.Copy(f); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create("xl/media/padding.bin")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(make([]byte, n)); err != nil {
		t.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// farRow puts a cell on row 30,001 of a workbook's first sheet: what a
// sheet walks is bounded, blank rows included.
func farRow(t *testing.T, xlsx []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.SetCellValue("Sheet1", "A30001", "AUT"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := f.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
