package indicators_test

import (
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

func TestCitationWords(t *testing.T) {
	c := indicators.SeriesCitation{Indicator: "HWF_0001", Publisher: "WHO", Database: "Global Health Observatory", Vintage: "data to 2023"}
	for _, tc := range []struct{ name, got, want string }{
		{"short", c.Short(), "WHO, Global Health Observatory, HWF_0001, data to 2023"},
		{"short with a vintage in other words", c.ShortWith("données jusqu'à 2023"), "WHO, Global Health Observatory, HWF_0001, données jusqu'à 2023"},
		{"no vintage", c.ShortWith(""), "WHO, Global Health Observatory, HWF_0001"},
		{"vintage key", indicators.VintageKey("data to 2023 (newest vintage shipped)"), "vintage.data_to_2023_newest_vintage_shipped"},
		{"vintage key: punctuation and case", indicators.VintageKey("GHO export modified 2022-2023, cited 13 January 2023"), "vintage.gho_export_modified_2022_2023_cited_13_january_2023"},
		{"vintage key: leading punctuation", indicators.VintageKey("(July 2018)"), "vintage.july_2018"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, tc.got, tc.want)
		}
	}
}
