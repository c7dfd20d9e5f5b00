package indicators

import (
	"math"
	"strconv"
	"strings"
)

// Why is a status's reason as a message and its numbers, so that a page
// says it in its reader's language; the result's Reason is its English
// text, what the API, the CSV and the feeds carry. A message names its
// numbers {0}, {1}, …, the reason it goes on with {sub}, the reasons it
// lists {parts} (joined by "; ") and the Code reporting metric it counts
// {metric} (the interface's "code.metric.<metric>" message).
type Why struct {
	Key    string    `json:"key"`
	Nums   []float64 `json:"nums,omitempty"`
	Sub    *Why      `json:"sub,omitempty"`
	Parts  []*Why    `json:"parts,omitempty"`
	Metric string    `json:"metric,omitempty"`
}

// WhyMessages are the English messages of every Why key, the one source
// of a reason's English text; the page languages' messages are the
// interface's, under "why.<key>" (public/i18n), each with the same
// placeholders (a test checks both).
var WhyMessages = map[string]string{
	"no_value_up_to":         "no value up to {0}",
	"stale":                  "latest value is from {0}, older than the window {1}–{2}",
	"threshold_not_met":      "{0} in {1} does not meet the threshold; due {2}",
	"counts":                 "{0} of {1} met, {2} stale, {3} no data",
	"no_region_rule":         "no Region rule for this target; see the counts: {sub}",
	"low_coverage":           "low coverage: {0} of {1} Member States have a value from {2}–{3}; {sub}",
	"median_meets":           "median of latest values {0} meets the threshold; {sub}",
	"median_not_met":         "median of latest values {0} does not meet the threshold; {sub}",
	"own_trends_reach":       "median of {0} countries' own trends reaches {1} by {2}; {sub}",
	"own_trends_short":       "not met, and the countries' own trends do not reach it by {0}; {sub}",
	"reported_for":           "reported for {0}",
	"recorded_no":            "recorded as no for {0}",
	"not_reported":           "not reported yet",
	"no_data":                "no data",
	"no_baseline":            "no baseline value for {0}",
	"meets_target":           "{0} in {1} meets the target",
	"due_passed":             "not met and the due year {0} has passed",
	"too_few_points":         "not met, and too few recent points for a trend",
	"trend_reaches":          "trend reaches {0} by {1}",
	"trend_gives":            "trend gives {0} by {1}",
	"every_member_state_met": "every Member State met it",
	"none_answered":          "no Member State has answered yet",
	"so_far":                 "{0} of {1} so far; due {2}",
	"by_year":                "{0} of {1} by {2}",
	"regional_median":        "regional median: {sub}",
	"list_names_none":        "not on the {0} list: the list names no Member State of the European Region",
	"list_names_some":        "the {0} list names {1} countries of the European Region; which ones is not shipped",
	"list_no_breakdown":      "no regional breakdown of the {0} list was found",
	// A reporting round's headline: its cited facts, then what hwfdash
	// received, only once it received something.
	"round_facts":         "Round {0} ({1}): {parts}",
	"list_separator":      "; ", // between the reasons of {parts}
	"round_no_facts":      "Round {0} ({1}): no count cited",
	"received":            ReceivedLabel,
	"round_received":      "{sub}. " + ReceivedLabel + ": {0} of {1} answered",
	"fact_region":         "{0} {metric} in the European Region",
	"fact_region_interim": "{0} {metric} in the European Region (interim)",
	"fact_global":         "{0} {metric} globally",
	"fact_global_interim": "{0} {metric} globally (interim)",
	// An unverified jump's note: the change in per cent (its size: the
	// sign is in the message) from the year before and that year's value.
	"jump_up":   "+{0} % from {1} in {2}; not a listed series break",
	"jump_down": "-{0} % from {1} in {2}; not a listed series break",
}

// Jump is an unverified jump's facts: the change (a fraction) from the
// value From of the year before, FromYear (0: no jump).
type Jump struct {
	Change, From float64
	FromYear     int
}

// Why is the jump's note in any language (nil without a jump).
func (j Jump) Why() *Why {
	if j.FromYear == 0 {
		return nil
	}
	_, w := j.note()
	return w
}

// note is the jump's note: its English text and its Why.
func (j Jump) note() (string, *Why) {
	key := "jump_up"
	if j.Change < 0 {
		key = "jump_down"
	}
	return because(key, nil, math.Round(math.Abs(j.Change)*100), round2(j.From), float64(j.FromYear))
}

// because makes a reason: its Why and its English text.
func because(key string, sub *Why, nums ...float64) (string, *Why) {
	w := &Why{Key: key, Nums: nums, Sub: sub}
	return w.English(), w
}

// English is w's English text, the result's Reason.
func (w *Why) English() string {
	return w.Text(func(string) string { return "" }, ".")
}

// Text says w with msg, which gives an interface message by its key
// ("why.<Key>", "code.metric.<Metric>"; empty when the language has none:
// the English is used), numbers written with the decimal mark point (a
// whole number without one).
func (w *Why) Text(msg func(key string) string, point string) string {
	if w == nil {
		return ""
	}
	m := msg("why." + w.Key)
	if m == "" {
		m = WhyMessages[w.Key]
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(m, '{')
		j := strings.IndexByte(m[max(i, 0):], '}')
		if i < 0 || j < 0 {
			b.WriteString(m)
			return b.String()
		}
		j += i
		b.WriteString(m[:i])
		name := m[i+1 : j]
		switch n, err := strconv.Atoi(name); {
		case name == "sub":
			b.WriteString(w.Sub.Text(msg, point))
		case name == "parts":
			sep := msg("why.list_separator")
			if sep == "" {
				sep = WhyMessages["list_separator"]
			}
			for k, p := range w.Parts {
				if k > 0 {
					b.WriteString(sep)
				}
				b.WriteString(p.Text(msg, point))
			}
		case name == "metric":
			b.WriteString(MetricWords(w.Metric, msg))
		case err == nil && n >= 0 && n < len(w.Nums):
			b.WriteString(whyNumber(w.Nums[n], point))
		default:
			b.WriteString(m[i : j+1])
		}
		m = m[j+1:]
	}
}

// MetricWords names a Code reporting metric in msg's language (its
// "code.metric.<metric>" message), or in English: its identifier's words.
func MetricWords(metric string, msg func(key string) string) string {
	if m := msg("code.metric." + metric); m != "" {
		return m
	}
	return strings.ReplaceAll(metric, "_", " ")
}

// whyNumber writes a reason's number as it is (its maker rounded it:
// round2, sig4), with the language's decimal mark.
func whyNumber(v float64, point string) string {
	s := strconv.FormatFloat(v, 'f', -1, 64)
	if point != "." {
		s = strings.Replace(s, ".", point, 1)
	}
	return s
}

// round2 is a value as fmtValue prints it: a computed median such as
// 102.88499999999999 reads as 102.89.
func round2(v float64) float64 { return math.Round(v*100) / 100 }

// sig4 is a projection to four significant digits.
func sig4(v float64) float64 {
	r, err := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 4, 64), 64)
	if err != nil {
		return v
	}
	return r
}
