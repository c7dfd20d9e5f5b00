package server

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/adaptor"
	"github.com/gorilla/websocket"
)

// Websocket limits. A client that cannot take frames as fast as they come
// is dropped: its queue is bounded, so it can never hold back the others.
const (
	wsMaxMessage    = 4096
	wsQueue         = 64
	wsWriteWait     = 10 * time.Second
	wsDeadlineSlack = time.Second
	wsChunk         = 512 // clients per broadcasting goroutine, at least
	wsPongWait      = 60 * time.Second
	wsPingEvery     = 25 * time.Second
	wsMaxTopics     = 32
	wsMaxPerAddress = 64
)

// hub keeps the websocket clients and their topic subscriptions.
//
// A connection costs the fasthttp adaptor two goroutines (the hijacked
// connection's and the handler's, which reads); the hub adds none while the
// client is idle. A frame is encoded once, header included, for all its
// receivers. A broadcast writes it to each idle client's socket with one
// non-blocking write; what a socket does not take at once, and frames for
// a client still writing, wait in the client's bounded queue, written by a
// goroutine that lives only while that queue is non-empty, so a client
// whose socket is full holds back only itself. No connection keeps a write
// buffer; one ticker pings every client.
type hub struct {
	s        *Server
	log      *slog.Logger
	upgrader websocket.Upgrader
	ping     frame

	mu       sync.Mutex
	clients  map[*client]struct{}
	topics   map[string]*subscribers // topic → its clients, so a broadcast does not scan everyone
	perAddr  map[string]int
	closing  bool
	pinging  bool
	stopPing chan struct{}
	wg       sync.WaitGroup
	dropped  int
	maxAddrN int
}

// subscribers are one topic's clients. list is a snapshot, rebuilt on the
// first broadcast after a change and never modified, so a broadcast walks
// it without holding the hub's lock.
type subscribers struct {
	set  map[*client]struct{}
	list []*client
}

// frameWriter is the connection under a websocket, which the hub writes
// frames to (the broadcast benchmark uses one that discards). A net.Conn
// writes each buffer whole before another write starts, so these frames do
// not interleave with the close frames gorilla writes; after a frame that a
// non-blocking write left half done, no close frame is sent.
type frameWriter interface {
	io.Writer
	SetWriteDeadline(t time.Time) error
}

// tryWriter writes what a socket takes at once, without blocking.
type tryWriter interface {
	tryWrite(b []byte) (int, error)
}

// rawWriter writes to a socket's descriptor directly: one write(2), and
// EAGAIN means nothing was taken. It holds a reference on the descriptor
// (RawConn.Control), so the descriptor cannot be closed and its number
// reused during the write, but not Go's write lock, whose bookkeeping
// (lock, deadline and poller reset) cost as much as a tenth of a broadcast
// on 10,000 clients. Writes to the socket are still exclusive: the hub
// writes only while no flush runs (client.writing), and the kernel does
// not interleave the bytes of two writes to a stream socket.
//
// One rawWriter belongs to one client, whose writes never overlap, so the
// call's arguments and results live in it and the function handed to
// Control is made once, not allocated for every write.
type rawWriter struct {
	raw   syscall.RawConn
	write func(fd uintptr)
	b     []byte
	n     uintptr
	errno syscall.Errno
}

func newRawWriterFor(raw syscall.RawConn) *rawWriter {
	w := &rawWriter{raw: raw}
	w.write = func(fd uintptr) {
		// A raw system call: a non-blocking socket's write never blocks,
		// so the scheduler need not be told about it.
		w.n, _, w.errno = syscall.RawSyscall(syscall.SYS_WRITE, fd, uintptr(unsafe.Pointer(&w.b[0])), uintptr(len(w.b)))
	}
	return w
}

func (w *rawWriter) tryWrite(b []byte) (int, error) {
	if len(b) == 0 {
		return 0, nil
	}
	w.b = b
	err := w.raw.Control(w.write)
	w.b = nil
	if err != nil {
		return 0, err
	}
	switch w.errno {
	case 0:
		return int(w.n), nil
	case syscall.EAGAIN, syscall.EINTR:
		return 0, nil // the queue's writer will wait for the socket
	default:
		return 0, w.errno
	}
}

