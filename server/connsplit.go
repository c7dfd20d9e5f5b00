package server

import (
	"bytes"
	"errors"
	"net"
	"sync"
	"syscall"
	"time"
)

// connSplit hands each connection accepted on one listener to one of two
// listeners, by the start of its first request: websocket upgrades
// ("GET /ws") to one, everything else to the other. The two are served by
// two fasthttp servers that differ in one setting, ReduceMemoryUsage: a
// websocket, hijacked from fasthttp for hours, must not keep fasthttp's
// 4 KB request reader (it does unless the server releases it after every
// request), while for an HTTP keep-alive connection releasing and taking
// back its buffers at every request costs an extra read system call and a
// tenth of a cached read's time.
type connSplit struct {
	ln       net.Listener
	peekWait time.Duration
	ws, http *splitListener
	once     sync.Once
	done     chan struct{}
}

// wsPrefix is how a websocket upgrade's request line starts; peekLen bytes
// of it decide.
var wsPrefix = []byte("GET /ws")

const peekLen = len("GET /ws ")

func newConnSplit(ln net.Listener, peekWait time.Duration) *connSplit {
	s := &connSplit{ln: ln, peekWait: peekWait, done: make(chan struct{})}
	s.ws = &splitListener{s: s, conns: make(chan net.Conn)}
	s.http = &splitListener{s: s, conns: make(chan net.Conn)}
	go s.accept()
	return s
}

func (s *connSplit) accept() {
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
			s.close()
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
// over. It peeks (MSG_PEEK): the bytes stay in the socket for fasthttp to
// read, and c stays the *net.TCPConn it is, which fasthttp needs to write a
// header and body with one writev, and the hub to write to the socket.
func (s *connSplit) route(c net.Conn) {
	to := s.http
	if isUpgrade(c, s.peekWait) {
		to = s.ws
	}
	select {
	case to.conns <- c:
	case <-s.done:
		_ = c.Close()
	}
}

// isUpgrade reports whether c's first bytes are a websocket upgrade's
// request line, waiting at most wait for them.
func isUpgrade(c net.Conn, wait time.Duration) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var buf [peekLen]byte
	n := 0
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_ = raw.Read(func(fd uintptr) bool {
		m, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK)
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
			return false // wait until readable
		}
		n = m
		// Fewer bytes than needed and the connection still open: wait for
		// more (the poller wakes on new data).
		return err != nil || m == 0 || m >= peekLen
	})
	_ = c.SetReadDeadline(time.Time{})
	return n == peekLen && bytes.HasPrefix(buf[:], wsPrefix) && (buf[len(wsPrefix)] == ' ' || buf[len(wsPrefix)] == '?')
}

func (s *connSplit) close() {
	s.once.Do(func() {
		close(s.done)
		_ = s.ln.Close()
	})
}

// splitListener is one side of a connSplit. Closing either side closes
// the listener under both: a server that stops stops accepting.
type splitListener struct {
	s     *connSplit
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

func (l *splitListener) Close() error { l.s.close(); return nil }

func (l *splitListener) Addr() net.Addr { return l.s.ln.Addr() }
