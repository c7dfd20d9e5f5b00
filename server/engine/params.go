package engine

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/hwfdash/hwfdash/public"
)

// ParseLang reads the lang parameter of an API answer: one of the site's
// languages (any case), or "en" when empty; anything else is an error
// naming the field.
func ParseLang(s string) (string, error) {
	if s == "" {
		return "en", nil
	}
	if public.Negotiate(s, "") != strings.ToLower(s) {
		return "", badParam("lang", fmt.Errorf("%q: use one of %s", truncate(s, 10), strings.Join(public.Languages(), ", ")))
	}
	return strings.ToLower(s), nil
}

// MinYear is the earliest year the API accepts in queries and submissions.
const MinYear = 1950

// TimeRange is an inclusive range of years; a zero bound is open.
type TimeRange struct {
	From, To int
}

// Param writes the range as the `time` parameter ParseTime reads:
// "2000..2022", "2000..", "..2022".
func (r TimeRange) Param() string {
	return yearStr(r.From) + ".." + yearStr(r.To)
}

// ParseTime parses the `time` query parameter: "2020", "2000..2022",
// "2000.." or "..2022". Empty means all years. Years must lie in
// MinYear..currentYear and From must not exceed To.
func ParseTime(s string, currentYear int) (TimeRange, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return TimeRange{}, nil
	}
	if len(s) > 32 {
		return TimeRange{}, fmt.Errorf("too long")
	}
	from, to, isRange := strings.Cut(s, "..")
	if !isRange {
		y, err := parseYear(s, currentYear)
		if err != nil {
			return TimeRange{}, err
		}
		return TimeRange{y, y}, nil
	}
	var r TimeRange
	var err error
	if from != "" {
		if r.From, err = parseYear(from, currentYear); err != nil {
			return TimeRange{}, err
		}
	}
	if to != "" {
		if r.To, err = parseYear(to, currentYear); err != nil {
			return TimeRange{}, err
		}
	}
	if from == "" && to == "" {
		return TimeRange{}, fmt.Errorf("%q has no year: use YYYY, YYYY..YYYY, YYYY.. or ..YYYY", s)
	}
	if r.From != 0 && r.To != 0 && r.From > r.To {
		return TimeRange{}, fmt.Errorf("start year %d is after end year %d", r.From, r.To)
	}
	return r, nil
}

// ParseYear parses a single year within MinYear..currentYear.
func ParseYear(s string, currentYear int) (int, error) {
	return parseYear(strings.TrimSpace(s), currentYear)
}

func parseYear(s string, currentYear int) (int, error) {
	if len(s) != 4 {
		return 0, fmt.Errorf("%q is not a four-digit year", truncate(s, 16))
	}
	y, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a four-digit year", truncate(s, 16))
	}
	if y < MinYear || y > currentYear {
		return 0, fmt.Errorf("year %d is outside %d..%d", y, MinYear, currentYear)
	}
	return y, nil
}

// ParseCountries parses the `countries` query parameter: ISO3 codes or group
// names (as listed by /api/v1/countries, e.g. "EU27"), comma-separated,
// case-insensitive for codes. It returns the codes, deduplicated, in the
// order given. expand resolves a token to ISO3 codes or reports false.
func ParseCountries(s string, expand func(string) ([]string, bool)) ([]string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if len(s) > 2048 {
		return nil, fmt.Errorf("too long")
	}
	var out []string
	seen := map[string]bool{}
	for _, tok := range strings.Split(s, ",") {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		codes, ok := expand(tok)
		if !ok {
			return nil, fmt.Errorf("unknown country or group %q", truncate(tok, 40))
		}
		for _, c := range codes {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no country given")
	}
	// Sorted, so that every order of one list names one cached payload and
	// one topic.
	sort.Strings(out)
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
