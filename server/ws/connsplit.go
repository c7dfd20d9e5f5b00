package ws

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// ConnSplit hands each connection accepted on one listener to one of two
// listeners, by the start of its first request: websocket upgrades
// ("GET /ws") to WS, everything else to HTTP. The two are served by two
// fasthttp servers that differ in one setting, ReduceMemoryUsage: a
// websocket, hijacked from fasthttp for hours, must not keep fasthttp's
// 4 KB request reader (it does unless the server releases it after every
// request), while for an HTTP keep-alive connection releasing and taking
// back its buffers at every request costs an extra read system call and a
// tenth of a cached read's time.
//
// Where the platform cannot peek at a socket, every connection goes to HTTP.
type ConnSplit struct {
	// WS and HTTP are the two sides. Closing either closes the listener
	// under both: a server that stops stops accepting.
	WS, HTTP net.Listener

	ln       net.Listener
	peekWait time.Duration
	prefix   []byte // how an upgrade's request line starts, e.g. "GET /ws"
	ws, http *splitListener
	once     sync.Once
	done     chan struct{}
}

// NewConnSplit starts accepting on ln; upgrades are GET requests of path
// (with or without a query). A connection whose request line has not come
// within peekWait goes to HTTP.
func NewConnSplit(ln net.Listener, path string, peekWait time.Duration) *ConnSplit {
	s := &ConnSplit{ln: ln, peekWait: peekWait, prefix: []byte("GET " + path), done: make(chan struct{})}
	s.ws = &splitListener{s: s, conns: make(chan net.Conn)}
	s.http = &splitListener{s: s, conns: make(chan net.Conn)}
	s.WS, s.HTTP = s.ws, s.http
	go s.accept()
	return s
}

func (s *ConnSplit) accept() {
	var wait time.Duration
	for {
		c, err := s.ln.Accept()
		if err != nil {
			if retryAccept(err) {
				// Out of descriptors, or a connection aborted before it was
				// taken: wait and go on, as net/http does, rather than stop
				// serving for good.
				wait = min(max(2*wait, 5*time.Millisecond), time.Second)
				select {
				case <-time.After(wait):
					continue
				case <-s.done:
					return
				}
			}
			s.Close()
			return
		}
		wait = 0
		go s.route(c)
	}
}

// retryAccept reports whether an Accept error passes: a timeout, too many
// open files, or a connection aborted before it was accepted.
func retryAccept(err error) bool {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return true
	}
	return errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) || errors.Is(err, syscall.ECONNABORTED)
}

// route looks at the start of c's first request, on a goroutine of its
// own so that a client that sends nothing holds back no one, and hands c
// over. It peeks: the bytes stay in the socket for fasthttp to read, and c
// stays the *net.TCPConn it is, which fasthttp needs to write a header and
// body with one writev, and the hub to write to the socket.
func (s *ConnSplit) route(c net.Conn) {
	to := s.http
	if s.isUpgrade(c) {
		to = s.ws
	}
	select {
	case to.conns <- c:
	case <-s.done:
		_ = c.Close()
	}
}

// isUpgrade reports whether c's first bytes are a websocket upgrade's
// request line, waiting at most peekWait for them.
func (s *ConnSplit) isUpgrade(c net.Conn) bool {
	buf := make([]byte, len(s.prefix)+1)
	n := peek(c, buf, s.peekWait)
	return n == len(buf) && bytes.HasPrefix(buf, s.prefix) && (buf[len(s.prefix)] == ' ' || buf[len(s.prefix)] == '?')
}

// Close stops accepting and closes the listener.
func (s *ConnSplit) Close() {
	s.once.Do(func() {
		close(s.done)
		_ = s.ln.Close()
	})
}

// splitListener is one side of a ConnSplit.
type splitListener struct {
	s     *ConnSplit
	conns chan net.Conn
}

func (l *splitListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.s.done:
		return nil, net.ErrClosed
	}
}

func (l *splitListener) Close() error { l.s.Close(); return nil }

func (l *splitListener) Addr() net.Addr { return l.s.ln.Addr() }
