package charts

import (
	"fmt"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// region53 is a Region of 53 Member States, some without data.
func region53() ([]string, map[string]string, map[string]*indicators.Observation) {
	var isos []string
	names := map[string]string{}
	values := map[string]*indicators.Observation{}
	for i := 0; i < 53; i++ {
		iso := fmt.Sprintf("C%02d", i)
		isos = append(isos, iso)
		names[iso] = fmt.Sprintf("Country %02d", i)
		if i%7 != 3 {
			values[iso] = &indicators.Observation{ISO3: iso, Value: float64(10 + i*3)}
		}
	}
	return isos, names, values
}

// columnNames gives the category names of each category axis.
func columnNames(t *testing.T, axes any) [][]string {
	t.Helper()
	var out [][]string
	for _, a := range axes.([]any) {
		am := a.(map[string]any)
		if am["type"] != "category" {
			continue
		}
		var col []string
		for _, d := range am["data"].([]any) {
			col = append(col, d.(string))
		}
		out = append(out, col)
	}
	return out
}

// TestProjectorColumns: on a projector the ranking and the Code grid show
// the 53 Member States in three columns of at most 18, every name once,
// at a size that grows with the scale; on a page they stay in one column.
func TestProjectorColumns(t *testing.T) {
	isos, names, values := region53()
	for _, scale := range []float64{1, 2} {
		st := Style{FontScale: scale}
		rank, err := Ranking(RankingInput{Indicator: indicators.Indicator{ID: "x", Name: "X", ShortName: "X", Unit: "u"}, Year: 2022,
			Values: values, Names: names, Countries: isos, Status: map[string]indicators.Status{"C00": indicators.StatusMet}}, st)
		if err != nil {
			t.Fatal(err)
		}
		var rounds []Round
		for r := 1; r <= 5; r++ {
			rounds = append(rounds, Round{Number: r, Year: 2008 + 3*r, Members: 53, Reported: isos[:r*5], NotReported: isos[r*5 : r*6]})
		}
		code, err := CodeReporting(CodeInput{Rounds: rounds, Names: names, Countries: isos}, st)
		if err != nil {
			t.Fatal(err)
		}
		for chart, cols := range map[string][][]string{"ranking": columnNames(t, rank["yAxis"]), "code": columnNames(t, code["yAxis"])} {
			want := 1
			if scale >= 1.5 {
				want = 3
			}
			if len(cols) != want {
				t.Errorf("scale %v %s: %d columns, want %d", scale, chart, len(cols), want)
			}
			seen := map[string]int{}
			for _, col := range cols {
				if want > 1 && len(col) > projectorColumnRows {
					t.Errorf("scale %v %s: a column of %d names", scale, chart, len(col))
				}
				for _, n := range col {
					seen[n]++
				}
			}
			if len(seen) != 53 {
				t.Errorf("scale %v %s: %d distinct names, want 53", scale, chart, len(seen))
			}
			for n, c := range seen {
				if c != 1 {
					t.Errorf("scale %v %s: %q %d times", scale, chart, n, c)
				}
			}
		}
		if scale < 1.5 {
			continue
		}
		// The Code grid's columns read alphabetically from the top, and
		// each cell is in its Member State's row.
		hm := code["series"].([]any)[0].(map[string]any)
		cols := columnNames(t, code["yAxis"])
		if top := cols[0][len(cols[0])-1]; top != "Country 00" {
			t.Errorf("code: the first column starts with %q", top)
		}
		for _, d := range hm["data"].([]any) {
			cell := d.(map[string]any)
			y, ok := cell["value"].([]any)[1].(int)
			if !ok {
				t.Fatalf("code: cell %v", cell)
			}
			if got := cols[0][y]; got != names[cell["name"].(string)] {
				t.Errorf("code: cell of %s in the row of %s", cell["name"], got)
			}
		}
		// The ranking's columns share one scale and rank down the columns.
		var maxes []any
		for _, a := range rank["xAxis"].([]any) {
			maxes = append(maxes, a.(map[string]any)["max"])
		}
		if len(maxes) != 3 || maxes[0] != maxes[1] || maxes[1] != maxes[2] || maxes[0] == nil {
			t.Errorf("ranking: value axes' maxima %v, want one shared", maxes)
		}
		rc := columnNames(t, rank["yAxis"])
		if first := rc[0][len(rc[0])-1]; first != "Country 51" {
			t.Errorf("ranking: first rank %q, want the highest value", first)
		}
		if got := rank["series"].([]any)[0].(map[string]any)["yAxisIndex"]; got != 0.0 && got != 0 {
			t.Errorf("ranking: first column on axis %v", got)
		}
	}
}
