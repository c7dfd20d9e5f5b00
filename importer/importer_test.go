package importer

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/store/seeddata"
)

func countries(t testing.TB) []indicators.Country {
	t.Helper()
	ds, err := seeddata.Load()
	if err != nil {
		t.Fatal(err)
	}
	return ds.Countries
}

// testNow is the parse date: fixtures' years must not be in the future.
var testNow = time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)

func parseFile(t *testing.T, f Format, name string, m *Mapping) *Result {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Parse(context.Background(), bytes.NewReader(b), Options{Format: f, Mapping: m, Countries: countries(t), File: name, Now: testNow})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func obsText(o indicators.Observation) string {
	s := fmt.Sprintf("%s %s %d %g", o.Indicator, o.ISO3, o.Year, o.Value)
	if o.Break {
		s += " b"
	}
	if o.Estimate {
		s += " e"
	}
	return s
}

// TestImportReaders reads each publisher's fixture and checks every row's
// fate: accepted with its flags, ignored (counted) or rejected with the
// field named.
func TestImportReaders(t *testing.T) {
	cases := []struct {
		format   Format
		file     string
		accepted []string
		ignored  map[string]int // reason/area → rows
		rejected []string       // line:field
		vintage  string
	}{
		{FormatGHO, "gho_hwf_0001.json",
			[]string{"HWF_0001 AUT 2020 53.44", "HWF_0001 AUT 2021 54.32 b", "HWF_0001 DEU 2021 45.03"},
			map[string]int{"no value/POL": 1, areaNonMember.Text + "/USA": 1, "not a country (SpatialDimType REGION)/EUR": 1},
			[]string{"6:NumericValue", "7:NumericValue", "8:TimeDim", "9:IndicatorCode", "11:SpatialDim"}, "2024-06-02"},
		{FormatWorldBank, "worldbank_sp_pop_totl.json",
			[]string{"SP.POP.TOTL AUT 2023 9.131761e+06", "SP.POP.TOTL AUT 2022 9.041851e+06", "SP.POP.TOTL DEU 2023 8.3287273e+07"},
			map[string]int{areaAggregate.Text + "/ZH": 1, "no value/DEU": 1, areaNonMember.Text + "/EUU": 1, areaNonMember.Text + "/USA": 1},
			[]string{"8:value", "9:obs_status"}, "2025-01-28"},
		{FormatSDMXCSV, "oecd_health_wfmi.csv",
			[]string{"mig_doctors_foreign_trained_pct AUT 2021 5.4", "mig_nurses_foreign_trained_pct AUT 2021 7.9 e",
				"mig_doctors_foreign_trained_pct DEU 2020 12.3 b", "mig_doctors_foreign_trained_pct DEU 2021 13.1",
				"mig_nurses_foreign_trained_pct IRL 2021 48.2"},
			map[string]int{areaNonMember.Text + "/NZL": 1, "series not imported (FTRAIN_PHYS)/": 1},
			[]string{"9:UNIT_MEASURE", "10:OBS_VALUE", "11:OBS_VALUE", "12:OBS_STATUS", "13:row", "14:TIME_PERIOD", "15:TIME_PERIOD", "16:MEASURE"},
			"accessed 2026-01-15"},
		{FormatSDMXCSV, "eurostat_hlth_rs_physreg.csv",
			[]string{"dist_doctors_nuts2_ratio AUT 2021 1.75", "dist_doctors_nuts2_ratio AUT 2022 1.7561 b e", "dist_doctors_nuts2_ratio GRC 2021 2"},
			map[string]int{areaAggregate.Text + "/EU27_2020": 1, areaExtra.Text + "/ATZZ": 1, "fewer than two regions with a value/CYP": 1,
				areaNonMember.Text + "/XK00": 1, areaLevel.Text + "/AT": 1, areaLevel.Text + "/AT1": 1},
			[]string{"13:OBS_VALUE", "14:OBS_FLAG", "18:unit", "19:row"}, "accessed 2026-01-15"},
		{FormatJSONStat, "eurostat_hlth_rs_physreg.json",
			[]string{"dist_doctors_nuts2_ratio AUT 2021 1.75", "dist_doctors_nuts2_ratio AUT 2022 1.7561 b e", "dist_doctors_nuts2_ratio GRC 2021 2"},
			map[string]int{areaAggregate.Text + "/EU27_2020": 1, areaNonMember.Text + "/XK00": 1},
			[]string{"1:unit", "33:value[32]", "36:status"}, "2025-02-20"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			res := parseFile(t, tc.format, tc.file, nil)
			var got []string
			for _, o := range res.Observations {
				got = append(got, obsText(o))
				if !strings.Contains(o.Source, res.Source) || !strings.Contains(o.Source, tc.vintage) {
					t.Errorf("source %q lacks the mapping's source or the vintage %q", o.Source, tc.vintage)
				}
			}
			if !slices.Equal(got, tc.accepted) {
				t.Errorf("accepted:\n got %q\nwant %q", got, tc.accepted)
			}
			ig := map[string]int{}
			for _, x := range res.Ignored {
				ig[x.Reason+"/"+x.Area] = x.Rows
				checkCode(t, WhyCodes, x.Code, x.Params, x)
			}
			if fmt.Sprint(ig) != fmt.Sprint(tc.ignored) {
				t.Errorf("ignored:\n got %v\nwant %v", ig, tc.ignored)
			}
			var rej []string
			for _, p := range res.Rejected {
				rej = append(rej, fmt.Sprintf("%d:%s", p.Line, p.Field))
				if p.Message == "" {
					t.Errorf("problem without a message: %+v", p)
				}
				checkCode(t, ProblemCodes, p.Code, p.Params, p)
			}
			if !slices.Equal(rej, tc.rejected) {
				t.Errorf("rejected:\n got %q\nwant %q\n%v", rej, tc.rejected, res.Rejected)
			}
			if res.Vintage != tc.vintage || len(res.SHA256) != 64 {
				t.Errorf("vintage %q sha %q", res.Vintage, res.SHA256)
			}
			if want := len(tc.accepted); tc.format != FormatJSONStat && !strings.Contains(tc.file, "eurostat") &&
				res.Rows != want+res.IgnoredRows()+len(res.Rejected) {
				t.Errorf("rows %d != accepted %d + ignored %d + rejected %d", res.Rows, want, res.IgnoredRows(), len(res.Rejected))
			}
		})
	}
}

