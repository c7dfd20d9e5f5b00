package indicators

import (
	"math"
	"testing"
)

func TestTidy(t *testing.T) {
	tests := []struct {
		name    string
		in, out float64
	}{
		{"a sum's noise", 26.83 + 35.18, 62.01},
		{"a mean's noise", (165.63 + 165.65) / 2, 165.64},
		{"a division's noise", 3 / 0.7 * 10000 / 10000, 4.28571428571},
		{"already tidy", 44.5, 44.5},
		{"large counts keep every digit", 1_234_567_891, 1_234_567_891},
		{"small values keep their digits", 0.000123456789, 0.000123456789},
		{"negative", -(0.1 + 0.2), -0.3},
		{"zero", 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tidy(tt.in); got != tt.out {
				t.Fatalf("tidy(%v) = %v, want %v", tt.in, got, tt.out)
			}
		})
	}
	if v := tidy(math.Inf(1)); !math.IsInf(v, 1) {
		t.Fatalf("tidy(+Inf) = %v", v)
	}
	if v := tidy(math.NaN()); !math.IsNaN(v) {
		t.Fatalf("tidy(NaN) = %v", v)
	}
}