// newRawWriter finds the socket under a connection; the fasthttp adaptor
// hands over the connection in a struct that embeds it. nil if there is
// none, and frames then all go through the queue.
func newRawWriter(c net.Conn) tryWriter {
	for range 4 {
		if sc, ok := c.(syscall.Conn); ok {
			if raw, err := sc.SyscallConn(); err == nil {
				return newRawWriterFor(raw)
			}
			return nil
		}
		v := reflect.ValueOf(c)
		if v.Kind() != reflect.Pointer || v.Elem().Kind() != reflect.Struct {
			return nil
		}
		f := v.Elem().FieldByName("Conn")
		if !f.IsValid() || !f.CanInterface() {
			return nil
		}
		inner, ok := f.Interface().(net.Conn)
		if !ok || inner == nil {
			return nil
		}
		c = inner
	}
	return nil
}

// frame is a complete websocket frame, header included, encoded once for
// all its receivers (frames from a server are not masked).
type frame []byte

// newFrame encodes a final frame of the given opcode (RFC 6455, 5.2).
func newFrame(opcode byte, payload []byte) frame {
	n := len(payload)
	var f frame
	switch {
	case n < 126:
		f = make(frame, 2, 2+n)
		f[1] = byte(n)
	case n <= 0xFFFF:
		f = make(frame, 4, 4+n)
		f[1] = 126
		binary.BigEndian.PutUint16(f[2:], uint16(n))
	default:
		f = make(frame, 10, 10+n)
		f[1] = 127
		binary.BigEndian.PutUint64(f[2:], uint64(n))
	}
	f[0] = 0x80 | opcode // FIN
	return append(f, payload...)
}

// textFrame is a text message in one frame.
func textFrame(payload []byte) frame { return newFrame(websocket.TextMessage, payload) }

// client is one websocket connection.
type client struct {
	h      *hub
	conn   *websocket.Conn // read by the adaptor's goroutine; closes
	out    frameWriter     // conn's network connection, written by flush
	try    tryWriter       // the same, written without blocking by deliver; nil if unavailable
	addr   string
	topics map[string]bool // guarded by h.mu

	mu      sync.Mutex // guards the fields below
	queue   []frame
	spare   []frame // the last batch written, reused
	writing bool    // a flush goroutine, or a deliver attempt, is writing
	closed  bool
	partial bool // a frame is half written
	// deadline is the connection's write deadline, used only by the
	// running flush. Moving it costs a timer update, a tenth of a
	// broadcast's CPU when done for every write, so it moves only when
	// less than wsWriteWait-wsDeadlineSlack is left.
	deadline time.Time
	once     sync.Once
}

func newHub(s *Server, log *slog.Logger) *hub {
	h := &hub{s: s, log: log, clients: map[*client]struct{}{}, topics: map[string]*subscribers{},
		perAddr: map[string]int{}, maxAddrN: s.cfg.MaxConnsPerAddress, stopPing: make(chan struct{})}
	h.upgrader = websocket.Upgrader{
		// Clients send short JSON commands; gorilla grows reads past the
		// buffer as needed, up to the read limit.
		ReadBufferSize: 512,
		// Only messages written through gorilla's NextWriter use this, and
		// the hub writes its own frames: idle connections hold none.
		WriteBufferSize:   4096,
		WriteBufferPool:   &sync.Pool{},
		HandshakeTimeout:  10 * time.Second,
		CheckOrigin:       h.checkOrigin,
		EnableCompression: false,
	}
	h.ping = newFrame(websocket.PingMessage, nil)
	return h
}

// checkOrigin allows clients without an Origin (not browsers), the server's
// own origin, and the configured ALLOWED_ORIGINS.
func (h *hub) checkOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		return true
	}
	u, err := url.Parse(origin)
	if err != nil {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	for _, o := range h.s.cfg.AllowedOrigins {
		if o == "*" || strings.EqualFold(strings.TrimRight(o, "/"), origin) {
			return true
		}
	}
	return false
}

func (h *hub) handler() fiber.Handler {
	serve := adaptor.HTTPHandlerFunc(h.serveWS)
	return func(c *fiber.Ctx) error {
		if !websocket.IsWebSocketUpgrade(adaptorRequest(c)) {
			return &apiError{Status: fiber.StatusUpgradeRequired, Message: "websocket upgrade required", Field: "Upgrade"}
		}
		return serve(c)
	}
}

