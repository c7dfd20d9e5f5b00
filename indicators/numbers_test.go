package indicators

import "testing"

func TestRoundString(t *testing.T) {
	cases := []struct {
		v    float64
		d    int
		want string
	}{
		{67.195, 2, "67.20"},
		{1.005, 2, "1.01"},
		{2.675, 2, "2.68"},
		{102.88499999999999, 2, "102.88"},
		{0.5, 0, "1"},
		{-0.5, 0, "-1"},
		{-0.004, 2, "0.00"},
		{9.995, 2, "10.00"},
		{99.5, 0, "100"},
		{12, 2, "12.00"},
		{1234567.891, 1, "1234567.9"},
		{0.045, 2, "0.05"},
		{5, -1, "5"},
	}
	for _, c := range cases {
		if got := RoundString(c.v, c.d); got != c.want {
			t.Errorf("RoundString(%v, %d) = %q, want %q", c.v, c.d, got, c.want)
		}
	}
}

func TestSigFigsAndDecimals(t *testing.T) {
	cases := []struct {
		v         float64
		sig, decs int
	}{
		{1160000, 3, 0}, {83.12, 4, 2}, {0.045, 2, 3}, {35.1, 3, 1}, {0, 1, 0}, {84482267, 8, 0},
	}
	for _, c := range cases {
		if got := SigFigs(c.v); got != c.sig {
			t.Errorf("SigFigs(%v) = %d, want %d", c.v, got, c.sig)
		}
		if got := Decimals(c.v); got != c.decs {
			t.Errorf("Decimals(%v) = %d, want %d", c.v, got, c.decs)
		}
	}
}

func TestRoundDerived(t *testing.T) {
	cases := []struct {
		name   string
		op     string
		v      float64
		inputs []float64
		want   float64
		rule   string
	}{
		{"sum keeps two decimals", "sum", 62.010000000000005, []float64{26.83, 35.18}, 62.01, RoundingSumDecimals},
		{"sum keeps the least precise", "sum", 61.93, []float64{26.83, 35.1}, 61.9, RoundingSumDecimals},
		// 1,160,000 nurses over 83,092,962 people: 139.602677782… per 10,000;
		// the headcount has 3 significant digits.
		{"ratio of a rounded headcount", "per10k", 139.602677782, []float64{1160000, 83092962}, 140, RoundingRatioSigFigs},
		{"ratio of an exact headcount", "per10k", 139.602677782, []float64{1160123, 83092962}, 139.6027, RoundingRatioSigFigs},
		{"ratio never below three digits", "per10k", 1.23456, []float64{1000, 8100000}, 1.23, RoundingRatioSigFigs},
		{"unknown op", "mean", 1.23456, []float64{1}, 1.23456, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, rule := RoundDerived(c.op, c.v, c.inputs...)
			if got != c.want || rule != c.rule {
				t.Errorf("got %v %q, want %v %q", got, rule, c.want, c.rule)
			}
		})
	}
}

func TestFormatNumber(t *testing.T) {
	cases := []struct {
		v    float64
		d    int
		lang string
		want string
	}{
		{1234567.891, 2, "en", "1,234,567.89"},
		{1234567.891, 2, "fr", "1\u202f234\u202f567,89"},
		{1234567.891, 2, "de", "1.234.567,89"},
		{1234567.891, 2, "ru", "1\u00a0234\u00a0567,89"},
		{67.195, 2, "fr", "67,20"},
		{-1234.5, 1, "de", "-1.234,5"},
		{999, 0, "en", "999"},
		{1000, 0, "xx", "1,000"},
	}
	for _, c := range cases {
		if got := FormatNumber(c.v, c.d, c.lang); got != c.want {
			t.Errorf("FormatNumber(%v, %d, %s) = %q, want %q", c.v, c.d, c.lang, got, c.want)
		}
	}
	if got := FormatYear(2022); got != "2022" {
		t.Errorf("FormatYear(2022) = %q", got)
	}
}

func TestDeriveRounded(t *testing.T) {
	nurses, _ := Lookup("hwf_nurses_density")
	dnm, _ := Lookup("hwf_dnm")
	cases := []struct {
		name   string
		ind    Indicator
		inputs map[string][]Observation
		want   float64
	}{
		{"ratio", nurses, map[string][]Observation{"HWF_0008": {obs("HWF_0008", "DEU", 2019, 1160000)},
			"SP.POP.TOTL": {obs("SP.POP.TOTL", "DEU", 2019, 83092962)}}, 140},
		{"sum", dnm, map[string][]Observation{"HWF_0001": {obs("HWF_0001", "DEU", 2019, 26.83)},
			"HWF_0006": {obs("HWF_0006", "DEU", 2019, 35.1)}}, 61.9},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := DeriveRounded(c.ind, c.inputs)
			if len(got) != 1 || got[0].Value != c.want || got[0].Note == "" {
				t.Errorf("got %+v, want %v", got, c.want)
			}
		})
	}
}
