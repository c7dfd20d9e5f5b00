package importer

// A rejected row or an ignored one carries a code as well as its English
// text: the import page says it in the reader's language from the code and
// its parameters (import.err.<code> and import.why.<code> in public/i18n),
// and falls back to the text for a code it does not know. The API keeps
// both.

// problem builds a rejected row's Problem; params are pairs of name and
// value, besides the value found, which the page names as {value}.
func problem(line int, field, value, code, message string, params ...string) *Problem {
	p := &Problem{Line: line, Field: field, Value: value, Message: message, Code: code}
	if len(params) > 0 {
		p.Params = make(map[string]string, len(params)/2)
		for i := 0; i+1 < len(params); i += 2 {
			p.Params[params[i]] = params[i+1]
		}
	}
	return p
}

// Why is why rows are ignored: a code, its English text and at most one
// parameter, named Key (the series not imported, a GHO area's type). It is
// comparable: the rows ignored are counted by Why and area.
type Why struct {
	Code, Text string
	Key, Val   string
}

func (w Why) params() map[string]string {
	if w.Key == "" {
		return nil
	}
	return map[string]string{w.Key: w.Val}
}

// Why areas are not imported, and the other reasons rows are ignored.
var (
	areaUnknown      = Why{Code: "unknown_area", Text: "unknown area code"}
	areaNonMember    = Why{Code: "non_member", Text: "not a Member State of the WHO European Region"}
	areaAggregate    = Why{Code: "aggregate", Text: "aggregate of countries"}
	areaLevel        = Why{Code: "level", Text: "not the mapping's regional level"}
	areaExtra        = Why{Code: "extra_regio", Text: "extra-regio (not a region)"}
	whyNoValue       = Why{Code: "no_value", Text: "no value"}
	whyRatioTainted  = Why{Code: "ratio_tainted", Text: "ratio not computed: a regional row was rejected"}
	whyRatioFew      = Why{Code: "ratio_few_regions", Text: "fewer than two regions with a value"}
	whyRatioZero     = Why{Code: "ratio_zero", Text: "lowest regional value is 0: no ratio"}
	whySeriesSkipped = func(series string) Why {
		return Why{Code: "series_skipped", Text: "series not imported (" + series + ")", Key: "series", Val: series}
	}
	whyNotCountry = func(typ string) Why {
		return Why{Code: "not_country", Text: "not a country (SpatialDimType " + typ + ")", Key: "type", Val: typ}
	}
)

// ProblemCodes and WhyCodes are every code a Problem or an Ignored can
// carry, with the parameters its message may name: the tests check that
// each has a message in every language of the pages and that no other
// code is emitted.
var (
	ProblemCodes = map[string][]string{
		"not_object":      {},
		"json_scalar":     {"value"},
		"not_string":      {"value"},
		"not_number":      {"value"},
		"malformed_csv":   {"detail"},
		"fields_count":    {"got", "want"},
		"action":          {"value"},
		"not_data_row":    {"detail"},
		"unknown_series":  {"value", "mapping"},
		"unknown_area":    {"value"},
		"not_annual":      {"value"},
		"year_range":      {"value", "min", "max"},
		"unit_mismatch":   {"value", "mapping", "unit", "series"},
		"unknown_flag":    {"value", "flag", "mapping"},
		"duplicate_key":   {"indicator", "area", "year", "line"},
		"yes_no":          {"value", "indicator"},
		"value_range":     {"value", "indicator", "range"},
		"regional_below0": {"value"},
		"more_rejected":   {"count"},
	}
	WhyCodes = map[string][]string{
		"non_member":        {},
		"aggregate":         {},
		"level":             {},
		"extra_regio":       {},
		"no_value":          {},
		"ratio_tainted":     {},
		"ratio_few_regions": {},
		"ratio_zero":        {},
		"series_skipped":    {"series"},
		"not_country":       {"type"},
	}
)
