package loadbench

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// The broadcast targets (2, 3, 4 of issue 7): websocket clients of this
// process subscribe to one topic of a server child process; an observation
// is posted, and each client's delay is measured from the moment the update
// was published to the moment its frame was read here.
//
// "Published" is the time the instance that took the write published the
// event on its bus (Unix µs in the pushed frame's "published" field, set by
// the server just before the bus hand-off). Server and load generator share
// one machine and its wall clock, so the delay includes the bus, computing
// the topic's payload once, the hub's fan-out and the kernel's delivery —
// and, across instances, the Redis pub/sub hop. It excludes the HTTP POST
// and the store write, which are not part of the broadcast.

const (
	bcTopic     = "indicator:HWF_0001"
	bcIndicator = "HWF_0001"
	// bcSources spreads the clients over loopback source addresses, so that
	// neither ephemeral ports nor the per-address cap run out.
	bcSources = 40
	// bcUpdateWait bounds the wait for one update to reach every client;
	// after it, missing receipts count as lost.
	bcUpdateWait = 15 * time.Second
)

func init() {
	// The ordinary client's rows come first: they are the broadcast as
	// users meet it; the tuned reader's follow, labelled.
	register(Target{Order: 2, Name: "broadcast, ordinary client", Run: runOrdinary})
	register(Target{Order: 2, Name: "broadcast, tuned reader", Run: runBroadcast})
	register(Target{Order: 3, Name: "across instances", Run: runBroadcastCross})
	register(Target{Order: 4, Name: "websocket memory", Run: runBroadcastMemory})
}

// procNoFile reads a process's open-file soft limit from /proc.
func procNoFile(pid int) (uint64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "Max open files") {
			f := strings.Fields(line)
			if len(f) >= 4 {
				return strconv.ParseUint(f[3], 10, 64)
			}
		}
	}
	return 0, fmt.Errorf("no open-file limit in /proc/%d/limits", pid)
}

func randomToken() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// bcServerEnv is the environment of a broadcast server: a known admin token
// to post with, per-address and write-rate limits raised for one machine
// playing thousands of clients.
func bcServerEnv(token string, extra ...string) []string {
	return append([]string{"ADMIN_TOKEN=" + token, "WS_MAX_PER_ADDRESS=100000", "WRITE_RATE=100000"}, extra...)
}

// receipt is one update frame as a client received it.
type receipt struct {
	version int64
	arrived int64 // µs from publication to its arrival in the client's socket
	read    int64 // µs from publication to the load generator's read
}

// wsClient is one client of the fleet.
type wsClient struct {
	instance int        // which server it is connected to
	mu       sync.Mutex // guards got: the reader appends, measure reads
	got      []receipt
}

// fleet is a set of websocket clients subscribed to bcTopic.
type fleet struct {
	dialer  websocket.Dialer
	polls   []*pollReader // one epoll loop per core
	mu      sync.Mutex    // guards clients
	clients []*wsClient
	ready   atomic.Int64 // clients whose subscription was confirmed
	readyCh atomic.Pointer[chan struct{}]
	target  atomic.Int64 // ready count that closes readyCh

	// round is the update being awaited: clients count its receipts, and
	// the one that completes the count closes done.
	roundVer  atomic.Int64
	roundN    atomic.Int64
	roundWant atomic.Int64
	roundDone atomic.Pointer[chan struct{}]
	frameSize atomic.Int64 // payload bytes of the last update frame
}

func newFleet() (*fleet, error) {
	f := &fleet{}
	for range runtime.GOMAXPROCS(0) {
		p, err := newPollReader(f.onFrame)
		if err != nil {
			f.close()
			return nil, err
		}
		f.polls = append(f.polls, p)
	}
	f.dialer = websocket.Dialer{
		HandshakeTimeout: 30 * time.Second,
		ReadBufferSize:   2048,
		WriteBufferSize:  256,
		WriteBufferPool:  &sync.Pool{},
	}
	return f, nil
}

