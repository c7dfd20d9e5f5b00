package charts

import (
	"math"
	"strconv"
)

// fmtNum prints a value as its shortest exact decimal ("44.5", "49"): the
// one number format of the charts' own labels.
func fmtNum(v float64) string {
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// percent is part of whole in per cent, rounded to one decimal.
func percent(part, whole float64) float64 {
	return math.Round(1000*part/whole) / 10
}

// name is a Member State's name, or its ISO3 code where it has none.
func name(names map[string]string, iso3 string) string {
	if n, ok := names[iso3]; ok && n != "" {
		return n
	}
	return iso3
}

// countryNames gives name for each code.
func countryNames(codes []string, names map[string]string) []string {
	out := make([]string, len(codes))
	for i, c := range codes {
		out[i] = name(names, c)
	}
	return out
}
