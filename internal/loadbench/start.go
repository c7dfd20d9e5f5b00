package loadbench

import (
	"context"
	"fmt"
	"strings"
	"time"
)

func init() {
	register(Target{Order: 7, Name: "7. start", Run: runStart})
}

const startRestarts = 3

// runStart seeds a store with a first start, then restarts the server on
// the same data directory and times each start until /readyz answers 200:
// the process's exec, the store's open and seed check, the assets' load and
// compression, and the listener.
func runStart(ctx context.Context, o Options) ([]Result, error) {
	first, err := StartServer(ctx, o, "start", "")
	if err != nil {
		return nil, err
	}
	first.Stop()
	var ready []time.Duration
	var figs []string
	for range startRestarts {
		p, err := StartServer(ctx, o, "start", first.DataDir)
		if err != nil {
			return nil, err
		}
		p.Stop()
		ready = append(ready, p.Ready)
		figs = append(figs, ms(p.Ready))
	}
	med := median(ready)
	return []Result{{
		Target: "7. start: ready on a seeded store",
		Figure: fmt.Sprintf("%s (median of %s; first start with seeding %s)", ms(med), strings.Join(figs, ", "), ms(first.Ready)),
		Goal:   "≤ 1 s", Checked: true, Pass: med <= time.Second,
		Note: "from exec to the first 200 from /readyz (polled every 5 ms), embedded SQLite store seeded by a first start",
	}}, nil
}
