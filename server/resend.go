package server

import "time"

// resendState is what a websocket connection has been resent: the version
// of each topic's payload (so a payload is resent at most once per
// version), and a byte budget refilled over resendWindow.
type resendState struct {
	sent   map[string]int64
	budget float64 // the most bytes the bucket holds
	tokens float64
	last   time.Time
}

func newResendState(budget int) *resendState {
	return &resendState{sent: map[string]int64{}, budget: float64(budget), tokens: float64(budget)}
}

// spend takes n bytes from the budget at now, and reports whether they
// were there.
func (r *resendState) spend(n int, now time.Time) bool {
	if !r.last.IsZero() {
		r.tokens = min(r.budget, r.tokens+r.budget*now.Sub(r.last).Seconds()/resendWindow.Seconds())
	}
	r.last = now
	if float64(n) > r.tokens {
		return false
	}
	r.tokens -= float64(n)
	return true
}
