package indicators

import (
	"math"
	"strconv"
	"strings"
)

// Rounding names the rule that gave a figure its precision; the API and the
// methods text use these names.
const (
	// RoundingHalfAwayDecimal: a value is rounded on its shortest decimal
	// representation, half away from zero, so 67.195 becomes 67.20 (binary
	// rounding of the float 67.19499999… gives 67.19).
	RoundingHalfAwayDecimal = "decimal-half-away-from-zero"
	// RoundingSumDecimals: a sum or difference keeps the decimals of its
	// least precise input (26.83 + 35.1 = 61.9).
	RoundingSumDecimals = "sum: decimals of the least precise input"
	// RoundingRatioSigFigs: a ratio (a count over population) keeps the
	// significant digits of its least precise input, trailing zeros of a
	// whole number not counted, and never fewer than MinRatioSigFigs.
	RoundingRatioSigFigs = "ratio: significant digits of the least precise input"
)

// MinRatioSigFigs is the fewest significant digits a derived ratio keeps,
// so that a headcount published as 1,160,000 (two significant digits by the
// rule) still gives a density that reads as a density.
const MinRatioSigFigs = 3

// decimalString is v's shortest decimal representation without exponent.
func decimalString(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// RoundString rounds v to decimals places on its shortest decimal
// representation, half away from zero, and returns exactly decimals places
// ("67.20" for 67.195 at 2). decimals < 0 is treated as 0. NaN and
// infinities give "".
func RoundString(v float64, decimals int) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return ""
	}
	decimals = max(decimals, 0)
	s := decimalString(v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	for len(frac) <= decimals {
		frac += "0"
	}
	// digits holds the integer part and the kept decimals; the next digit
	// decides the rounding.
	digits := []byte(intPart + frac[:decimals])
	if frac[decimals] >= '5' {
		i := len(digits) - 1
		for ; i >= 0; i-- {
			if digits[i] == '9' {
				digits[i] = '0'
				continue
			}
			digits[i]++
			break
		}
		if i < 0 {
			digits = append([]byte{'1'}, digits...)
		}
	}
	ip := string(digits[:len(digits)-decimals])
	out := ip
	if decimals > 0 {
		out += "." + string(digits[len(digits)-decimals:])
	}
	if neg && strings.Trim(out, "0.") != "" {
		out = "-" + out
	}
	return out
}

// RoundDecimal is RoundString as a number (67.195 → 67.2 at 2 decimals).
func RoundDecimal(v float64, decimals int) float64 {
	s := RoundString(v, decimals)
	r, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return v
	}
	return r
}

// Decimals is the number of decimal places in v's shortest decimal
// representation (35.18 → 2; 1160000 → 0).
func Decimals(v float64) int {
	_, frac, _ := strings.Cut(decimalString(math.Abs(v)), ".")
	return len(frac)
}

// SigFigs counts v's significant digits in its shortest decimal
// representation; trailing zeros of a whole number do not count (1160000 →
// 3, 0.0450 → 2, 83.12 → 4). Zero has one.
func SigFigs(v float64) int {
	s := decimalString(math.Abs(v))
	if s == "0" {
		return 1
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if frac == "" {
		return len(strings.TrimRight(intPart, "0"))
	}
	return len(strings.TrimLeft(intPart+frac, "0"))
}

// RoundSignificant rounds v to n significant digits, decimally.
func RoundSignificant(v float64, n int) float64 {
	if v == 0 || math.IsNaN(v) || math.IsInf(v, 0) || n <= 0 {
		return v
	}
	mag := int(math.Floor(math.Log10(math.Abs(v))))
	d := n - 1 - mag
	if d >= 0 {
		return RoundDecimal(v, d)
	}
	p := math.Pow(10, float64(-d))
	return RoundDecimal(v/p, 0) * p
}

// RoundDerived rounds a derived figure to the precision of its inputs by the
// derivation's operation: "sum" keeps the least precise input's decimals,
// "per10k" (any ratio) the least precise input's significant digits, with
// at least MinRatioSigFigs. It returns the rounded value and the rule's
// name; an unknown operation returns v unchanged and "".
func RoundDerived(op string, v float64, inputs ...float64) (float64, string) {
	if len(inputs) == 0 {
		return v, ""
	}
	switch op {
	case "sum":
		d := Decimals(inputs[0])
		for _, in := range inputs[1:] {
			d = min(d, Decimals(in))
		}
		return RoundDecimal(v, d), RoundingSumDecimals
	case "per10k", "ratio":
		n := SigFigs(inputs[0])
		for _, in := range inputs[1:] {
			n = min(n, SigFigs(in))
		}
		return RoundSignificant(v, max(n, MinRatioSigFigs)), RoundingRatioSigFigs
	}
	return v, ""
}

// numberStyle is how a language writes numbers (CLDR conventions).
type numberStyle struct {
	decimal, group string
}

// The page languages' number symbols. French groups with a narrow no-break
// space (U+202F), Russian with a no-break space (U+00A0), both with a
// decimal comma; German groups with a full stop.
var numberStyles = map[string]numberStyle{
	"en": {".", ","},
	"fr": {",", "\u202f"},
	"de": {",", "."},
	"ru": {",", "\u00a0"},
}

// FormatNumber writes v rounded to decimals places (RoundString) in the
// language's notation; an unknown language is written as English. Years
// must go through FormatYear, never here.
func FormatNumber(v float64, decimals int, lang string) string {
	st, ok := numberStyles[lang]
	if !ok {
		st = numberStyles["en"]
	}
	s := RoundString(v, decimals)
	if s == "" {
		return ""
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	if neg {
		b.WriteString("-")
	}
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteString(st.group)
		}
		b.WriteRune(r)
	}
	if hasFrac {
		b.WriteString(st.decimal)
		b.WriteString(frac)
	}
	return b.String()
}

// FormatYear writes a year without grouping in every language ("2022",
// never "2,022").
func FormatYear(y int) string { return strconv.Itoa(y) }
