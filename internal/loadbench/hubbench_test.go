package loadbench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHubBenchRow(t *testing.T) {
	const direct = "BenchmarkHubBroadcast/direct-2     \t     860\t    278593 ns/op\t        27.86 ns/client\t     242 B/op\t       3 allocs/op\n"
	const queued = "BenchmarkHubBroadcast/queued-2     \t      61\t   3792323 ns/op\t       379.2 ns/client\t  255917 B/op\t   10500 allocs/op\n"
	const slow = "BenchmarkHubBroadcast/queued-2     \t      61\t  17920000 ns/op\t      1792 ns/client\t  255917 B/op\t   10500 allocs/op\n"
	tests := []struct {
		name   string
		output string
		pass   bool
		figure string
	}{
		{"both within the goal", "pkg: x\n" + direct + queued + "ok  \tx\t3.1s\n", true, "27.9 ns per client (direct); 379 ns through the queues"},
		{"queued over the goal", direct + slow, false, "27.9 ns per client (direct); 1792 ns through the queues"},
		{"a mode missing", direct, false, "no BenchmarkHubBroadcast direct and queued lines in"},
		{"a package failed", direct + queued + "--- FAIL: BenchmarkX\nFAIL\tx\t1s\n", false, "the Go benchmarks failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "go-bench.txt")
			if err := os.WriteFile(path, []byte(tt.output), 0o644); err != nil {
				t.Fatal(err)
			}
			rs, err := runHubBench(context.Background(), Options{GoBench: path})
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != 1 || !rs[0].Checked || rs[0].Pass != tt.pass || !strings.HasPrefix(rs[0].Figure, tt.figure) {
				t.Fatalf("got %+v, want pass %v with figure %q", rs, tt.pass, tt.figure)
			}
		})
	}
	rs, err := runHubBench(context.Background(), Options{})
	if err != nil || len(rs) != 1 || rs[0].Checked {
		t.Fatalf("without -go-bench: %+v, %v; want one unchecked row", rs, err)
	}
	if _, err := runHubBench(context.Background(), Options{GoBench: filepath.Join(t.TempDir(), "missing")}); err == nil {
		t.Fatal("a missing file: no error")
	}
}
