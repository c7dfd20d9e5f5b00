package loadbench

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
)

func init() {
	register(Target{Order: 2, Name: "hub fan-out", Run: runHubBench})
}

// hubGoalNs is the bound on the hub's broadcast to writers that
// discard, per client per update.
const hubGoalNs = 1500

// hubLine matches BenchmarkHubBroadcast's lines in `go test -bench` output,
// e.g. "BenchmarkHubBroadcast/direct-2  860  278593 ns/op  27.86 ns/client ...".
var hubLine = regexp.MustCompile(`^BenchmarkHubBroadcast/(\w+)-\d+\s+\d+\s+[\d.]+ ns/op\s+([\d.]+) ns/client`)

// runHubBench reads the Go micro-benchmarks' output (`make bench` runs them
// first and passes the file): the hub's fan-out is measured in process by
// BenchmarkHubBroadcast, not by the load generator.
func runHubBench(_ context.Context, o Options) ([]Result, error) {
	const target = "2. hub fan-out (Go benchmark)"
	goal := fmt.Sprintf("≤ %.1f µs per client per update", float64(hubGoalNs)/1000)
	if o.GoBench == "" {
		return []Result{{Target: target, Figure: "not run", Goal: goal,
			Note: "pass -go-bench with the output of go test -bench (make bench does)"}}, nil
	}
	f, err := os.Open(o.GoBench)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	modes, failed, err := parseHubBench(bufio.NewScanner(f))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.GoBench, err)
	}
	r := Result{Target: target, Goal: goal, Checked: true,
		Note: "BenchmarkHubBroadcast: one broadcast to 10,000 subscribed clients whose connections discard; direct: each socket takes the frame at once; queued: every frame goes through the client's queue and writer goroutine"}
	direct, okD := modes["direct"]
	queued, okQ := modes["queued"]
	switch {
	case failed:
		r.Figure = "the Go benchmarks failed"
	case !okD || !okQ:
		r.Figure = "no BenchmarkHubBroadcast direct and queued lines in " + o.GoBench
	default:
		r.Figure = fmt.Sprintf("%.1f ns per client (direct); %.0f ns through the queues", direct, queued)
		r.Pass = direct <= hubGoalNs && queued <= hubGoalNs
	}
	return []Result{r}, nil
}

// parseHubBench collects ns/client by mode, and whether any package or
// benchmark failed.
func parseHubBench(sc *bufio.Scanner) (modes map[string]float64, failed bool, err error) {
	modes = map[string]float64{}
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "FAIL") || strings.HasPrefix(line, "--- FAIL") {
			failed = true
		}
		m := hubLine.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		v, err := strconv.ParseFloat(m[2], 64)
		if err != nil {
			return nil, false, err
		}
		modes[m[1]] = v
	}
	return modes, failed, sc.Err()
}
