package loadbench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// The ordinary client is the broadcast targets' first measure (issue 17):
// websocket clients as an application or a proxy has them — gorilla's
// client, one goroutine per connection blocked in a read of the next frame — and a clock
// that starts just before the HTTP request that triggers the update and
// stops at each client's read. It includes the POST, the store's write, the
// server's bus, its fan-out and the kernel's delivery, and it needs no
// cooperation of the server (no publish stamp): hwfdash, the textbook hub
// and Centrifugo are measured alike.

// ordSources spreads the ordinary clients over loopback source addresses,
// as the independent measurement did, so that 19,500 clients stay within
// the ephemeral port range of each address.
const ordSources = 20

// peerSpec is what the ordinary fleet needs to know of a server: where its
// clients connect, how a client subscribes, how an update is triggered.
type peerSpec struct {
	name  string
	wsURL string
	// subscribe runs on a fresh connection and returns once the server has
	// confirmed the subscription.
	subscribe func(conn *websocket.Conn) error
	// pong answers a frame the server expects an answer to (Centrifugo's
	// application-level ping); nil when the frame is not one.
	pong func(data []byte) []byte
	// trigger makes the server send update u to every client; it returns
	// the version the update's frame carries. It is called after prepare,
	// with the clock already started.
	trigger func(ctx context.Context, u int) error
	// prepare runs before the clock starts (e.g. reading the current
	// version) and returns the version update u will carry.
	prepare func(ctx context.Context, u int) (int64, error)
	// registered, when not nil, answers how many clients the server has
	// registered: the hub answers the upgrade before its hub goroutine
	// takes the client in.
	registered func(ctx context.Context) (int, error)
}

// ordFleet is a set of ordinary clients of one peer.
type ordFleet struct {
	peer *peerSpec
	// readMessage reads each frame with ReadMessage, a fresh buffer per
	// frame (Options.ReadMessage), instead of into the connection's own.
	readMessage bool
	base        time.Time
	mu          sync.Mutex // guards clients and conns
	clients     []*wsClient
	conns       []*websocket.Conn
	readers     sync.WaitGroup

	// The round's fields are written once a round and read at every frame;
	// the counters are written at every frame, from both cores. Each group
	// has a cache line of its own, and frameSize is written only when it
	// changes: a line written from two cores at every frame is fetched
	// back and forth, a cost of the bench's bookkeeping, not of the client.
	_          [64]byte
	roundVer   atomic.Int64
	roundStart atomic.Int64 // ns since base, just before the trigger
	roundWant  atomic.Int64
	roundDone  atomic.Pointer[roundSignal]
	frameSize  atomic.Int64
	_          [64]byte
	roundN     atomic.Int64
	gone       atomic.Int64 // clients whose connection ended: a round does not wait for them
	_          [64]byte
}

// roundSignal is closed once, by the receipt that completes a round or by
// the end of a connection that leaves the others complete.
type roundSignal struct {
	ch   chan struct{}
	once sync.Once
}

func (r *roundSignal) done() { r.once.Do(func() { close(r.ch) }) }

// check closes the round's signal when every client still connected has
// the round's frame.
func (f *ordFleet) check() {
	if f.roundN.Load() >= f.roundWant.Load()-f.gone.Load() {
		if sig := f.roundDone.Load(); sig != nil {
			sig.done()
		}
	}
}

func newOrdFleet(p *peerSpec, readMessage bool) *ordFleet {
	return &ordFleet{peer: p, base: time.Now(), readMessage: readMessage}
}

func (f *ordFleet) now() int64 { return int64(time.Since(f.base)) }