// TestImportBadFiles checks that a file that cannot be read as a whole is
// an error, not a partial result.
func TestImportBadFiles(t *testing.T) {
	read := func(name string) []byte {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	gho := read("gho_hwf_0001.json")
	wb := read("worldbank_sp_pop_totl.json")
	js := read("eurostat_hlth_rs_physreg.json")
	oecd, err := LoadMapping("oecd_health_wfmi", os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		format  Format
		body    []byte
		mapping *Mapping
		want    string
	}{
		{"gho cut short", FormatGHO, gho[:len(gho)/2], nil, "cut short"},
		{"gho not OData", FormatGHO, []byte(`{"data": []}`), nil, `no "value" array`},
		{"worldbank cut short", FormatWorldBank, wb[:len(wb)-40], nil, "cut short"},
		{"worldbank one page of several", FormatWorldBank, []byte(`[{"page":1,"pages":3,"per_page":50},[]]`), nil, "page 1 of 3"},
		{"worldbank error answer", FormatWorldBank, []byte(`[{"message":[{"id":"120","key":"Invalid value","value":"The provided parameter value is not valid"}]}]`), nil, "Invalid value"},
		{"sdmx without DATAFLOW", FormatSDMXCSV, []byte("REF_AREA,TIME_PERIOD,OBS_VALUE\nAUT,2020,1\n"), nil, "DATAFLOW"},
		{"sdmx without OBS_VALUE", FormatSDMXCSV, []byte("DATAFLOW,REF_AREA,TIME_PERIOD\nX,AUT,2020\n"), nil, "OBS_VALUE"},
		{"sdmx unknown dataset", FormatSDMXCSV, []byte("DATAFLOW,REF_AREA,TIME_PERIOD,OBS_VALUE\nOECD:OTHER(1.0),AUT,2020,1\n"), nil, "no mapping"},
		{"sdmx mapping for another dataset", FormatSDMXCSV, []byte("DATAFLOW,geo,TIME_PERIOD,OBS_VALUE\nESTAT:HLTH_RS_PHYSREG(1.0),AT11,2020,1\n"), oecd, "not a sdmx-csv file"},
		{"sdmx without the mapping's unit column", FormatSDMXCSV, []byte("DATAFLOW,REF_AREA,MEASURE,TIME_PERIOD,OBS_VALUE\nOECD.ELS.HD:DSD_HEALTH_WFMI@DF_HEALTH_WFMI(1.0),AUT,FTRAIN_PHYS_SH,2020,1\n"), nil, "UNIT_MEASURE"},
		{"jsonstat cut short", FormatJSONStat, js[:len(js)/2], nil, "cut short"},
		{"jsonstat wrong sizes", FormatJSONStat, bytes.Replace(js, []byte(`"size": [`), []byte(`"size": [2, `), 1), nil, "dimensions"},
		{"mapping for another format", FormatGHO, gho, oecd, "reads sdmx-csv"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Parse(context.Background(), bytes.NewReader(tc.body), Options{Format: tc.format, Mapping: tc.mapping, Countries: countries(t), Now: testNow})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v (result %v), want one containing %q", err, res != nil, tc.want)
			}
		})
	}
}

