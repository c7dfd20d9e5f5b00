package loadbench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// peerRun is one peer's series on a fresh server.
type peerRun struct {
	series ordSeries
	cpu    float64 // server CPU per client per update, µs
	gen    float64 // load generator CPU per client per update, µs
	// The server's context switches per update, over its threads: the
	// involuntary ones are the kernel taking a core from it mid-work.
	volSwitches, invSwitches float64
}

// ctxSwitches sums a process's voluntary and involuntary context switches
// over its threads, from /proc (Linux; zero elsewhere).
func ctxSwitches(pid int) (vol, inv int64) {
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/status", pid))
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "voluntary_ctxt_switches:"); ok {
				n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				vol += n
			} else if v, ok := strings.CutPrefix(line, "nonvoluntary_ctxt_switches:"); ok {
				n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
				inv += n
			}
		}
	}
	return vol, inv
}

// peerKind starts a fresh server of one peer and describes it to the fleet.
type peerKind struct {
	name  string
	proc  string // the child's name: its log is <proc>.log, its updates' trace <proc>-updates.tsv
	start func(ctx context.Context, o Options, size int) (*Proc, *peerSpec, error)
	warm  func(ctx context.Context, p *Proc) error // after the clients came, before the series
}

func hwfdashKind(name string) peerKind {
	token := randomToken()
	return peerKind{
		name: "hwfdash", proc: name,
		start: func(ctx context.Context, o Options, _ int) (*Proc, *peerSpec, error) {
			p, err := StartServer(ctx, o, name, "", bcServerEnv(token)...)
			if err != nil {
				return nil, nil, err
			}
			return p, hwfdashPeer(p, token), nil
		},
		// The server collects the handshakes' garbage before the series.
		warm: func(ctx context.Context, p *Proc) error { _, err := settle(ctx, p, token); return err },
	}
}

func hubKind(name string) peerKind {
	return peerKind{name: "textbook hub", proc: name, start: func(ctx context.Context, o Options, size int) (*Proc, *peerSpec, error) {
		p, err := StartTextbookHub(ctx, o, name)
		if err != nil {
			return nil, nil, err
		}
		return p, hubPeer(p, size), nil
	}}
}

// bareKind is the floor (barewriter.go): the hub's protocol, and of a
// server's work per client only the system call.
func bareKind(name string) peerKind {
	return peerKind{name: "bare writer", proc: name, start: func(ctx context.Context, o Options, size int) (*Proc, *peerSpec, error) {
		p, err := StartBareWriter(ctx, o, name)
		if err != nil {
			return nil, nil, err
		}
		spec := hubPeer(p, size)
		spec.name = "bare writer"
		return p, spec, nil
	}}
}

func centrifugoKind(name string) peerKind {
	return peerKind{name: "Centrifugo", proc: name, start: func(ctx context.Context, o Options, size int) (*Proc, *peerSpec, error) {
		p, err := StartCentrifugo(ctx, o, name)
		if err != nil {
			return nil, nil, err
		}
		return p, centrifugoPeer(p, size), nil
	}}
}

// warmUpdates are the updates each peer's run sends before it measures.
// In the first run of a bench process the first four or so updates were
// about 1.5× slower than the rest for whichever peer ran first (hwfdash or
// the hub, with or without the servers' collector: traces of 3 December
// 2026): the load generator's and the kernel's warm-up (new goroutine
// stacks, first page faults, socket buffers growing), not the peer's.
// One warm-up update left most of it in the measured series.
const warmUpdates = 5