// adaptorRequest is a minimal http.Request view for the upgrade check.
func adaptorRequest(c *fiber.Ctx) *http.Request {
	r := &http.Request{Header: http.Header{}}
	r.Header.Set("Connection", c.Get(fiber.HeaderConnection))
	r.Header.Set("Upgrade", c.Get(fiber.HeaderUpgrade))
	return r
}

func (h *hub) serveWS(w http.ResponseWriter, r *http.Request) {
	addr, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		addr = r.RemoteAddr
	}
	if !h.checkOrigin(r) {
		http.Error(w, `{"error":"origin not allowed","field":"Origin"}`, http.StatusForbidden)
		return
	}
	h.mu.Lock()
	if h.closing {
		h.mu.Unlock()
		http.Error(w, `{"error":"shutting down"}`, http.StatusServiceUnavailable)
		return
	}
	if h.perAddr[addr] >= h.maxAddrN {
		h.mu.Unlock()
		http.Error(w, `{"error":"too many connections from this address"}`, http.StatusTooManyRequests)
		return
	}
	h.perAddr[addr]++
	h.wg.Add(1)
	if !h.pinging {
		h.pinging = true
		h.wg.Add(1)
		go h.pingLoop()
	}
	h.mu.Unlock()
	conn, err := h.upgrader.Upgrade(w, r, nil)
	if err != nil {
		h.release(addr)
		h.wg.Done()
		return
	}
	c := &client{h: h, conn: conn, out: conn.NetConn(), try: newRawWriter(conn.NetConn()), addr: addr, topics: map[string]bool{}}
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	// The reads go on in a goroutine of their own, and this one returns:
	// the adaptor's handler goroutine grew a deep stack serving the upgrade
	// through Fiber, and would keep it for the connection's whole life. A
	// fresh goroutine starts small, so an idle connection costs two small
	// stacks (this reader and fasthttp's, parked until the connection
	// closes) instead of a large one and a small one. After a hijack,
	// returning is what net/http handlers do; the connection stays open.
	go c.readLoop()
}

func (h *hub) release(addr string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.perAddr[addr]--
	if h.perAddr[addr] <= 0 {
		delete(h.perAddr, addr)
	}
}

func (h *hub) remove(c *client) {
	h.mu.Lock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		for t := range c.topics {
			h.unsubscribe(c, t)
		}
		h.perAddr[c.addr]--
		if h.perAddr[c.addr] <= 0 {
			delete(h.perAddr, c.addr)
		}
		h.wg.Done()
	}
	h.mu.Unlock()
}

// subscribe and unsubscribe keep the topic index; h.mu is held.
func (h *hub) subscribe(c *client, topic string) {
	subs := h.topics[topic]
	if subs == nil {
		subs = &subscribers{set: map[*client]struct{}{}}
		h.topics[topic] = subs
	}
	subs.set[c] = struct{}{}
	subs.list = nil
}

func (h *hub) unsubscribe(c *client, topic string) {
	subs := h.topics[topic]
	if subs == nil {
		return
	}
	delete(subs.set, c)
	subs.list = nil
	if len(subs.set) == 0 {
		delete(h.topics, topic)
	}
}

func (h *hub) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.clients)
}

// subscriberList returns a topic's clients; the slice must not be modified.
func (h *hub) subscriberList(topic string) []*client {
	h.mu.Lock()
	defer h.mu.Unlock()
	subs := h.topics[topic]
	if subs == nil {
		return nil
	}
	if subs.list == nil {
		subs.list = make([]*client, 0, len(subs.set))
		for c := range subs.set {
			subs.list = append(subs.list, c)
		}
	}
	return subs.list
}

// hasSubscribers tells whether a topic has any client.
func (h *hub) hasSubscribers(topic string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.topics[topic] != nil
}

// broadcast sends one frame to every subscriber of a topic. Large fan-outs
// are split over one goroutine per processor, since each write is a system
// call of its own.
func (h *hub) broadcast(topic string, f frame) int {
	subs := h.subscriberList(topic)
	k := min(runtime.GOMAXPROCS(0), (len(subs)+wsChunk-1)/wsChunk)
	if k <= 1 {
		for _, c := range subs {
			c.deliver(f)
		}
		return len(subs)
	}
	var wg sync.WaitGroup
	size := (len(subs) + k - 1) / k
	for part := range slices.Chunk(subs, size) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, c := range part {
				c.deliver(f)
			}
		}()
	}
	wg.Wait()
	return len(subs)
}