// grow opens clients until the fleet has n per server address in addrs
// (clients are spread over them evenly) and waits until every one is
// subscribed.
func (f *fleet) grow(ctx context.Context, addrs []string, n int) error {
	f.mu.Lock()
	start := len(f.clients)
	f.mu.Unlock()
	if n <= start {
		return nil
	}
	readyCh := make(chan struct{})
	f.readyCh.Store(&readyCh)
	f.target.Store(int64(n))
	idx := make(chan int)
	errc := make(chan error, 1)
	var dialers sync.WaitGroup
	for range 32 {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for i := range idx {
				if err := f.dial(ctx, addrs, i); err != nil {
					select {
					case errc <- fmt.Errorf("client %d: %w", i, err):
					default:
					}
					return
				}
			}
		}()
	}
	var err error
feed:
	for i := start; i < n; i++ {
		select {
		case idx <- i:
		case err = <-errc:
			break feed
		case <-ctx.Done():
			err = ctx.Err()
			break feed
		}
	}
	close(idx)
	dialers.Wait()
	if err == nil {
		select {
		case err = <-errc:
		default:
		}
	}
	if err != nil {
		return err
	}
	select {
	case <-readyCh:
		return nil
	case <-time.After(60 * time.Second):
		return fmt.Errorf("%d of %d clients subscribed after 60 s", f.ready.Load(), n)
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (f *fleet) dial(ctx context.Context, addrs []string, i int) error {
	addr := addrs[i%len(addrs)]
	local := &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%bcSources))}
	d := f.dialer
	nd := &net.Dialer{LocalAddr: local, Timeout: 30 * time.Second}
	d.NetDialContext = nd.DialContext
	conn, resp, err := d.DialContext(ctx, "ws://"+addr+"/ws", nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return err
	}
	msg, _ := json.Marshal(map[string]any{"subscribe": []string{bcTopic}})
	if err := conn.WriteMessage(websocket.TextMessage, msg); err != nil {
		conn.Close()
		return err
	}
	// The greeting and the subscription's answer are read here; the frames
	// after them by the poll reader.
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			conn.Close()
			return err
		}
		if bytes.Contains(data, subscribedMark) {
			break
		}
	}
	_ = conn.SetReadDeadline(time.Time{})
	c := &wsClient{instance: i % len(addrs), got: make([]receipt, 0, 64)}
	if err := f.polls[i%len(f.polls)].adopt(c, conn); err != nil {
		conn.Close()
		return err
	}
	f.mu.Lock()
	f.clients = append(f.clients, c)
	f.mu.Unlock()
	if f.ready.Add(1) == f.target.Load() {
		close(*f.readyCh.Load())
	}
	return nil
}

var (
	updatePrefix    = []byte(`{"type":"update"`)
	subscribedMark  = []byte(`"type":"subscribed"`)
	versionField    = []byte(`"version":`)
	publishedField  = []byte(`"published":`)
	errNoPublishing = errors.New("update without a published time")
	errBadNumber    = errors.New("update with a malformed version or time")
)

// onFrame records an update frame as its client read it at now (µs); it
// looks only at the frame's envelope, so the load generator's own work
// stays small.
func (f *fleet) onFrame(c *wsClient, data []byte, arrived, read int64) {
	if !bytes.HasPrefix(data, updatePrefix) {
		return
	}
	v, pub, err := envelope(data)
	if err != nil {
		return
	}
	f.frameSize.Store(int64(len(data)))
	c.mu.Lock()
	c.got = append(c.got, receipt{version: v, arrived: arrived - pub, read: read - pub})
	c.mu.Unlock()
	if v == f.roundVer.Load() && f.roundN.Add(1) == f.roundWant.Load() {
		if ch := f.roundDone.Load(); ch != nil {
			close(*ch)
		}
	}
}

