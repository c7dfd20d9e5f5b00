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
	fr["why.round_facts"] = "Cycle {0} ({1}) : {parts}"
	fr["why.round_received"] = "{sub}. Reçu par hwfdash : {0} sur {1} ont répondu"
	fr["why.fact_region_interim"] = "{0} {metric} dans la Région européenne (provisoire)"
	fr["why.fact_global"] = "{0} {metric} dans le monde"
	fr["why.list_separator"] = " ; "
	fr["code.metric.designated_national_authorities"] = "autorités nationales désignées"
	fr["code.metric.countries_submitted_national_report"] = "pays ayant soumis leur rapport national"
	frMsg := func(k string) string { return fr[k] }
	round := &Why{Key: "round_received", Nums: []float64{2, 53}, Sub: &Why{Key: "round_facts", Nums: []float64{3, 2018}, Parts: []*Why{
		{Key: "fact_region_interim", Nums: []float64{40}, Metric: "designated_national_authorities"},
		{Key: "fact_global", Nums: []float64{108.5}, Metric: "countries_submitted_national_report"},
	}}}
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
		{"a round in English: its facts, their metrics in words", round, none, ".",
			"Round 3 (2018): 40 designated national authorities in the European Region (interim); 108.5 countries submitted national report globally. received by hwfdash: 2 of 53 answered"},
		{"a round in French: the metrics', the separator's and the received count's words", round, frMsg, ",",
			"Cycle 3 (2018) : 40 autorités nationales désignées dans la Région européenne (provisoire) ; 108,5 pays ayant soumis leur rapport national dans le monde. Reçu par hwfdash : 2 sur 53 ont répondu"},
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