// grow opens clients until there are n, 32 handshakes at a time.
func (f *ordFleet) grow(ctx context.Context, n int) error {
	f.mu.Lock()
	start := len(f.clients)
	f.mu.Unlock()
	idx := make(chan int)
	errc := make(chan error, 1)
	var dialers sync.WaitGroup
	for range 32 {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for i := range idx {
				if err := f.dial(ctx, i); err != nil {
					select {
					case errc <- fmt.Errorf("%s client %d: %w", f.peer.name, i, err):
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
	if err != nil || f.peer.registered == nil {
		return err
	}
	return f.awaitRegistered(ctx, n)
}

// awaitRegistered waits until the server counts n clients; a child
// process's count can only be polled.
func (f *ordFleet) awaitRegistered(ctx context.Context, n int) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := f.peer.registered(ctx)
		if err != nil {
			return err
		}
		if got >= n {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: %d of %d clients registered after 30 s", f.peer.name, got, n)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func (f *ordFleet) dial(ctx context.Context, i int) error {
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, byte(2+i%ordSources))}, Timeout: 30 * time.Second}
	d := websocket.Dialer{HandshakeTimeout: 30 * time.Second, NetDialContext: nd.DialContext}
	conn, resp, err := d.DialContext(ctx, f.peer.wsURL, nil)
	if err != nil {
		if resp != nil {
			return fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode)
		}
		return err
	}
	_ = conn.SetReadDeadline(time.Now().Add(30 * time.Second))
	if err := f.peer.subscribe(conn); err != nil {
		conn.Close()
		return err
	}
	_ = conn.SetReadDeadline(time.Time{})
	c := &wsClient{got: make([]receipt, 0, 64)}
	f.mu.Lock()
	f.clients = append(f.clients, c)
	f.conns = append(f.conns, conn)
	f.mu.Unlock()
	f.readers.Add(1)
	go f.read(c, conn)
	return nil
}

// read is the client: a blocking read of the whole frame, the time taken
// as it returns. The frame is read into the connection's own buffer, as a
// proxy or an application that handles one frame at a time does; with
// readMessage, into a fresh one (gorilla's ReadMessage), which leaves
// 10,000 frames of garbage per update to the load generator's collector.
func (f *ordFleet) read(c *wsClient, conn *websocket.Conn) {
	defer f.readers.Done()
	defer func() {
		// A connection the server ended (or the fleet closed): its missing
		// receipts count as lost, and rounds stop waiting for it.
		f.gone.Add(1)
		f.check()
	}()
	var buf bytes.Buffer
	for {
		var data []byte
		var err error
		if f.readMessage {
			_, data, err = conn.ReadMessage()
		} else {
			data, err = readFrame(conn, &buf)
		}
		at := f.now()
		if err != nil {
			return
		}
		if f.peer.pong != nil {
			if answer := f.peer.pong(data); answer != nil {
				if err := conn.WriteMessage(websocket.TextMessage, answer); err != nil {
					return
				}
			}
		}
		v, ok := frameVersion(data)
		if !ok {
			continue
		}
		if n := int64(len(data)); f.frameSize.Load() != n {
			f.frameSize.Store(n)
		}
		d := (at - f.roundStart.Load()) / 1000
		c.mu.Lock()
		c.got = append(c.got, receipt{version: v, arrived: d, read: d})
		c.mu.Unlock()
		if v == f.roundVer.Load() {
			f.roundN.Add(1)
			f.check()
		}
	}
}

