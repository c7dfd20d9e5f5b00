package store

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/hwfdash/hwfdash/indicators"
)

func TestChanges(t *testing.T) {
	t.Parallel()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		testChanges(t, openTest(t, "", t.TempDir()))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		testChanges(t, openTest(t, pgSchema(t, pgBase(t)), ""))
	})
}

func testChanges(t *testing.T, db *DB) {
	ctx := context.Background()
	if got, err := db.Changes(ctx, indicators.ChangeFilter{}, 10); err != nil || len(got) != 0 {
		t.Fatalf("empty store: %v, %v", got, err)
	}
	for _, w := range []struct {
		author string
		obs    []indicators.Observation
	}{
		{"ministry AUT", []indicators.Observation{
			obs("HWF_0001", "AUT", 2021, 54, "m"), obs("HWF_0001", "AUT", 2020, 53, "m"), obs("HWF_0006", "AUT", 2020, 100, "m")}},
		{"importer", []indicators.Observation{obs("HWF_0001", "DEU", 2020, 40, "i"), obs("HWF_0001", "AUT", 2020, 52, "i")}},
		{"ministry DEU", []indicators.Observation{obs("HWF_0006", "DEU", 2019, 90, "m")}},
	} {
		if _, err := db.Append(ctx, w.obs, w.author); err != nil {
			t.Fatal(err)
		}
	}
	// Each change as "version indicator iso3 author years".
	show := func(cs []indicators.Change) string {
		var out []string
		for _, c := range cs {
			var years []string
			if len(c.Previous) != len(c.Rows) {
				t.Errorf("change %d %s %s: %d previous values for %d rows", c.Version, c.Indicator, c.ISO3, len(c.Previous), len(c.Rows))
			}
			for i, o := range c.Rows {
				if o.Version != c.Version || o.Indicator != c.Indicator || o.ISO3 != c.ISO3 || o.Author != c.Author || !o.RecordedAt.Equal(c.RecordedAt) {
					t.Errorf("row %+v does not belong to change %d %s %s", o, c.Version, c.Indicator, c.ISO3)
				}
				y := fmt.Sprint(o.Year)
				if i < len(c.Previous) && c.Previous[i] != nil {
					y += fmt.Sprintf(" (was %v)", *c.Previous[i])
				}
				years = append(years, y)
			}
			out = append(out, fmt.Sprintf("%d %s %s %s %s", c.Version, c.Indicator, c.ISO3, c.Author, strings.Join(years, ",")))
		}
		return strings.Join(out, "; ")
	}
	for _, tc := range []struct {
		name   string
		filter indicators.ChangeFilter
		limit  int
		want   string
	}{
		{"all", indicators.ChangeFilter{}, 0,
			"3 HWF_0006 DEU ministry DEU 2019; 2 HWF_0001 AUT importer 2020 (was 53); 2 HWF_0001 DEU importer 2020; " +
				"1 HWF_0001 AUT ministry AUT 2020,2021; 1 HWF_0006 AUT ministry AUT 2020"},
		{"limit counts entries, not rows", indicators.ChangeFilter{}, 4,
			"3 HWF_0006 DEU ministry DEU 2019; 2 HWF_0001 AUT importer 2020 (was 53); 2 HWF_0001 DEU importer 2020; " +
				"1 HWF_0001 AUT ministry AUT 2020,2021"},
		{"country", indicators.ChangeFilter{Country: "AUT"}, 0,
			"2 HWF_0001 AUT importer 2020 (was 53); 1 HWF_0001 AUT ministry AUT 2020,2021; 1 HWF_0006 AUT ministry AUT 2020"},
		{"indicator", indicators.ChangeFilter{Indicator: "HWF_0006"}, 10,
			"3 HWF_0006 DEU ministry DEU 2019; 1 HWF_0006 AUT ministry AUT 2020"},
		{"both", indicators.ChangeFilter{Country: "DEU", Indicator: "HWF_0001"}, 0, "2 HWF_0001 DEU importer 2020"},
		{"none", indicators.ChangeFilter{Country: "FRA"}, 0, ""},
		{"without an author", indicators.ChangeFilter{Indicator: "HWF_0001", ExcludeAuthor: "importer"}, 0,
			"1 HWF_0001 AUT ministry AUT 2020,2021"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := db.Changes(ctx, tc.filter, tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if s := show(got); s != tc.want {
				t.Errorf("changes =\n%s\nwant\n%s", s, tc.want)
			}
		})
	}
}
