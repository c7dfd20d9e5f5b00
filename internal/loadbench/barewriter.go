package loadbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// The bare writer is the broadcast targets' floor, not a peer a server
// could be: what the machine, the kernel's TCP and the ordinary client
// cost with almost nothing of a server's own. Its clients are upgraded as
// the hub's are; an update (POST /publish, as the hub's) is framed once,
// then written to every socket with one system call each, from one
// goroutine per core, with no queue, no subscription, no store and no
// encoding in between. A server can still spend a little less per client
// (hwfdash batches its sends through io_uring), but not much: a target
// that the bare writer misses in the same run is one this machine and
// this client cannot meet, whatever the server.

// BareCommand is the subcommand of hwfdash-bench that runs ServeBareWriter.
const BareCommand = "bare"

type bareWriter struct {
	frames chan []byte
	mu     sync.Mutex
	conns  []*bareConn
}

type bareConn struct {
	conn net.Conn
	raw  syscall.RawConn
	// A socket whose buffer was full has a writer of its own until its
	// backlog is written; frames that come meanwhile wait behind it, so a
	// frame is never cut by another.
	mu       sync.Mutex
	draining bool
	closed   bool
	backlog  [][]byte
}

// write is one write(2) to the socket. It goes through the connection's
// RawConn, which holds the descriptor open for the call: a client that
// closes meanwhile gets an error, never a write to a descriptor reused by
// another connection.
func (c *bareConn) write(frame []byte) (int, error) {
	var n int
	var werr error
	if err := c.raw.Write(func(fd uintptr) bool {
		n, werr = rawWrite(fd, frame)
		return true // a full socket is the drain's, not the poller's, to wait for
	}); err != nil {
		return 0, err
	}
	return n, werr
}

// send writes frame with one system call, or leaves it to the socket's
// own writer when the socket is behind.
func (c *bareConn) send(frame []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return
	}
	if c.draining {
		c.backlog = append(c.backlog, frame)
		return
	}
	n, err := c.write(frame)
	if err == nil && n == len(frame) {
		return
	}
	c.draining = true
	c.backlog = append(c.backlog, frame[max(n, 0):])
	go c.drain()
}

// drain writes the backlog through the runtime's poller, which waits for
// room in the socket.
func (c *bareConn) drain() {
	for {
		c.mu.Lock()
		if len(c.backlog) == 0 {
			c.draining = false
			c.mu.Unlock()
			return
		}
		next := c.backlog[0]
		c.backlog = c.backlog[1:]
		c.mu.Unlock()
		_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if _, err := c.conn.Write(next); err != nil {
			c.close()
			return
		}
	}
}

// close ends the connection; what would come later is dropped.
func (c *bareConn) close() {
	c.mu.Lock()
	c.closed, c.backlog = true, nil
	c.mu.Unlock()
	c.conn.Close()
}

// broadcast writes frame to every connection: the connections are cut in
// one share per core, each written by a goroutine of its own. It returns
// once every share is written, so frames keep their order.
func (b *bareWriter) broadcast(frame []byte) {
	b.mu.Lock()
	conns := b.conns
	b.mu.Unlock()
	shares := min(runtime.GOMAXPROCS(0), max(1, len(conns)))
	var wg sync.WaitGroup
	for s := range shares {
		lo, hi := s*len(conns)/shares, (s+1)*len(conns)/shares
		wg.Go(func() {
			for _, c := range conns[lo:hi] {
				c.send(frame)
			}
		})
	}
	wg.Wait()
}

// run broadcasts the published frames one after the other, as the hub's
// goroutine does: a POST is answered once its frame is taken.
func (b *bareWriter) run(ctx context.Context) {
	for {
		select {
		case frame := <-b.frames:
			b.broadcast(frame)
		case <-ctx.Done():
			return
		}
	}
}

func (b *bareWriter) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := hubUpgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		raw, err := rawConn(conn.UnderlyingConn())
		if err != nil {
			conn.Close()
			return
		}
		c := &bareConn{conn: conn.UnderlyingConn(), raw: raw}
		b.mu.Lock()
		// A new slice each time: a broadcast under way keeps the one it took.
		b.conns = append(b.conns[:len(b.conns):len(b.conns)], c)
		b.mu.Unlock()
		// The clients never write; a read only notices their close. Only
		// the bare writer writes to the socket: gorilla's answers to a ping
		// or a close would cut into its frames.
		conn.SetPingHandler(func(string) error { return nil })
		conn.SetCloseHandler(func(int, string) error { return nil })
		go func() {
			defer b.remove(c)
			conn.SetReadLimit(4096)
			for {
				if _, _, err := conn.ReadMessage(); err != nil {
					return
				}
			}
		}()
	})
	mux.HandleFunc("POST /publish", func(w http.ResponseWriter, r *http.Request) {
		msg, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		select {
		case b.frames <- serverFrame(msg):
		case <-r.Context().Done():
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /clients", func(w http.ResponseWriter, r *http.Request) {
		b.mu.Lock()
		n := len(b.conns)
		b.mu.Unlock()
		fmt.Fprint(w, n)
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return mux
}

// remove closes c and takes it out of the set.
func (b *bareWriter) remove(c *bareConn) {
	c.close()
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range b.conns {
		if x == c {
			// A new slice: a broadcast under way keeps the one it took.
			b.conns = append(b.conns[:i:i], b.conns[i+1:]...)
			return
		}
	}
}

// rawConn is the connection's access to its descriptor, for the writes
// that go around the runtime's poller.
func rawConn(c net.Conn) (syscall.RawConn, error) {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil, errors.New("bare writer: not a socket")
	}
	return sc.SyscallConn()
}

// ServeBareWriter runs the bare writer on addr until ctx ends.
func ServeBareWriter(ctx context.Context, addr string) error {
	return listenAndServe(ctx, "bare writer", addr, serveBareWriter)
}

func serveBareWriter(ctx context.Context, ln net.Listener) error {
	b := &bareWriter{frames: make(chan []byte)}
	go b.run(ctx)
	return serveHTTP(ctx, ln, b.handler())
}

// StartBareWriter runs `hwfdash-bench bare` (this executable).
func StartBareWriter(ctx context.Context, o Options, name string) (*Proc, error) {
	return startSelf(ctx, o, name, BareCommand)
}
