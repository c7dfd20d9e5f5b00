package seeddata

import (
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

// TestShippedAnomalies runs the anomaly rule and the parent check over the
// shipped series: the jumps the issue names are flagged, the listed breaks
// are not, and computed nurse densities above the published nursing and
// midwifery density are withheld.
func TestShippedAnomalies(t *testing.T) {
	ds, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	by := map[string][]indicators.Observation{}
	for _, o := range ds.Observations {
		by[o.Indicator] = append(by[o.Indicator], o)
	}
	flagged := map[indicators.Key]bool{}
	total := 0
	breaks := indicators.IndexBreaks(ds.Breaks)
	for _, id := range []string{"HWF_0001", "HWF_0006", "HWF_0010", "HWF_0014"} {
		for _, o := range indicators.FlagJumps(by[id], breaks) {
			if o.Flag == indicators.FlagUnverifiedJump {
				flagged[o.Key()] = true
				total++
				if o.Break {
					t.Errorf("%v is a listed break and flagged", o.Key())
				}
			}
		}
	}
	for _, k := range []indicators.Key{
		{Indicator: "HWF_0014", ISO3: "CYP", Year: 2015},
		{Indicator: "HWF_0014", ISO3: "ROU", Year: 1999},
	} {
		if !flagged[k] {
			t.Errorf("%v not flagged", k)
		}
	}
	if flagged[indicators.Key{Indicator: "HWF_0006", ISO3: "RUS", Year: 1995}] {
		t.Error("RUS 1995 lies in a listed break")
	}
	t.Logf("%d unverified jumps in the density series", total)

	nurses, _ := indicators.Lookup("hwf_nurses_density")
	derived := indicators.Derive(nurses, map[string][]indicators.Observation{"HWF_0008": by["HWF_0008"], "SP.POP.TOTL": by["SP.POP.TOTL"]})
	kept, withheld := indicators.WithholdContradictions(nurses, derived, by, nil)
	if len(withheld) == 0 || len(kept)+len(withheld) != len(derived) {
		t.Fatalf("kept %d withheld %d of %d", len(kept), len(withheld), len(derived))
	}
	deu2019 := false
	for _, w := range withheld {
		deu2019 = deu2019 || (w.ISO3 == "DEU" && w.Year == 2019)
	}
	if !deu2019 {
		t.Error("DEU 2019 (computed 139.6 beside a published 120.27) not withheld")
	}
	t.Logf("%d of %d computed nurse densities withheld", len(withheld), len(derived))
}
