package indicators

import (
	"errors"
	"testing"
	"time"
)

func TestLastUpdated(t *testing.T) {
	t1 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	latest := map[string]time.Time{"HWF_0001": t1, "HWF_0006": t2, "HWF_0008": t1}
	for _, tc := range []struct {
		id   string
		want time.Time
	}{
		{"HWF_0001", t1},
		{"hwf_dnm", t2},                       // derived: the newest of HWF_0001 and HWF_0006
		{"hwf_nurses_density", t1},            // population never stored: HWF_0008's
		{"hwf_midwives_density", time.Time{}}, // no input stored: never
		{"code_dna", time.Time{}},
	} {
		ind, ok := Lookup(tc.id)
		if !ok {
			t.Fatalf("no indicator %s", tc.id)
		}
		if got := LastUpdated(ind, latest); !got.Equal(tc.want) {
			t.Errorf("%s: %v, want %v", tc.id, got, tc.want)
		}
	}
}

func TestAsOfError(t *testing.T) {
	for _, tc := range []struct {
		asOf, current int64
		want          string
	}{
		{9, 5, "as_of: version 9 is above the current data version 5"},
		{-1, 0, "as_of: -1 is not a data version (use 1 or more, 0 for live)"},
	} {
		err := AsOfError(tc.asOf, tc.current)
		var fe FieldError
		if !errors.As(err, &fe) || fe.Field != "as_of" || err.Error() != tc.want {
			t.Errorf("AsOfError(%d, %d) = %v, want %q", tc.asOf, tc.current, err, tc.want)
		}
	}
}