// pingLoop pings every client from one ticker; a client whose pong does not
// come within wsPongWait fails its read deadline and goes.
func (h *hub) pingLoop() {
	defer h.wg.Done()
	t := time.NewTicker(wsPingEvery)
	defer t.Stop()
	for {
		select {
		case <-h.stopPing:
			return
		case <-t.C:
			h.mu.Lock()
			clients := make([]*client, 0, len(h.clients))
			for c := range h.clients {
				clients = append(clients, c)
			}
			h.mu.Unlock()
			for _, c := range clients {
				c.enqueue(h.ping)
			}
		}
	}
}

// closeAll tells every client the server is going away (1001), so that it
// reconnects to another instance, and refuses new clients.
func (h *hub) closeAll() {
	h.mu.Lock()
	if !h.closing {
		h.closing = true
		close(h.stopPing)
	}
	clients := make([]*client, 0, len(h.clients))
	for c := range h.clients {
		clients = append(clients, c)
	}
	h.mu.Unlock()
	msg := websocket.FormatCloseMessage(websocket.CloseGoingAway, "server shutting down")
	for _, c := range clients {
		c.closeWith(msg)
	}
}

// wait blocks until every client's goroutines have ended.
func (h *hub) wait() { h.wg.Wait() }

// enqueue queues a frame without blocking, and starts the client's writer
// if it is not running. A full queue means the client does not keep up,
// and it is closed.
func (c *client) enqueue(f frame) {
	c.mu.Lock()
	c.enqueueLocked(f)
}

// enqueueLocked is enqueue with c.mu held; it unlocks it.
func (c *client) enqueueLocked(f frame) {
	if c.closed {
		c.mu.Unlock()
		return
	}
	if len(c.queue) >= wsQueue {
		c.closed = true
		c.mu.Unlock()
		c.h.mu.Lock()
		c.h.dropped++
		c.h.mu.Unlock()
		c.h.log.Info("dropping slow websocket client", "addr", c.addr)
		// Its socket is full: the close frame may wait for the write
		// deadline, which the broadcast must not.
		go c.closeWith(websocket.FormatCloseMessage(websocket.ClosePolicyViolation, "too slow"))
		return
	}
	c.queue = append(c.queue, f)
	start := !c.writing
	c.writing = true
	c.mu.Unlock()
	if start {
		go c.flush()
	}
}

// deliver sends a frame without blocking. A client with nothing queued is
// written to at once, as much as its socket takes; the rest, if any, and
// frames for a client that is still writing go through its queue.
func (c *client) deliver(f frame) {
	c.mu.Lock()
	if c.closed || c.writing || c.try == nil {
		c.enqueueLocked(f)
		return
	}
	c.writing = true // this goroutine is the writer for one attempt
	c.mu.Unlock()
	n, err := c.try.tryWrite(f)
	if err != nil {
		c.closeWith(nil)
		return
	}
	c.mu.Lock()
	if n < len(f) {
		c.partial = n > 0
		c.queue = slices.Insert(c.queue, 0, f[n:])
	}
	if len(c.queue) > 0 && !c.closed {
		c.mu.Unlock()
		go c.flush()
		return
	}
	c.writing = false
	c.mu.Unlock()
}

// flush writes the queue until it is empty, then ends: an idle client has
// no writer goroutine. Its writes may block, under a write deadline that
// it clears when done, so that deliver's attempts never meet a stale one.
func (c *client) flush() {
	for {
		c.mu.Lock()
		batch := c.queue
		if len(batch) == 0 || c.closed {
			if !c.deadline.IsZero() && !c.closed {
				c.mu.Unlock()
				c.deadline = time.Time{}
				_ = c.out.SetWriteDeadline(c.deadline)
				continue // frames may have come meanwhile
			}
			c.writing = false
			c.mu.Unlock()
			return
		}
		c.queue, c.spare = c.spare[:0], nil
		c.mu.Unlock()
		if now := time.Now(); c.deadline.Sub(now) < wsWriteWait-wsDeadlineSlack {
			c.deadline = now.Add(wsWriteWait)
			_ = c.out.SetWriteDeadline(c.deadline)
		}
		for i, f := range batch {
			if _, err := c.out.Write(f); err != nil {
				c.closeWith(nil)
				c.mu.Lock()
				c.writing = false
				c.mu.Unlock()
				return
			}
			batch[i] = nil
		}
		c.mu.Lock()
		c.partial = false
		c.spare = batch[:0]
		c.mu.Unlock()
	}
}

