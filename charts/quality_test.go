package charts

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// TestTrendCoverageAndJumps: a low-coverage year's median is drawn apart
// (dotted, hollow, labelled) and not joined to the adequate medians; an
// unverified jump breaks the country's line, its point marked.
func TestTrendCoverageAndJumps(t *testing.T) {
	in := trendInput()
	in.Band = append(in.Band, Band{Year: 2021, Median: ptr(80.0), P25: ptr(80.0), P75: ptr(80.0), CountReported: 1, Low: true})
	jump := o("AUT", 2021, 90)
	jump.Flag, jump.FlagNote = indicators.FlagUnverifiedJump, "+71 % from 52.5 in 2020"
	in.Series = map[string][]indicators.Observation{"AUT": {o("AUT", 2019, 52.0), o("AUT", 2020, 52.5), jump}}
	opt := generic(t, mustTrend(t, in))
	ss := opt["series"].([]any)
	var aut []map[string]any
	var low map[string]any
	for _, s := range ss {
		sm := s.(map[string]any)
		switch sm["name"] {
		case "Austria":
			aut = append(aut, sm)
		case "Regional median (low coverage)":
			low = sm
		}
	}
	value := func(s map[string]any, i int) any { return s["data"].([]any)[i].(map[string]any)["value"] }
	if med := series(t, mustTrend(t, in), 2); value(med, 2) != "-" {
		t.Errorf("the adequate median line reaches the low-coverage year: %v", med["data"])
	}
	if low == nil || value(low, 2) != 80.0 || low["lineStyle"].(map[string]any)["type"] != "dotted" {
		t.Fatalf("low-coverage median: %v", low)
	}
	if len(aut) != 2 || value(aut[0], 2) != "-" || value(aut[1], 1) != "-" || value(aut[1], 2) != 90.0 ||
		aut[1]["data"].([]any)[2].(map[string]any)["symbol"] != "diamond" {
		t.Fatalf("Austria's line is not broken at the jump: %v", aut)
	}
}

// TestRankingKeyNamesStale: a stale status gets its own key entry; a
// chart without one keeps the four-status key.
func TestRankingKeyNamesStale(t *testing.T) {
	if got := keyFor(map[string]indicators.Status{"AUT": indicators.StatusMet}); len(got) != 4 {
		t.Errorf("key without extra statuses: %v", got)
	}
	got := keyFor(map[string]indicators.Status{"AUT": indicators.StatusMet, "MCO": indicators.StatusStale})
	if len(got) != 5 || got[4] != indicators.StatusStale || StatusColors[indicators.StatusStale] == "" || statusLabel[indicators.StatusStale] == "" {
		t.Errorf("key with a stale country: %v", got)
	}
}

func mustTrend(t *testing.T, in TrendInput) Option {
	t.Helper()
	opt, err := Trend(in, Style{})
	if err != nil {
		t.Fatal(err)
	}
	return opt
}

// TestTrendLowCoverageLabelledOncePerRun: years of low coverage in a row
// carry one "low coverage" label, at the first (a label at each point
// printed the words over each other), aligned away from the plot's nearer
// edge; a later run gets its own.
func TestTrendLowCoverageLabelledOncePerRun(t *testing.T) {
	in := trendInput()
	in.Band = nil
	for y := 2010; y <= 2021; y++ {
		in.Band = append(in.Band, Band{Year: y, Median: ptr(40.0), P25: ptr(30.0), P75: ptr(50.0), CountReported: 20, Low: y <= 2012 || y == 2019 || y == 2020})
	}
	opt := generic(t, mustTrend(t, in))
	var low map[string]any
	for _, s := range opt["series"].([]any) {
		if sm := s.(map[string]any); sm["name"] == "Regional median (low coverage)" {
			low = sm
		}
	}
	if low == nil {
		t.Fatal("no low-coverage series")
	}
	if l, _ := low["label"].(map[string]any); l == nil || l["show"] != false {
		t.Errorf("series label %v: want none at every point", low["label"])
	}
	var labelled []string
	for i, d := range low["data"].([]any) {
		if l, ok := d.(map[string]any)["label"].(map[string]any); ok && l["show"] == true && l["formatter"] == "low coverage" {
			labelled = append(labelled, fmt.Sprintf("%d %v", 2010+i, l["align"]))
		}
	}
	if got := strings.Join(labelled, ", "); got != "2010 left, 2019 right" {
		t.Errorf("labelled points %q, want the first of each run: 2010 left, 2019 right", got)
	}
}

// TestTrendDueLabelsStayInside: a due year's label, over the top of its
// line, ends at the line in the plot's right half and starts there in the
// left: centred at the last year it ran off the chart.
func TestTrendDueLabelsStayInside(t *testing.T) {
	got := map[string]any{}
	for _, d := range twoTargetMarks(t, "G01", 10, 2019, "G02", 90, 2021) {
		m := d.(map[string]any)
		if _, ok := m["xAxis"]; ok {
			got[m["name"].(string)] = m["label"].(map[string]any)["align"]
		}
	}
	if got["G01 due"] != "left" || got["G02 due"] != "right" {
		t.Errorf("due labels' alignment %v: want G01 (first year) left, G02 (last year) right", got)
	}
}
