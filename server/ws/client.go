package ws

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"slices"
	"sync"
	"time"

	"github.com/fasthttp/websocket"
)

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

// Client is one websocket connection.
type Client struct {
	h      *Hub
	conn   *websocket.Conn // read by the reader goroutine
	nc     net.Conn        // the connection under conn, which closes it
	out    frameWriter     // nc, written by flush
	try    tryWriter       // the same, written without blocking by deliver; nil if unavailable
	addr   string
	topics map[string]bool // guarded by h.mu

	mu      sync.Mutex // guards the fields below
	queue   []Frame
	spare   []Frame // the last batch written, reused
	writing bool    // a flush goroutine, or a deliver attempt, is writing
	closed  bool
	partial bool // a frame is half written
	// deadline is the connection's write deadline, used only by the
	// running flush. Moving it costs a timer update, a tenth of a
	// broadcast's CPU when done for every write, so it moves only when
	// less than WriteWait-deadlineSlack is left.
	deadline time.Time
	once     sync.Once
	// value is the application's state for this client (see Value).
	value any
}

// Value is what the application keeps for this client (nil until it sets
// one). The application reads and sets it from HandleMessage, which runs
// one message at a time per client.
func (c *Client) Value() any {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.value
}

// SetValue sets what the application keeps for this client.
func (c *Client) SetValue(v any) {
	c.mu.Lock()
	c.value = v
	c.mu.Unlock()
}

// ClosePolicy closes the client with code 1008 (policy violation) and a
// reason: the application found it abusing the service.
func (c *Client) ClosePolicy(reason string) {
	c.closeWith(websocket.FormatCloseMessage(websocket.ClosePolicyViolation, reason))
}

// Send queues a frame without blocking, and starts the client's writer if
// it is not running. A full queue means the client does not keep up, and
// it is closed.
func (c *Client) Send(f Frame) {
	c.mu.Lock()
	c.enqueueLocked(f)
}

// enqueueLocked is Send with c.mu held; it unlocks it.
func (c *Client) enqueueLocked(f Frame) {
	if c.closed {
		c.mu.Unlock()
		return
	}
	if len(c.queue) >= QueueLen {
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
func (c *Client) deliver(f Frame) {
	if !c.claim(f) {
		return
	}
	n, err := c.try.tryWrite(f)
	c.afterTry(f, n, err)
}

// claim makes the calling goroutine the client's writer for one attempt
// to write f at once; if the client is writing, closed or has no socket of
// its own, f goes to its queue instead and claim reports false.
func (c *Client) claim(f Frame) bool {
	c.mu.Lock()
	if c.closed || c.writing || c.try == nil {
		c.enqueueLocked(f)
		return false
	}
	c.writing = true // this goroutine is the writer for one attempt
	c.mu.Unlock()
	return true
}

// afterTry ends a claimed attempt that wrote n bytes of f: the rest, and
// whatever was queued meanwhile, go to a writer goroutine.
func (c *Client) afterTry(f Frame, n int, err error) {
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
func (c *Client) flush() {
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
		if now := time.Now(); c.deadline.Sub(now) < WriteWait-deadlineSlack {
			c.deadline = now.Add(WriteWait)
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

func (c *Client) closeWith(msg []byte) {
	c.once.Do(func() {
		c.mu.Lock()
		c.closed = true
		c.queue, c.spare = nil, nil
		partial := c.partial
		c.mu.Unlock()
		if c.conn == nil { // a benchmark's client, without a connection
			return
		}
		if !partial { // after half a frame, a close frame would be garbage
			_ = c.conn.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
		}
		_ = c.nc.Close()
	})
}

func (c *Client) readLoop() {
	defer func() {
		// fasthttp does not recover a hijack handler's panic.
		if r := recover(); r != nil {
			c.h.log.Error("websocket reader panicked", "addr", c.addr, "panic", r)
		}
		c.closeWith(nil)
		c.h.remove(c)
	}()
	c.conn.SetReadLimit(MaxMessage)
	_ = c.conn.SetReadDeadline(time.Now().Add(PongWait))
	c.conn.SetPongHandler(func(string) error {
		return c.conn.SetReadDeadline(time.Now().Add(PongWait))
	})
	// A client's ping is answered through the queue: gorilla's own answer
	// would move the write deadline under the running flush.
	c.conn.SetPingHandler(func(msg string) error {
		c.Send(NewFrame(websocket.PongMessage, []byte(msg)))
		return nil
	})
	if err := shallow(func() { c.SendJSON(c.h.app.Hello()) }); err != nil {
		c.h.log.Error("closing a websocket client", "addr", c.addr, "err", err)
		return
	}
	for {
		kind, data, err := c.conn.ReadMessage()
		if err != nil {
			return // includes the 1009 close gorilla sends when a frame is over the limit
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(PongWait))
		if kind != websocket.TextMessage {
			c.SendError("send JSON text messages")
			continue
		}
		if err := shallow(func() { c.h.app.HandleMessage(c, data) }); err != nil {
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

// SendJSON queues v, encoded as JSON, as a text message.
func (c *Client) SendJSON(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		return
	}
	c.Send(TextFrame(b))
}

// SendError queues an error message; the connection stays open.
func (c *Client) SendError(msg string) {
	c.SendJSON(map[string]string{"type": "error", "error": msg})
}

// SetTopics applies a subscription change; it returns the topics newly
// subscribed, or an error when more than MaxTopics would be subscribed.
func (c *Client) SetTopics(add, remove []string) ([]string, error) {
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
		if len(c.topics) >= MaxTopics {
			return added, fmt.Errorf("at most %d subscriptions per connection", MaxTopics)
		}
		if h.topics[t] == nil && h.cfg.MaxLiveTopics > 0 && len(h.topics) >= h.cfg.MaxLiveTopics {
			return added, fmt.Errorf("the server follows %d distinct topics, its most: subscribe to views others follow, or retry later", h.cfg.MaxLiveTopics)
		}
		c.topics[t] = true
		h.subscribe(c, t)
		added = append(added, t)
	}
	return added, nil
}

// Topics lists the topics the client subscribes to, in no order.
func (c *Client) Topics() []string {
	c.h.mu.Lock()
	defer c.h.mu.Unlock()
	out := make([]string, 0, len(c.topics))
	for t := range c.topics {
		out = append(out, t)
	}
	return out
}

// Addr is the client's address, as the per-address cap counted it.
func (c *Client) Addr() string { return c.addr }