// readFrame reads the next data frame whole into buf, which it resets:
// the frame's bytes are valid until the next call.
func readFrame(conn *websocket.Conn, buf *bytes.Buffer) ([]byte, error) {
	_, r, err := conn.NextReader()
	if err != nil {
		return nil, err
	}
	buf.Reset()
	if _, err := buf.ReadFrom(r); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// frameVersion finds an update frame's version: the first "version" after
// an update mark, as hwfdash's envelope has it and as the peers' frames
// (built by the bench in the same shape) carry it, Centrifugo's push
// wrapping included.
func frameVersion(data []byte) (int64, bool) {
	i := bytes.Index(data, updatePrefix[1:]) // `"type":"update"` without the brace: Centrifugo nests it
	if i < 0 {
		return 0, false
	}
	j := bytes.Index(data[i:], versionField)
	if j < 0 {
		return 0, false
	}
	rest := data[i+j+len(versionField):]
	var n int64
	k := 0
	for ; k < len(rest) && k < 18 && rest[k] >= '0' && rest[k] <= '9'; k++ {
		n = n*10 + int64(rest[k]-'0')
	}
	return n, k > 0
}

// close ends every client and waits for its reader.
func (f *ordFleet) close() {
	f.mu.Lock()
	conns := f.conns
	f.conns = nil
	f.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	f.readers.Wait()
}

// ordSeries is a series of updates as the ordinary clients read them.
type ordSeries struct {
	stats       updateStats
	outliers    int           // updates whose last client came after 1.5× the series' median last client
	medianReply time.Duration // the trigger's answer, median over updates
	rounds      []roundTrace  // each update, in order, for matching outliers with other processes' logs
}

// roundTrace is one update as the trace file has it: when its clock
// started (wall time, to match a server's GODEBUG=gctrace=1 lines, whose
// times count from the process's start), its last client, and the load
// generator's own collections while the round ran.
type roundTrace struct {
	version   int64
	start     time.Time
	first     time.Duration
	last      time.Duration
	clientGCs uint64
}

// measure triggers updates one after the other, each once every client has
// the previous one (or bcUpdateWait has passed).
func (f *ordFleet) measure(ctx context.Context, updates, first int) (ordSeries, error) {
	f.mu.Lock()
	clients := f.clients
	f.mu.Unlock()
	for _, c := range clients {
		c.mu.Lock()
		c.got = c.got[:0]
		c.mu.Unlock()
	}
	versions := make([]int64, 0, updates)
	replies := make([]time.Duration, 0, updates)
	rounds := make([]roundTrace, 0, updates)
	for u := first; u < first+updates; u++ {
		v, err := f.peer.prepare(ctx, u)
		if err != nil {
			return ordSeries{}, err
		}
		sig := &roundSignal{ch: make(chan struct{})}
		f.roundDone.Store(nil)
		f.roundN.Store(0)
		f.roundWant.Store(int64(len(clients)))
		f.roundVer.Store(v)
		f.roundDone.Store(sig)
		gc0 := gcCycles()
		wall := time.Now()
		t0 := f.now()
		f.roundStart.Store(t0)
		if err := f.peer.trigger(ctx, u); err != nil {
			return ordSeries{}, err
		}
		replies = append(replies, time.Duration(f.now()-t0))
		versions = append(versions, v)
		select {
		case <-sig.ch:
		case <-time.After(bcUpdateWait):
		case <-ctx.Done():
			return ordSeries{}, ctx.Err()
		}
		rounds = append(rounds, roundTrace{version: v, start: wall, clientGCs: gcCycles() - gc0})
	}
	f.roundDone.Store(nil)
	st, err := summarize(clients, versions, func(r receipt) int64 { return r.read })
	if err != nil {
		return ordSeries{}, err
	}
	firstOf, lastOf := spanByVersion(clients)
	for i := range rounds {
		rounds[i].first = usDur(firstOf[rounds[i].version])
		rounds[i].last = usDur(lastOf[rounds[i].version])
	}
	return ordSeries{stats: st, outliers: outliers(st.lasts), medianReply: medianDur(replies), rounds: rounds}, nil
}

// spanByVersion is each version's first and last read (µs from its
// clock's start): the first says how long the server took before its
// fan-out began, the last when it ended.
func spanByVersion(clients []*wsClient) (first, last map[int64]int64) {
	first, last = map[int64]int64{}, map[int64]int64{}
	for _, c := range clients {
		c.mu.Lock()
		for _, r := range c.got {
			if f, ok := first[r.version]; !ok || r.read < f {
				first[r.version] = r.read
			}
			last[r.version] = max(last[r.version], r.read)
		}
		c.mu.Unlock()
	}
	return first, last
}

// gcCycles is how many collections this process has completed: read from
// runtime/metrics, which, unlike ReadMemStats, does not stop the world.
func gcCycles() uint64 {
	s := []metrics.Sample{{Name: "/gc/cycles/total:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// writeTrace writes a series' updates to path, one a line, tab-separated:
// the update's start in ms from the server process's start (the clock of
// its gctrace lines), its last client, whether that is an outlier, and the
// load generator's collections during the round. Bench tooling: the file
// is how an outlying update is matched with what its processes did then.
func writeTrace(path string, serverStart time.Time, s ordSeries) error {
	var b strings.Builder
	b.WriteString("version\tstart_ms\tfirst_ms\tlast_ms\toutlier\tclient_gcs\tstart_unix_ms\n")
	limit := outlierLimit(s.stats.lasts)
	for _, r := range s.rounds {
		out := 0
		if r.last.Microseconds() > limit {
			out = 1
		}
		fmt.Fprintf(&b, "%d\t%.1f\t%.1f\t%.1f\t%d\t%d\t%.1f\n", r.version, float64(r.start.Sub(serverStart).Microseconds())/1000,
			float64(r.first.Microseconds())/1000, float64(r.last.Microseconds())/1000, out, r.clientGCs, float64(r.start.UnixMicro())/1000)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		return err
	}
	// The load generator's own collections, the end of each (wall time):
	// with GODEBUG=gctrace=1 on its stderr, whose lines give each cycle's
	// number and length, they say when its collector ran.
	var gs debug.GCStats
	debug.ReadGCStats(&gs)
	b.Reset()
	b.WriteString("cycle\tend_unix_ms\n")
	for i, end := range gs.PauseEnd {
		fmt.Fprintf(&b, "%d\t%.1f\n", gs.NumGC-int64(i), float64(end.UnixMicro())/1000)
	}
	return os.WriteFile(strings.TrimSuffix(path, "-updates.tsv")+"-client-gc.tsv", []byte(b.String()), 0o644)
}

// outlierLimit is the last client (µs) beyond which an update is an
// outlier: 1.5× the median of the sorted lasts.
func outlierLimit(lasts []int64) int64 {
	if len(lasts) == 0 {
		return 0
	}
	return percentile(lasts, 50) * 3 / 2
}

// outliers counts the sorted lasts beyond 1.5× their median.
func outliers(lasts []int64) int {
	limit := outlierLimit(lasts)
	n := 0
	for _, l := range lasts {
		if l > limit {
			n++
		}
	}
	return n
}

// peerFrame is the frame the hub and Centrifugo send for update u: the
// shape of hwfdash's update envelope, padded to size bytes (hwfdash's frame
// in the same run), so that every peer writes and every client reads as
// many bytes.
func peerFrame(version int64, size int) []byte {
	head := fmt.Sprintf(`{"type":"update","topic":%q,"version":%d,"payload":{"pad":"`, bcTopic, version)
	tail := `"},"published":0}`
	pad := max(0, size-len(head)-len(tail))
	return []byte(head + strings.Repeat("x", pad) + tail)
}

// hwfdashPeer is an hwfdash server: clients subscribe to bcTopic with the
// protocol's subscribe message; an update is a posted observation.
func hwfdashPeer(p *Proc, token string) *peerSpec {
	client := &http.Client{Timeout: 30 * time.Second}
	post := p.URL + "/api/v1/observations"
	return &peerSpec{
		name:  "hwfdash",
		wsURL: "ws://" + p.Addr + "/ws",
		subscribe: func(conn *websocket.Conn) error {
			if err := conn.WriteMessage(websocket.TextMessage, []byte(`{"subscribe":["`+bcTopic+`"]}`)); err != nil {
				return err
			}
			for {
				_, data, err := conn.ReadMessage()
				if err != nil {
					return err
				}
				if bytes.Contains(data, subscribedMark) {
					return nil
				}
			}
		},
		// The store numbers revisions one by one: the update's version is
		// the current one plus one (read before the clock starts).
		prepare: func(ctx context.Context, _ int) (int64, error) {
			cur, err := currentVersion(ctx, client, post)
			return cur + 1, err
		},
		trigger: func(ctx context.Context, u int) error {
			_, err := postObservation(ctx, client, post, token, 5000+u)
			return err
		},
	}
}

// hubPeer is the textbook hub: every client gets every frame; an update is
// a POST of the frame to /publish.
func hubPeer(p *Proc, size int) *peerSpec {
	client := &http.Client{Timeout: 30 * time.Second}
	return &peerSpec{
		name:      "textbook hub",
		wsURL:     "ws://" + p.Addr + "/ws",
		subscribe: func(*websocket.Conn) error { return nil },
		prepare:   func(_ context.Context, u int) (int64, error) { return int64(u + 1), nil },
		trigger: func(ctx context.Context, u int) error {
			return postJSON(ctx, client, p.URL+"/publish", nil, peerFrame(int64(u+1), size))
		},
		registered: func(ctx context.Context) (int, error) {
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.URL+"/clients", nil)
			if err != nil {
				return 0, err
			}
			resp, err := client.Do(req)
			if err != nil {
				return 0, err
			}
			defer resp.Body.Close()
			var n int
			_, err = fmt.Fscan(resp.Body, &n)
			return n, err
		},
	}
}

// postJSON posts body and expects a 2xx answer.
func postJSON(ctx context.Context, client *http.Client, url string, header http.Header, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("POST %s: HTTP %d: %s", url, resp.StatusCode, b.String())
	}
	if bytes.Contains(b.Bytes(), []byte(`"error"`)) {
		return fmt.Errorf("POST %s: %s", url, b.String())
	}
	return nil
}

var errNoFrameSize = errors.New("no hwfdash frame size yet: hwfdash runs first")