// envelope reads the version and publication time of an update frame; the
// first "version" is the envelope's (type and topic come before it), the
// last "published" is too (it follows the payload).
func envelope(data []byte) (version, published int64, err error) {
	// Digits are read here rather than with strconv, whose error would keep
	// a string of them: the reader makes 10,000 of these a frame, and an
	// allocation each would have the load generator collect garbage while
	// it measures.
	num := func(i int, field []byte) (int64, error) {
		if i < 0 {
			return 0, errNoPublishing
		}
		rest := data[i+len(field):]
		var n int64
		j := 0
		for ; j < len(rest) && rest[j] >= '0' && rest[j] <= '9'; j++ {
			if n > (math.MaxInt64-9)/10 {
				return 0, errBadNumber
			}
			n = n*10 + int64(rest[j]-'0')
		}
		if j == 0 {
			return 0, errBadNumber
		}
		return n, nil
	}
	if version, err = num(bytes.Index(data, versionField), versionField); err != nil {
		return
	}
	published, err = num(bytes.LastIndex(data, publishedField), publishedField)
	return
}

// size is the number of clients.
func (f *fleet) size() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.clients)
}

// close ends every client.
func (f *fleet) close() {
	for _, p := range f.polls {
		p.close()
	}
}

// updateStats are the figures of a series of updates.
type updateStats struct {
	clients, updates      int
	p50, p99, max         time.Duration   // over every receipt
	instanceP99           []time.Duration // over the receipts of each server's clients
	delays                []int64         // every receipt's delay (µs), sorted
	worstLast, medianLast time.Duration   // the last client of each update
	lasts                 []int64         // the last client of each update (µs), sorted
	medianFirst           time.Duration   // the first client of each update: the bus and the payload, before the fan-out
	lost, duplicated      int
}

// measure posts updates observations one after the other; each waits until
// every client has its frame (or bcUpdateWait passes), so updates do not
// overlap. Receipts are then counted per client, by their arrival and by
// their read.
func (f *fleet) measure(ctx context.Context, postURL, token string, updates, round int) (series, error) {
	f.mu.Lock()
	clients := f.clients
	f.mu.Unlock()
	n := len(clients)
	for _, c := range clients {
		c.mu.Lock()
		c.got = c.got[:0]
		c.mu.Unlock()
	}
	client := &http.Client{Timeout: 30 * time.Second}
	versions := make([]int64, 0, updates)
	// The load generator collects its own garbage (10,000 handshakes'
	// worth) now, so that a collection does not take half a core from the
	// readers during the series.
	runtime.GC()
	var gc0, gc1 runtime.MemStats
	runtime.ReadMemStats(&gc0)
	for u := range updates {
		if err := ctx.Err(); err != nil {
			return series{}, err
		}
		done := make(chan struct{})
		f.roundN.Store(0)
		f.roundWant.Store(int64(n))
		f.roundDone.Store(&done)
		// The next version is not known before the post answers, but the
		// frame may arrive before the answer: the store numbers revisions
		// one by one, so it is the current version plus one.
		cur, err := currentVersion(ctx, client, postURL)
		if err != nil {
			return series{}, err
		}
		f.roundVer.Store(cur + 1)
		v, err := postObservation(ctx, client, postURL, token, round*1000+u)
		if err != nil {
			return series{}, err
		}
		if v != cur+1 {
			return series{}, fmt.Errorf("posted version %d, expected %d: another writer is active", v, cur+1)
		}
		versions = append(versions, v)
		select {
		case <-done:
		case <-time.After(bcUpdateWait):
		case <-ctx.Done():
			return series{}, ctx.Err()
		}
	}
	f.roundDone.Store(nil)
	runtime.ReadMemStats(&gc1)
	arrived, err := summarize(clients, versions, func(r receipt) int64 { return r.arrived })
	if err != nil {
		return series{}, err
	}
	read, err := summarize(clients, versions, func(r receipt) int64 { return r.read })
	return series{arrived: arrived, read: read, collections: gc1.NumGC - gc0.NumGC}, err
}

// series are the figures of a series of updates, by arrival and by read,
// and the load generator's garbage collections while it ran.
type series struct {
	arrived, read updateStats
	collections   uint32
}

