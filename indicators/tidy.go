package indicators

import (
	"math"
	"strconv"
)

// computedDigits is the precision kept in a computed figure (a derived
// indicator, a median, a weighted mean). Published inputs carry at most a
// handful of significant digits, so twelve lose nothing real; what they drop
// is binary floating-point noise, which would otherwise reach downloads and
// tables as 62.010000000000005 for 26.83 + 35.18.
const computedDigits = 12

// tidy rounds a computed figure to computedDigits significant digits.
func tidy(v float64) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return v
	}
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', computedDigits, 64), 64)
	if err != nil {
		return v
	}
	return r
}
