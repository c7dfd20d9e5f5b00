package server

import (
	"context"
	"errors"
	"testing"
	"time"
)

// fakeCounter is a shared counter that counts in a map, or fails.
type fakeCounter struct {
	n    map[string]int64
	fail bool
}

func (f *fakeCounter) Count(_ context.Context, key string, _ time.Duration) (int64, error) {
	if f.fail {
		return 0, errors.New("redis down")
	}
	f.n[key]++
	return f.n[key], nil
}

// TestLimiterShared checks that the limiter counts in the shared counter
// when it answers (so what other instances counted there is seen), and in
// process while it fails.
func TestLimiterShared(t *testing.T) {
	for _, tc := range []struct {
		name    string
		shared  *fakeCounter
		already int64 // writes other instances counted under the key
		want    []bool
	}{
		{"in process only", nil, 0, []bool{true, true, true, false}},
		{"shared, nothing counted elsewhere", &fakeCounter{n: map[string]int64{}}, 0, []bool{true, true, true, false}},
		{"shared, two counted elsewhere", &fakeCounter{n: map[string]int64{}}, 2, []bool{true, false, false, false}},
		{"shared counter failing", &fakeCounter{n: map[string]int64{}, fail: true}, 0, []bool{true, true, true, false}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var rc RateCounter
			if tc.shared != nil {
				tc.shared.n["token:x"] = tc.already
				rc = tc.shared
			}
			l := newLimiter(3, time.Minute, rc)
			for i, want := range tc.want {
				if got := l.allow(context.Background(), "token:x"); got != want {
					t.Fatalf("write %d: allowed %v, want %v", i+1, got, want)
				}
			}
		})
	}
}