// summarize computes the figures of the receipts of versions, taking each
// receipt's delay with delay.
func summarize(clients []*wsClient, versions []int64, delay func(receipt) int64) (updateStats, error) {
	n, updates := len(clients), len(versions)
	st := updateStats{clients: n, updates: updates}
	all := make([]int64, 0, n*updates)
	var perInstance [][]int64
	last := make(map[int64]int64, updates)
	first := make(map[int64]int64, updates)
	for _, c := range clients {
		for len(perInstance) <= c.instance {
			perInstance = append(perInstance, nil)
		}
		c.mu.Lock()
		rs := slices.Clone(c.got)
		c.mu.Unlock()
		seen := make(map[int64]bool, len(rs))
		for _, r := range rs {
			if !slices.Contains(versions, r.version) {
				continue
			}
			if seen[r.version] {
				st.duplicated++
				continue
			}
			seen[r.version] = true
			d := delay(r)
			all = append(all, d)
			perInstance[c.instance] = append(perInstance[c.instance], d)
			last[r.version] = max(last[r.version], d)
			if f, ok := first[r.version]; !ok || d < f {
				first[r.version] = d
			}
		}
		for _, v := range versions {
			if !seen[v] {
				st.lost++
			}
		}
	}
	if len(all) == 0 {
		return st, errors.New("no client received any update")
	}
	slices.Sort(all)
	st.delays = all
	for _, ds := range perInstance {
		slices.Sort(ds)
		if len(ds) > 0 {
			st.instanceP99 = append(st.instanceP99, usDur(percentile(ds, 99)))
		}
	}
	st.p50 = usDur(percentile(all, 50))
	st.p99 = usDur(percentile(all, 99))
	st.max = usDur(all[len(all)-1])
	lasts := make([]int64, 0, len(last))
	for _, d := range last {
		lasts = append(lasts, d)
	}
	slices.Sort(lasts)
	st.lasts = lasts
	st.worstLast = usDur(lasts[len(lasts)-1])
	firsts := make([]int64, 0, len(first))
	for _, d := range first {
		firsts = append(firsts, d)
	}
	slices.Sort(firsts)
	st.medianFirst = usDur(percentile(firsts, 50))
	st.medianLast = usDur(percentile(lasts, 50))
	return st, nil
}

// mergeSeries pools two series measured with the same clients' count.
func mergeSeries(a, b series) series {
	return series{arrived: merge(a.arrived, b.arrived), read: merge(a.read, b.read)}
}

// merge pools two series measured with the same clients' count.
func merge(a, b updateStats) updateStats {
	m := updateStats{clients: a.clients, updates: a.updates + b.updates, lost: a.lost + b.lost,
		duplicated: a.duplicated + b.duplicated, worstLast: max(a.worstLast, b.worstLast)}
	m.delays = slices.Concat(a.delays, b.delays)
	slices.Sort(m.delays)
	if len(m.delays) > 0 {
		m.p50, m.p99 = usDur(percentile(m.delays, 50)), usDur(percentile(m.delays, 99))
		m.max = usDur(m.delays[len(m.delays)-1])
	}
	for i := range max(len(a.instanceP99), len(b.instanceP99)) {
		var x, y time.Duration
		if i < len(a.instanceP99) {
			x = a.instanceP99[i]
		}
		if i < len(b.instanceP99) {
			y = b.instanceP99[i]
		}
		m.instanceP99 = append(m.instanceP99, max(x, y)) // per instance: the worse round
	}
	return m
}

func usDur(us int64) time.Duration { return time.Duration(us) * time.Microsecond }