// runPeer measures one peer with n ordinary clients on a fresh server:
// warmUpdates unmeasured updates, then updates, then everything is closed.
func runPeer(ctx context.Context, o Options, k peerKind, n, updates, size int) (peerRun, int, error) {
	p, spec, err := k.start(ctx, o, size)
	if err != nil {
		return peerRun{}, 0, err
	}
	defer p.Stop()
	f := newOrdFleet(spec, o.ReadMessage)
	defer f.close()
	if err := f.grow(ctx, n); err != nil {
		return peerRun{}, 0, err
	}
	if k.warm != nil {
		if err := k.warm(ctx, p); err != nil {
			return peerRun{}, 0, err
		}
	}
	if _, err := f.measure(ctx, warmUpdates, 0); err != nil {
		return peerRun{}, 0, err
	}
	cpu0, _ := cpuTime(p.PID())
	gen0, _ := cpuTime(os.Getpid())
	vol0, inv0 := ctxSwitches(p.PID())
	ser, err := f.measure(ctx, updates, warmUpdates)
	if err != nil {
		return peerRun{}, 0, err
	}
	cpu1, _ := cpuTime(p.PID())
	gen1, _ := cpuTime(os.Getpid())
	vol1, inv1 := ctxSwitches(p.PID())
	if err := writeTrace(filepath.Join(o.WorkDir, k.proc+"-updates.tsv"), p.Started, ser); err != nil {
		o.Log.Warn("update trace not written", "err", err)
	}
	per := func(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1000 / float64(updates*n) }
	return peerRun{series: ser, cpu: per(cpu1 - cpu0), gen: per(gen1 - gen0),
		volSwitches: float64(vol1-vol0) / float64(updates), invSwitches: float64(inv1-inv0) / float64(updates)}, int(f.frameSize.Load()), nil
}

// peerRuns are a peer's series over the repetitions.
type peerRuns struct {
	name string
	runs []peerRun
	err  error
}

// pooled is the peer's receipts of every repetition together.
func (pr peerRuns) pooled() updateStats {
	var m updateStats
	for i, r := range pr.runs {
		if i == 0 {
			m = r.series.stats
			continue
		}
		lasts := slices.Concat(m.lasts, r.series.stats.lasts)
		slices.Sort(lasts)
		m = merge(m, r.series.stats)
		m.lasts = lasts
	}
	if len(m.lasts) > 0 {
		m.medianLast = usDur(percentile(m.lasts, 50))
	}
	return m
}

func (pr peerRuns) outliers() (n, of int) {
	for _, r := range pr.runs {
		n += r.series.outliers
		of += r.series.stats.updates
	}
	return n, of
}

// figure is "p50 / p99 / last" pooled, and each repetition's.
func (pr peerRuns) figure() string {
	if pr.err != nil {
		return "error"
	}
	if len(pr.runs) == 0 {
		return "not run"
	}
	st := pr.pooled()
	s := fmt.Sprintf("%s / %s / %s", msShort(st.p50), msShort(st.p99), msShort(st.worstLast))
	if len(pr.runs) > 1 {
		var each []string
		for _, r := range pr.runs {
			x := r.series.stats
			each = append(each, fmt.Sprintf("%s / %s / %s", msShort(x.p50), msShort(x.p99), msShort(x.worstLast)))
		}
		s += " (runs: " + strings.Join(each, "; ") + ")"
	}
	return s
}

func (pr peerRuns) note() string {
	if pr.err != nil {
		return pr.err.Error()
	}
	var cpu, gen, reply, sw, floor []string
	cores := float64(runtime.NumCPU())
	for _, r := range pr.runs {
		// Server and load generator share the machine's cores: no update's
		// last client can come before their CPU time for it, spread over
		// every core, has been spent.
		floor = append(floor, fmt.Sprintf("%.0f", float64(r.series.stats.clients)*(r.cpu+r.gen)/cores/1000))
		sw = append(sw, fmt.Sprintf("%.0f / %.0f", r.volSwitches, r.invSwitches))
		cpu = append(cpu, fmt.Sprintf("%.1f", r.cpu))
		gen = append(gen, fmt.Sprintf("%.1f", r.gen))
		reply = append(reply, msShort(r.series.medianReply))
	}
	st := pr.pooled()
	o, of := pr.outliers()
	return fmt.Sprintf("median last client %s; last clients beyond 1.5× their run's median: %d of %d updates; lost %d, duplicated %d; trigger answered in %s ms (median); CPU per client per update: server %s µs, load generator %s µs; CPU floor of the last client (clients × both CPUs per client and update / %d cores): %s ms; server context switches per update, voluntary / involuntary: %s",
		msShort(st.medianLast), o, of, st.lost, st.duplicated, strings.Join(reply, ", "), strings.Join(cpu, ", "), strings.Join(gen, ", "), int(cores), strings.Join(floor, ", "), strings.Join(sw, ", "))
}