func (c *client) closeWith(msg []byte) {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.queue, c.spare = nil, nil
		partial := c.partial
		c.mu.Unlock()
		if !partial { // after half a frame, a close frame would be garbage
			_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		}
		_ = c.conn.Close()
	})
}

// clientMessage is what a client may send.
type clientMessage struct {
	Subscribe   []string `json:"subscribe"`
	Unsubscribe []string `json:"unsubscribe"`
	// Since is the last data version the client saw; topics it subscribes to
	// are sent again when the server knows a newer one, so a reconnecting
	// client has no gap.
	Since *int64 `json:"since"`
	// Control is a presenter command, accepted only with an admin token.
	Control *json.RawMessage `json:"control"`
	Token   string           `json:"token"`
}

func (c *client) readLoop() {
	defer func() {
		// This goroutine is the hub's own, outside the adaptor's recover.
		if r := recover(); r != nil {
			c.h.log.Error("websocket reader panicked", "addr", c.addr, "panic", r)
		}
		c.closeWith(nil)
		c.h.remove(c)
	}()
	c.conn.SetReadLimit(wsMaxMessage)
	_ = c.conn.SetReadDeadline(time.Now().Add(wsPongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(wsPongWait))
	})
	// A client's ping is answered through the queue: gorilla's own answer
	// would move the write deadline under the running flush.
	c.conn.SetPingHandler(func(msg string) error {
		c.enqueue(newFrame(websocket.PongMessage, []byte(msg)))
		return nil
	})
	if err := shallow(func() { c.sendJSON(map[string]any{"type": "hello", "version": c.h.s.version.Load()}) }); err != nil {
		c.h.log.Error("closing a websocket client", "addr", c.addr, "err", err)
		return
	}
	for {
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			return // includes the 1009 close gorilla sends when a frame is over the limit
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(wsPongWait))
		if kind != websocket.TextMessage {
			c.sendError("send JSON text messages")
			continue
		}
		if err := shallow(func() { c.h.s.handleClientMessage(c, data) }); err != nil {
			c.h.log.Error("closing a websocket client", "addr", c.addr, "err", err)
			return
		}
	}
}

// shallow runs f in a goroutine of its own and waits for it. The reader
// spends its life parked in a read with a shallow stack; decoding and
// answering a message (JSON, payloads) goes deep, and a stack once grown is
// kept by an idle connection, so the deep work happens on a stack that is
// freed when it ends. Messages stay in order: the reader waits.
//
// A panic in f is recovered and reported as an error, so that one hostile
// or unforeseen message ends its own connection, never the server.
func shallow(f func()) (err error) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				err = fmt.Errorf("websocket message handler panicked: %v", r)
			}
		}()
		f()
	}()
	<-done
	return err
}

func (c *client) sendJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	c.enqueue(textFrame(b))
}

func (c *client) sendError(msg string) {
	c.sendJSON(map[string]string{"type": "error", "error": msg})
}

// setTopics applies a subscription change; it returns the topics newly
// subscribed, or an error when the cap would be passed.
func (c *client) setTopics(add, remove []string) ([]string, error) {
	h := c.h
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.clients[c]; !ok {
		return nil, nil // gone: nothing to index
	}
	for _, t := range remove {
		if c.topics[t] {
			delete(c.topics, t)
			h.unsubscribe(c, t)
		}
	}
	var added []string
	for _, t := range add {
		if c.topics[t] {
			continue
		}
		if len(c.topics) >= wsMaxTopics {
			return added, fmt.Errorf("at most %d subscriptions per connection", wsMaxTopics)
		}
		c.topics[t] = true
		h.subscribe(c, t)
		added = append(added, t)
	}
	return added, nil
}