// percentile of sorted values (nearest rank).
func percentile(sorted []int64, p int) int64 {
	i := (len(sorted)*p+99)/100 - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func currentVersion(ctx context.Context, client *http.Client, postURL string) (int64, error) {
	base := strings.TrimSuffix(postURL, "/api/v1/observations")
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/api/v1/version", nil)
	if err != nil {
		return 0, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var res struct {
		Version int64 `json:"version"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&res); err != nil {
		return 0, fmt.Errorf("version: %w", err)
	}
	return res.Version, nil
}

// postObservation writes one figure of bcIndicator; i makes each distinct.
func postObservation(ctx context.Context, client *http.Client, postURL, token string, i int) (int64, error) {
	row := map[string]any{"indicator": bcIndicator, "iso3": "AUT", "year": 2000 + i%20,
		"value": 50 + float64(i%997)/100, "source": "hwfdash bench (load test)"}
	body, _ := json.Marshal([]any{row})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, postURL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return 0, fmt.Errorf("post observation: HTTP %d: %s", resp.StatusCode, b)
	}
	var res struct {
		Version int64 `json:"version"`
	}
	if err := json.Unmarshal(b, &res); err != nil {
		return 0, fmt.Errorf("post observation: %w", err)
	}
	return res.Version, nil
}

// serverStats is the admin stats endpoint's answer.
type serverStats struct {
	Version    int64 `json:"version"`
	Computes   int64 `json:"computes"`
	Goroutines int   `json:"goroutines"`
	Clients    int   `json:"websocket_clients"`
	HeapInuse  int64 `json:"heap_inuse_bytes"`
	StackInuse int64 `json:"stack_inuse_bytes"`
}

func getStats(ctx context.Context, p *Proc, token string) (serverStats, error) {
	return adminStats(ctx, p, token, http.MethodGet, "/api/v1/admin/stats")
}

// settle asks the server to do now what the Go runtime does by itself on an
// idle server (a collection, freed pages returned), and answers its stats.
func settle(ctx context.Context, p *Proc, token string) (serverStats, error) {
	return adminStats(ctx, p, token, http.MethodPost, "/api/v1/admin/settle")
}

func adminStats(ctx context.Context, p *Proc, token, method, path string) (serverStats, error) {
	var st serverStats
	req, err := http.NewRequestWithContext(ctx, method, p.URL+path, nil)
	if err != nil {
		return st, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("admin stats: HTTP %d", resp.StatusCode)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

func (o Options) bcClients() int {
	if o.Clients > 0 {
		return o.Clients
	}
	return 10000
}

func (o Options) bcUpdates() int {
	if o.Updates > 0 {
		return o.Updates
	}
	return 50
}

// fdBudget is how many clients the open-file limits of this process and of
// the server allow, leaving room for each one's other files.
func fdBudget(pids ...int) (int, string) {
	limit := raiseNoFile()
	note := fmt.Sprintf("open files: load generator %d", limit)
	for _, pid := range pids {
		if l, err := procNoFile(pid); err == nil {
			limit = min(limit, l)
			note += fmt.Sprintf(", server %d", l)
		}
	}
	return int(limit) - 100, note
}

// cpuTime is a process's CPU time (user + system) from /proc; the kernel
// counts it in USER_HZ ticks, 100 a second on Linux.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name may hold spaces: fields are counted after it.
	i := bytes.LastIndexByte(b, ')')
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return time.Duration(utime+stime) * 10 * time.Millisecond, nil
}

func fmtMS(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }

func runBroadcast(ctx context.Context, o Options) ([]Result, error) {
	token := randomToken()
	p, err := StartServer(ctx, o, "broadcast", "", bcServerEnv(token)...)
	if err != nil {
		return nil, err
	}
	defer p.Stop()
	budget, fdNote := fdBudget(p.PID())
	n := min(o.bcClients(), budget)
	f, err := newFleet()
	if err != nil {
		return nil, err
	}
	defer f.close()
	if err := f.grow(ctx, []string{p.Addr}, n); err != nil {
		return nil, err
	}
	// The server collects the garbage of the handshakes before the series.
	if _, err := settle(ctx, p, token); err != nil {
		return nil, err
	}
	post := p.URL + "/api/v1/observations"
	// One update first, so the measured ones find the code paths warm.
	if _, err := f.measure(ctx, post, token, 1, 0); err != nil {
		return nil, err
	}
	cpu0, _ := cpuTime(p.PID())
	gen0, _ := cpuTime(os.Getpid())
	ser, err := f.measure(ctx, post, token, o.bcUpdates(), 1)
	if err != nil {
		return nil, err
	}
	st, arr := ser.read, ser.arrived
	cpu1, _ := cpuTime(p.PID())
	gen1, _ := cpuTime(os.Getpid())
	perClient := func(d time.Duration) float64 {
		return float64(d.Nanoseconds()) / 1000 / float64(st.updates*st.clients)
	}
	how := fmt.Sprintf("%d clients in this process, 1 topic, %d updates (frames of %d bytes) posted one after the other; delay from the server's publish time (in the frame) to the client's read of the frame",
		n, st.updates, f.frameSize.Load())
	if n < o.bcClients() {
		how += fmt.Sprintf(" (%d asked; the open-file limit allows %d: %s)", o.bcClients(), n, fdNote)
	}
	cpuNote := fmt.Sprintf("first client after %s (median over updates: the bus and the payload's computation, before the fan-out); CPU per client per update: server %.1f µs, load generator %.1f µs (whole process, HTTP included; %d garbage collections in it during the updates)",
		fmtMS(st.medianFirst), perClient(cpu1-cpu0), perClient(gen1-gen0), ser.collections)
	how += fmt.Sprintf("; to the frame's arrival in the client's socket (the kernel's receive time), without the load generator's own delay in reading it: p50 %s, p99 %s, last client %s",
		fmtMS(arr.p50), fmtMS(arr.p99), fmtMS(arr.worstLast))
	rs := []Result{
		{Target: "2b. secondary: tuned reader, publish stamp: broadcast p50", Figure: fmtMS(st.p50), Goal: "≤ 50 ms", Checked: true, Pass: st.p50 <= 50*time.Millisecond, Note: how},
		{Target: "2b. secondary: tuned reader, publish stamp: broadcast p99", Figure: fmtMS(st.p99), Goal: "≤ 100 ms", Checked: true, Pass: st.p99 <= 100*time.Millisecond, Note: cpuNote},
		{Target: "2b. secondary: tuned reader, publish stamp: broadcast last client", Figure: fmtMS(st.worstLast) + " (worst update; median " + fmtMS(st.medianLast) + ")",
			Goal: "≤ 120 ms", Checked: true, Pass: st.worstLast <= 120*time.Millisecond},
		{Target: "2b. secondary: tuned reader, publish stamp: broadcast lost / duplicated", Figure: fmt.Sprintf("%d / %d of %d", st.lost, st.duplicated, st.clients*st.updates),
			Goal: "0 / 0", Checked: true, Pass: st.lost == 0 && st.duplicated == 0},
	}
	// The largest count still within p99 ≤ 250 ms: more clients join the
	// same server, 20 updates at each step, up to the open-file limit.
	best, bestP99 := 0, time.Duration(0)
	steps := []string{fmt.Sprintf("%d: p99 %s", n, fmtMS(st.p99))}
	if st.p99 <= 250*time.Millisecond && st.lost == 0 && st.duplicated == 0 {
		best, bestP99 = n, st.p99
	}
	for _, step := range []int{15000, 20000, 25000, 30000} {
		if best < f.size() {
			break
		}
		m := min(step, budget)
		if m <= f.size() {
			break
		}
		if err := f.grow(ctx, []string{p.Addr}, m); err != nil {
			steps = append(steps, fmt.Sprintf("%d: could not connect (%v)", m, err))
			break
		}
		ser2, err := f.measure(ctx, post, token, 20, 2+step/1000)
		if err != nil {
			return rs, err
		}
		s2 := ser2.read
		steps = append(steps, fmt.Sprintf("%d: p99 %s, lost %d", m, fmtMS(s2.p99), s2.lost))
		if s2.p99 > 250*time.Millisecond || s2.lost > 0 || s2.duplicated > 0 {
			break // the largest count is the last one before the first miss
		}
		best, bestP99 = m, s2.p99
	}
	if f.size() >= budget {
		steps = append(steps, "open-file limit reached ("+fdNote+")")
	}
	rs = append(rs, Result{Target: "2b. secondary: tuned reader, publish stamp: broadcast largest count", Figure: fmt.Sprintf("%d clients (p99 %s)", best, fmtMS(bestP99)),
		// A machine whose open-file limit is under 20,000 cannot hold that
		// many; meeting p99 at its limit is the most it can show.
		Goal: "p99 ≤ 250 ms; aim ≥ 20,000 (or the open-file limit)", Checked: true, Pass: best >= min(20000, budget),
		Note: strings.Join(steps, "; ")})
	return rs, nil
}

// runBroadcastCross compares, in one run, the same clients on one instance
// and split over two instances that share Redis. The two setups alternate,
// so that the machine's other load weighs on both alike.
func runBroadcastCross(ctx context.Context, o Options) ([]Result, error) {
	if o.RedisURL == "" {
		return []Result{{Target: "3. across instances", Figure: "skipped", Goal: "adds ≤ 5 ms to p99", Note: "no Redis URL given"}}, nil
	}
	token := randomToken()
	single, err := StartServer(ctx, o, "cross-single", "", bcServerEnv(token)...)
	if err != nil {
		return nil, err
	}
	defer single.Stop()
	// A prefix of its own, so that nothing else on this Redis (nor a
	// previous run's cache entries) mixes in.
	env := bcServerEnv(token, "REDIS_URL="+o.RedisURL, "REDIS_PREFIX=hwfdash-bench-"+randomToken()[:8]+":")
	a, err := StartServer(ctx, o, "cross-a", "", env...)
	if err != nil {
		return nil, err
	}
	defer a.Stop()
	b, err := StartServer(ctx, o, "cross-b", "", env...)
	if err != nil {
		return nil, err
	}
	defer b.Stop()
	budget, _ := fdBudget(single.PID(), a.PID(), b.PID())
	n := min(o.bcClients(), budget)
	// Four rounds of half the updates each: the difference of two p99s of
	// about 100 ms moves by more than 5 ms from one series to the next, so
	// each setup gets twice the updates of the one-instance target, spread
	// over the run.
	const rounds = 4
	per := max(1, o.bcUpdates()/2)
	run := func(servers []*Proc, round int) (series, error) {
		f, err := newFleet()
		if err != nil {
			return series{}, err
		}
		defer func() {
			f.close()
			for _, p := range servers {
				_ = waitClients(ctx, p, token, 0)
			}
		}()
		addrs := make([]string, len(servers))
		for i, p := range servers {
			addrs[i] = p.Addr
		}
		if err := f.grow(ctx, addrs, n); err != nil {
			return series{}, err
		}
		// Each server collects the garbage of 10,000 handshakes before the
		// series, not during it: both setups start from the same state.
		for _, p := range servers {
			if _, err := settle(ctx, p, token); err != nil {
				return series{}, err
			}
		}
		post := servers[0].URL + "/api/v1/observations"
		if _, err := f.measure(ctx, post, token, 1, 100+round); err != nil {
			return series{}, err
		}
		return f.measure(ctx, post, token, per, 110+round)
	}
	var oneS, twoS series
	for r := range rounds {
		s1, err := run([]*Proc{single}, 2*r)
		if err != nil {
			return nil, err
		}
		s2, err := run([]*Proc{a, b}, 2*r+1)
		if err != nil {
			return nil, err
		}
		if r == 0 {
			oneS, twoS = s1, s2
		} else {
			oneS, twoS = mergeSeries(oneS, s1), mergeSeries(twoS, s2)
		}
	}
	one, two := oneS.read, twoS.read
	note := fmt.Sprintf("%d clients, %d updates on each setup, alternating in %d rounds: one instance, then split over 2 instances (each its own embedded store) with Redis pub/sub and cache, posted to the first; p50 %s vs %s; last client %s vs %s; lost %d, duplicated %d",
		n, two.updates, rounds, fmtMS(two.p50), fmtMS(one.p50), fmtMS(two.worstLast), fmtMS(one.worstLast), two.lost, two.duplicated)
	if len(two.instanceP99) == 2 {
		note += fmt.Sprintf("; p99 of the first instance's clients %s, of the other's %s", fmtMS(two.instanceP99[0]), fmtMS(two.instanceP99[1]))
	}
	added := two.p99 - one.p99
	return []Result{{Target: "3. across instances: added p99", Goal: "≤ 5 ms over one instance's p99",
		Figure:  fmt.Sprintf("%+.1f ms (p99 %s vs %s)", float64(added.Microseconds())/1000, fmtMS(two.p99), fmtMS(one.p99)),
		Checked: true, Pass: added <= 5*time.Millisecond && two.lost == 0 && two.duplicated == 0, Note: note}}, nil
}

// waitClients waits until a server counts n websocket clients (after a
// fleet closes, the server's side of the sockets takes a moment to go).
func waitClients(ctx context.Context, p *Proc, token string, n int) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := getStats(ctx, p, token)
		if err == nil && st.Clients == n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%d websocket clients after 30 s, want %d", st.Clients, n)
		}
		// A child process's count can only be polled.
		time.Sleep(50 * time.Millisecond)
	}
}

func runBroadcastMemory(ctx context.Context, o Options) ([]Result, error) {
	token := randomToken()
	p, err := StartServer(ctx, o, "ws-memory", "", bcServerEnv(token)...)
	if err != nil {
		return nil, err
	}
	defer p.Stop()
	budget, _ := fdBudget(p.PID())
	n := min(o.bcClients(), budget)
	// One client comes and goes first, so the baseline includes the code
	// and pools every connection uses.
	warm, err := newFleet()
	if err != nil {
		return nil, err
	}
	if err := warm.grow(ctx, []string{p.Addr}, 1); err != nil {
		return nil, err
	}
	warm.close()
	// Both sides are read twice: as the kernel reports them right after the
	// connections came, and once the server has settled (a collection and
	// freed pages returned, which an idle Go server does by itself within
	// two minutes). The upgrade leaves garbage behind (the adaptor's 4 KB
	// read and write buffers, which the hub does not use, and grown
	// stacks): the settled figure is what an idle connection keeps.
	before, err := settle(ctx, p, token)
	if err != nil {
		return nil, err
	}
	rssBefore, err := RSS(p.PID())
	if err != nil {
		return nil, err
	}
	f, err := newFleet()
	if err != nil {
		return nil, err
	}
	defer f.close()
	if err := f.grow(ctx, []string{p.Addr}, n); err != nil {
		return nil, err
	}
	// Idle: every client is connected, subscribed and greeted; nothing is
	// in flight.
	after, err := getStats(ctx, p, token)
	if err != nil {
		return nil, err
	}
	rssRaw, err := RSS(p.PID())
	if err != nil {
		return nil, err
	}
	settled, err := settle(ctx, p, token)
	if err != nil {
		return nil, err
	}
	rssAfter, err := RSS(p.PID())
	if err != nil {
		return nil, err
	}
	if after.Clients < n || settled.Clients < n {
		return nil, fmt.Errorf("server counts %d websocket clients, %d opened", min(after.Clients, settled.Clients), n)
	}
	perConn := float64(rssAfter-rssBefore) / float64(n) / 1024
	rawPerConn := float64(rssRaw-rssBefore) / float64(n) / 1024
	gPer := float64(after.Goroutines-before.Goroutines) / float64(n)
	note := fmt.Sprintf("%d idle subscribed clients; settled: RSS %.1f → %.1f MB, heap in use %+.1f MB, stacks %+.1f MB; "+
		"right after connecting, before the server settled: %.1f KB per connection (RSS %.1f MB, heap in use %+.1f MB, stacks %+.1f MB)",
		n, float64(rssBefore)/(1<<20), float64(rssAfter)/(1<<20),
		float64(settled.HeapInuse-before.HeapInuse)/(1<<20), float64(settled.StackInuse-before.StackInuse)/(1<<20),
		rawPerConn, float64(rssRaw)/(1<<20),
		float64(after.HeapInuse-before.HeapInuse)/(1<<20), float64(after.StackInuse-before.StackInuse)/(1<<20))
	return []Result{
		{Target: "4. memory per idle websocket", Figure: fmt.Sprintf("%.1f KB", perConn), Goal: "≤ 16 KB (stretch 12 KB)",
			Checked: true, Pass: perConn <= 16, Note: note},
		{Target: "4. goroutines per websocket", Figure: fmt.Sprintf("%.2f", gPer), Goal: "≤ 3",
			Checked: true, Pass: gPer <= 3, Note: "from the server's admin stats, before and after"},
	}, nil
}
