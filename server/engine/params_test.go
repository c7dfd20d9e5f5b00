package engine

import (
	"testing"
	"unicode/utf8"
)

// Seed corpora live in testdata/fuzz/<target>; `make fuzz-short` runs each
// briefly.

func FuzzParseTime(f *testing.F) {
	for _, s := range []string{"2020", "2000..2022", "..2022", "2000..", "..", "2022..2000", "99999", "２０２０"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := ParseTime(s, 2026)
		if err != nil {
			return
		}
		for _, y := range []int{r.From, r.To} {
			if y != 0 && (y < MinYear || y > 2026) {
				t.Fatalf("%q gave year %d out of range", s, y)
			}
		}
		if r.From != 0 && r.To != 0 && r.From > r.To {
			t.Fatalf("%q gave reversed range %+v", s, r)
		}
	})
}

func FuzzParseYear(f *testing.F) {
	for _, s := range []string{"2020", "1949", "+202", "0x10", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if y, err := ParseYear(s, 2026); err == nil && (y < MinYear || y > 2026) {
			t.Fatalf("%q gave %d", s, y)
		}
	})
}

func FuzzParseCountries(f *testing.F) {
	for _, s := range []string{"AUT,DEU", "eu27", ",,", "aut, aut ,ALL", "XXX"} {
		f.Add(s)
	}
	known := map[string][]string{"AUT": {"AUT"}, "DEU": {"DEU"}, "EU27": {"AUT", "DEU"}}
	expand := func(tok string) ([]string, bool) {
		v, ok := known[upper(tok)]
		return v, ok
	}
	f.Fuzz(func(t *testing.T, s string) {
		codes, err := ParseCountries(s, expand)
		if err != nil {
			if !utf8.ValidString(err.Error()) && utf8.ValidString(s) {
				t.Fatalf("invalid UTF-8 in error for %q", s)
			}
			return
		}
		seen := map[string]bool{}
		for _, c := range codes {
			if seen[c] {
				t.Fatalf("%q: duplicate %s", s, c)
			}
			seen[c] = true
		}
	})
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return string(b)
}
