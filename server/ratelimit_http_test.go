package server_test

import (
	"net/http"
	"testing"
)

func TestWriteRateLimit(t *testing.T) {
	a := startApp(t, appOptions{rate: 3})
	row := obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 1, Source: "s"}
	var statuses []int
	for i := 0; i < 5; i++ {
		s, _ := submit(t, a.URL, adminToken, row)
		statuses = append(statuses, s)
	}
	if statuses[0] != http.StatusCreated || statuses[4] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v: want 201 first and 429 last", statuses)
	}
}

// TestWriteRateLimitAcrossInstances: two instances sharing Redis count
// writes against one limit, so writing to each in turn does not double it.
func TestWriteRateLimitAcrossInstances(t *testing.T) {
	requireRedis(t)
	prefix := "hwfdash-test-" + randHex(4) + ":"
	a := startApp(t, appOptions{rate: 3, redisURL: redisURL, prefix: prefix})
	b := startApp(t, appOptions{rate: 3, redisURL: redisURL, prefix: prefix})
	row := obsRow{Indicator: "HWF_0001", ISO3: "AUT", Year: 2024, Value: 1, Source: "s"}
	var statuses []int
	for i := range 4 {
		base := a.URL
		if i%2 == 1 {
			base = b.URL
		}
		s, _ := submit(t, base, adminToken, row)
		statuses = append(statuses, s)
	}
	if statuses[0] != http.StatusCreated || statuses[3] != http.StatusTooManyRequests {
		t.Fatalf("statuses %v: want 201 first and 429 for the fourth write, counted over both instances", statuses)
	}
}
