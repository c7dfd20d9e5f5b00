// Package loadbench is hwfdash's load generator: it starts real hwfdash
// servers (and their baselines) as child processes on loopback, drives them
// from this process with its own HTTP and websocket clients, and reports each
// performance target as a figure, its goal and pass/fail.
//
// Timings on a shared machine are noisy, so every goal is a ratio against a
// baseline measured in the same run, or a count. Nothing here is asserted in
// tests: `hwfdash-bench` prints the table and BENCHMARKS.md keeps a run.
package loadbench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is one measured figure against its goal.
type Result struct {
	Target string // "2. broadcast p99", numbered as in BENCHMARKS.md
	Figure string // what was measured, with its unit
	Goal   string // the target, e.g. "≥ 80 % of bare fasthttp"
	// Pass is meaningful only when Checked; report-only figures (absolute
	// timings, baselines) leave Checked false.
	Pass    bool
	Checked bool
	Note    string // how it was measured, or why it was skipped
}

// Options are the knobs of one run.
type Options struct {
	Server   string        // the hwfdash executable the server targets run (hwfdash-bench's -server)
	WorkDir  string        // scratch directory for data dirs and logs
	RedisURL string        // a Redis for the cross-instance and Redis-path targets; empty skips them
	Clients  int           // websocket clients for the broadcast target
	Updates  int           // updates for the broadcast target
	Duration time.Duration // length of each HTTP load phase
	Only     []string      // run only targets whose name contains one of these
	GoBench  string        // output of `go test -bench` with BenchmarkHubBroadcast; empty skips that row
	// Reps is how many times the ordinary client measures each peer, in
	// alternating order; LargeClients the second count (0 skips it).
	Reps         int
	LargeClients int
	Centrifugo   string // the Centrifugo executable of the second peer; empty skips it
	// ChildEnv is added to the environment of every child process (the
	// servers, the hub, Centrifugo, the baselines), after their own:
	// e.g. GOGC=off for the servers while the load generator, which
	// keeps the bench's environment, collects as usual.
	ChildEnv []string
	// ReadMessage makes the ordinary client read each frame with
	// gorilla's ReadMessage (a fresh buffer per frame) instead of into its
	// connection's own buffer.
	ReadMessage bool
	Log         *slog.Logger
}

// Target is one group of measurements.
type Target struct {
	Order int
	Name  string
	Run   func(ctx context.Context, o Options) ([]Result, error)
}

var targets []Target

// register adds a target; each target file registers itself in init.
func register(t Target) { targets = append(targets, t) }

// Run runs the selected targets in order and writes the table to w.
func Run(ctx context.Context, o Options, w io.Writer) ([]Result, error) {
	sort.SliceStable(targets, func(i, j int) bool { return targets[i].Order < targets[j].Order })
	var all []Result
	for _, t := range targets {
		if !selected(t.Name, o.Only) {
			continue
		}
		o.Log.Info("running target", "target", t.Name)
		rs, err := t.Run(ctx, o)
		if err != nil {
			rs = append(rs, Result{Target: t.Name, Figure: "error", Checked: true, Note: err.Error()})
		}
		all = append(all, rs...)
		if ctx.Err() != nil {
			break
		}
	}
	WriteTable(w, all)
	return all, ctx.Err()
}

func selected(name string, only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if strings.Contains(strings.ToLower(name), strings.ToLower(o)) {
			return true
		}
	}
	return false
}

// WriteTable prints results as a Markdown table, which BENCHMARKS.md keeps.
func WriteTable(w io.Writer, rs []Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 1, ' ', 0)
	fmt.Fprintln(tw, "| Target\t| Measured\t| Goal\t| Result\t| Note\t|")
	fmt.Fprintln(tw, "|---\t|---\t|---\t|---\t|---\t|")
	for _, r := range rs {
		verdict := "reported"
		if r.Checked {
			verdict = map[bool]string{true: "PASS", false: "FAIL"}[r.Pass]
		}
		fmt.Fprintf(tw, "| %s\t| %s\t| %s\t| %s\t| %s\t|\n", r.Target, r.Figure, r.Goal, verdict, r.Note)
	}
	tw.Flush()
}
