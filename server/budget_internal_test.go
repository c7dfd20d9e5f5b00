package server

import (
	"testing"
	"time"
)

// TestBudgetRefills: a key spends its burst, waits the refill time for the
// next token, and does not touch another key's bucket.
func TestBudgetRefills(t *testing.T) {
	b := newBudget(3, 2) // 3 at once, then 2 a second
	now := time.Unix(1000, 0)
	for i := range 3 {
		if ok, _ := b.take("a", now); !ok {
			t.Fatalf("token %d of the burst refused", i+1)
		}
	}
	ok, wait := b.take("a", now)
	if ok || wait != 500*time.Millisecond {
		t.Fatalf("past the burst: ok %v, wait %v; want refused, 500ms", ok, wait)
	}
	if ok, _ := b.take("b", now); !ok {
		t.Fatal("another key was refused")
	}
	if ok, _ := b.take("a", now.Add(wait)); !ok {
		t.Fatal("refused after the refill time")
	}
}

// TestResendBudget: a connection's resend bytes refill over resendWindow.
func TestResendBudget(t *testing.T) {
	r := newResendState(1000)
	now := time.Unix(1000, 0)
	for _, tc := range []struct {
		after time.Duration
		n     int
		ok    bool
	}{
		{0, 600, true},
		{0, 600, false}, // 400 left
		{resendWindow / 2, 900, true},
		{resendWindow * 10, 1000, true}, // refilled, never beyond the budget
		{0, 1, false},
	} {
		now = now.Add(tc.after)
		if got := r.spend(tc.n, now); got != tc.ok {
			t.Errorf("after %v, %d bytes: %v, want %v", tc.after, tc.n, got, tc.ok)
		}
	}
}
