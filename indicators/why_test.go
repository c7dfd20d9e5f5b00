package indicators

import (
	"testing"
)

func TestWhyText(t *testing.T) {
	counts := &Why{Key: "counts", Nums: []float64{48, 53, 5, 0}}
	fr := map[string]string{
		"why.median_meets": "la médiane des dernières valeurs, {0}, atteint le seuil ; {sub}",
		"why.counts":       "{0} sur {1} atteints, {2} anciens, {3} sans données",
	}
	frMsg := func(k string) string { return fr["why."+k] }
	none := func(string) string { return "" }
	cases := []struct {
		name  string
		w     *Why
		msg   func(string) string
		point string
		want  string
	}{
		{"english with a sub-reason", &Why{Key: "median_meets", Nums: []float64{112.78}, Sub: counts}, none, ".",
			"median of latest values 112.78 meets the threshold; 48 of 53 met, 5 stale, 0 no data"},
		{"French: its words and decimal comma, years and counts as they are", &Why{Key: "median_meets", Nums: []float64{112.78}, Sub: counts}, frMsg, ",",
			"la médiane des dernières valeurs, 112,78, atteint le seuil ; 48 sur 53 atteints, 5 anciens, 0 sans données"},
		{"a key the language lacks falls back to English", &Why{Key: "no_value_up_to", Nums: []float64{2024}}, frMsg, ",", "no value up to 2024"},
		{"a missing number stays a placeholder", &Why{Key: "stale", Nums: []float64{2015}}, none, ".",
			"latest value is from 2015, older than the window {1}–{2}"},
		{"no reason", nil, none, ".", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.w.Text(c.msg, c.point); got != c.want {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

// TestWhyNumbers: a reason's values read as the English text printed
// them before Why (fmtValue's two decimals, %.4g for projections).
func TestWhyNumbers(t *testing.T) {
	for _, c := range []struct {
		got, want float64
	}{{round2(102.88499999999999), 102.89}, {round2(67.2), 67.2}, {sig4(12.34567), 12.35}, {sig4(1234.56), 1235}, {sig4(0.012345), 0.01235}} {
		if c.got != c.want {
			t.Errorf("got %v, want %v", c.got, c.want)
		}
	}
}