func msShort(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d.Microseconds())/1000) }

// runOrdinary measures hwfdash, the textbook hub and (when present)
// Centrifugo with the ordinary client, each on a fresh server, in
// repetitions of alternating order, then each at the large count.
func runOrdinary(ctx context.Context, o Options) ([]Result, error) {
	budget, fdNote := fdBudget()
	n := min(o.bcClients(), budget)
	updates := o.bcUpdates()
	reps := max(1, o.Reps)
	kinds := []func(string) peerKind{hwfdashKind, hubKind}
	if o.Centrifugo != "" {
		kinds = append(kinds, centrifugoKind)
	}
	// The floor runs in the same repetitions as the peers, so that it meets
	// the machine as they do.
	kinds = append(kinds, bareKind)
	floorAt := len(kinds) - 1
	all := make([]peerRuns, len(kinds))
	size := 0
	for r := range reps {
		for j := range kinds {
			i := j
			if r%2 == 1 { // alternate the order, so the machine's other load weighs on all alike
				i = len(kinds) - 1 - j
			}
			k := kinds[i](fmt.Sprintf("ordinary-%d-%d", i, r))
			all[i].name = k.name
			if all[i].err != nil {
				continue
			}
			if i > 0 && size == 0 {
				all[i].err = errNoFrameSize
				continue
			}
			o.Log.Info("ordinary client", "peer", k.name, "clients", n, "repetition", r+1)
			run, fs, err := runPeer(ctx, o, k, n, updates, size)
			if err != nil {
				if ctx.Err() != nil {
					return nil, err
				}
				all[i].err = err
				continue
			}
			if i == 0 && size == 0 {
				size = fs
			}
			all[i].runs = append(all[i].runs, run)
		}
	}
	hw, hub := all[0], all[1]
	read := "a read of the next whole frame into the connection's own buffer"
	if o.ReadMessage {
		read = "ReadMessage (a fresh buffer per frame)"
	}
	how := fmt.Sprintf("gorilla/websocket client, one goroutine per connection blocked in %s, %d loopback source addresses; clock from just before the triggering POST to each client's read; %d clients, %d updates one after the other (each once every client has the previous), frames of %d bytes; a fresh server per run, %d repetitions in alternating order",
		read, ordSources, n, updates, size, reps)
	if n < o.bcClients() {
		how += fmt.Sprintf(" (%d asked; the open-file limit allows %d: %s)", o.bcClients(), n, fdNote)
	}
	label := fmt.Sprintf("2. broadcast, ordinary client, %d clients", n)
	rs := []Result{{Target: label + ": hwfdash p50 / p99 / last (ms)", Figure: hw.figure(), Goal: "p99 and last ≤ the textbook hub's and ≤ 100 ms (stretch p99 ≤ 0.8× the hub's)",
		Checked: true, Note: how + "; " + hw.note()}}
	var hst updateStats
	if hw.err == nil && hub.err == nil && len(hw.runs) > 0 && len(hub.runs) > 0 {
		st, hst2 := hw.pooled(), hub.pooled()
		hst = hst2
		rs[0].Pass = st.p99 <= hst.p99 && st.worstLast <= hst.worstLast && st.p99 <= 100*time.Millisecond && st.worstLast <= 100*time.Millisecond
	}
	rs = append(rs, Result{Target: label + ": textbook hub (baseline) p50 / p99 / last (ms)", Figure: hub.figure(), Goal: "reported",
		Note: "gorilla's chat hub in the bench (net/http, a reading and a writing goroutine per connection, WriteMessage per frame), same run, same client; " + hub.note()})
	if o.Centrifugo != "" {
		c := all[2]
		rs = append(rs, Result{Target: label + ": Centrifugo " + CentrifugoVersion + " p50 / p99 / last (ms)", Figure: c.figure(), Goal: "reported",
			Note: "memory engine, JSON protocol, insecure client and HTTP API on loopback (config in BENCHMARKS.md), published with POST /api/publish; " + c.note()})
	} else {
		rs = append(rs, Result{Target: label + ": Centrifugo " + CentrifugoVersion, Figure: "skipped", Goal: "reported",
			Note: "no centrifugo binary (-centrifugo, PATH or $(go env GOPATH)/bin)"})
	}
	rs = append(rs, Result{Target: label + ": floor, a bare writer p50 / p99 / last (ms)", Figure: all[floorAt].figure(), Goal: "reported",
		Note: "not a peer: what the machine, the kernel's TCP and this client cost with almost nothing of a server's own (internal/loadbench/barewriter.go): the hub's clients and POST /publish, the frame framed once, then one write(2) per socket from a goroutine per core, no queue, no store, no encoding. A target it misses in the same run is one this machine and this client cannot meet, whatever the server; " + all[floorAt].note()})
	if hw.err == nil && len(hw.runs) > 0 {
		st := hw.pooled()
		out, of := hw.outliers()
		ho, hof := hub.outliers()
		rs = append(rs,
			Result{Target: label + ": hwfdash updates with an outlying last client", Figure: fmt.Sprintf("%d of %d (textbook hub %d of %d)", out, of, ho, hof),
				Goal: "0 (last client > 1.5× the run's median last client)", Checked: true, Pass: out == 0},
			Result{Target: label + ": hwfdash lost / duplicated", Figure: fmt.Sprintf("%d / %d of %d", st.lost, st.duplicated, st.clients*st.updates),
				Goal: "0 / 0", Checked: true, Pass: st.lost == 0 && st.duplicated == 0})
	}
	if o.LargeClients > 0 {
		rs = append(rs, runOrdinaryLarge(ctx, o, kinds, size)...)
	}
	return rs, nil
}