func TestImportMappings(t *testing.T) {
	all, err := Mappings()
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 4 {
		t.Errorf("%d embedded mappings, want 4", len(all))
	}
	for _, f := range Formats() {
		dataset := ""
		switch f {
		case FormatSDMXCSV:
			dataset = "OECD.ELS.HD:DSD_HEALTH_WFMI@DF_HEALTH_WFMI(1.0)"
		case FormatJSONStat:
			dataset = "HLTH_RS_PHYSREG"
		}
		if _, err := DefaultMapping(f, dataset); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
	bad := []struct{ name, body, want string }{
		{"unknown indicator", `{"formats":["gho"],"source":"s","areas":"iso3","series_fields":["IndicatorCode"],"series":{"X":{"indicator":"NOPE"}}}`, "unknown indicator"},
		{"derived indicator", `{"formats":["gho"],"source":"s","areas":"iso3","series_fields":["IndicatorCode"],"series":{"X":{"indicator":"hwf_dnm"}}}`, "computed"},
		{"bad flag meaning", `{"formats":["gho"],"source":"s","areas":"iso3","series_fields":["IndicatorCode"],"series":{"X":{"indicator":"HWF_0001"}},"flags":{"b":"maybe"}}`, "flags b"},
		{"unit without field", `{"formats":["gho"],"source":"s","areas":"iso3","series_fields":["IndicatorCode"],"series":{"X":{"indicator":"HWF_0001","unit":"U"}}}`, "unit_field"},
		{"aggregate into a share", `{"formats":["sdmx-csv"],"source":"s","areas":"nuts2","series_fields":["freq"],"series":{"A":{"indicator":"HWF_0001","aggregate":"max_min_ratio"}}}`, "not a ratio"},
		{"unknown field", `{"formats":["gho"],"source":"s","areas":"iso3","series_fields":["x"],"series":{"X":{"indicator":"HWF_0001"}},"scale":10}`, "unknown field"},
		{"unknown format", `{"formats":["xml"],"source":"s","areas":"iso3","series_fields":["x"],"series":{"X":{"indicator":"HWF_0001"}}}`, "xml"},
	}
	for _, tc := range bad {
		if _, err := ParseMapping(tc.name, []byte(tc.body)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestImportFlags(t *testing.T) {
	m, err := LoadMapping("eurostat_hlth_rs_physreg", os.ReadFile)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		in       string
		brk, est bool
		notes    string
		err      bool
	}{
		{"", false, false, "", false},
		{"b", true, false, "", false},
		{"bep", true, true, "provisional (Eurostat flag p)", false},
		{"bx", false, false, "", true},
		{"c", false, false, "", true},
	}
	for _, tc := range cases {
		fs, bad := m.flags(tc.in)
		if (bad != "") != tc.err || fs.brk != tc.brk || fs.est != tc.est || fs.note() != tc.notes {
			t.Errorf("flags(%q) = %+v, %q", tc.in, fs, bad)
		}
	}
}

// checkCode fails unless code is one of codes and params names only what
// its message may name: the import page translates a row's problem or
// reason from them (public/i18n, checked there against the same lists).
func checkCode(t *testing.T, codes map[string][]string, code string, params map[string]string, what any) {
	t.Helper()
	names, ok := codes[code]
	if !ok {
		t.Errorf("code %q is not declared: %+v", code, what)
		return
	}
	for k := range params {
		if k != "value" && !slices.Contains(names, k) {
			t.Errorf("code %q: parameter %q not declared: %+v", code, k, what)
		}
	}
}
