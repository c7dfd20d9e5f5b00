package loadbench

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

func TestQuantile(t *testing.T) {
	ms := func(n ...int) latencies {
		var l latencies
		for _, v := range n {
			l = append(l, time.Duration(v)*time.Millisecond)
		}
		return l
	}
	tests := []struct {
		name string
		l    latencies
		q    float64
		want time.Duration
	}{
		{"empty", nil, 0.99, 0},
		{"one", ms(7), 0.99, 7 * time.Millisecond},
		{"median of odd", ms(1, 2, 3), 0.5, 2 * time.Millisecond},
		{"p99 of 100 is the 99th", ms(seq(100)...), 0.99, 99 * time.Millisecond},
		{"max", ms(1, 2, 3), 1, 3 * time.Millisecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.l.quantile(tt.q); got != tt.want {
				t.Errorf("quantile(%v) = %v, want %v", tt.q, got, tt.want)
			}
		})
	}
}

func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

func TestSelected(t *testing.T) {
	tests := []struct {
		name string
		only []string
		want bool
	}{
		{"no filter", nil, true},
		{"word of the name", []string{"reads"}, true},
		{"any of several", []string{"pages", "READS"}, true},
		{"none", []string{"stampede"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := selected("1. cached reads", tt.only); got != tt.want {
				t.Errorf("selected = %v, want %v", got, tt.want)
			}
		})
	}
}

// TestLoadClientAgainstBaseline drives the bare baseline in process with
// both load shapes and checks that every request was answered with the
// whole body; no timing is asserted.
func TestLoadClientAgainstBaseline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	body := []byte(`{"rows":[1,2,3]}`)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveBaseline(ctx, ln, body) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	if got, err := fetch(addr, "/x"); err != nil || string(got) != string(body) {
		t.Fatalf("fetch = %q, %v", got, err)
	}
	rate, err := maxRate(ctx, addr, "/x", len(body), 4, 200*time.Millisecond)
	if err != nil || rate <= 0 {
		t.Fatalf("maxRate = %v, %v", rate, err)
	}
	lat, err := constantRate(ctx, addr, "/x", len(body), 4, 500, 200*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	if len(lat) != 100 {
		t.Errorf("%d latencies, want 100", len(lat))
	}
	// A wrong length is an error, not a silent success.
	if _, err := maxRate(ctx, addr, "/x", len(body)+1, 2, 100*time.Millisecond); err == nil {
		t.Error("maxRate accepted a body of the wrong length")
	} else if errors.Is(err, context.Canceled) {
		t.Errorf("maxRate: %v, want the length error", err)
	}
}