// runOrdinaryLarge measures every peer once at the large count, 20 updates.
func runOrdinaryLarge(ctx context.Context, o Options, kinds []func(string) peerKind, size int) []Result {
	budget, fdNote := fdBudget()
	n := min(o.LargeClients, budget)
	label := fmt.Sprintf("2. broadcast, ordinary client, %d clients", n)
	var notes []string
	var hw peerRuns
	for i, kind := range kinds {
		k := kind(fmt.Sprintf("ordinary-large-%d", i))
		if size == 0 {
			break
		}
		o.Log.Info("ordinary client", "peer", k.name, "clients", n)
		run, _, err := runPeer(ctx, o, k, n, 20, size)
		pr := peerRuns{name: k.name, err: err}
		if err == nil {
			pr.runs = []peerRun{run}
		}
		if i == 0 {
			hw = pr
		}
		notes = append(notes, fmt.Sprintf("%s p50 / p99 / last %s ms", k.name, pr.figure()))
		if err != nil {
			notes = append(notes, k.name+": "+err.Error())
		}
	}
	r := Result{Target: label + ": hwfdash p99", Goal: "≤ 250 ms", Checked: true,
		Note: "20 updates on a fresh server per peer, same client and clock; " + strings.Join(notes, "; ")}
	if n < o.LargeClients {
		r.Note += fmt.Sprintf(" (%d asked; %s)", o.LargeClients, fdNote)
	}
	if hw.err == nil && len(hw.runs) > 0 {
		st := hw.pooled()
		r.Figure = fmtMS(st.p99)
		r.Pass = st.p99 <= 250*time.Millisecond && st.lost == 0 && st.duplicated == 0
	} else {
		r.Figure = "error"
	}
	return []Result{r}
}
