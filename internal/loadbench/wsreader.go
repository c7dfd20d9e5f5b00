package loadbench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/gorilla/websocket"
)

// pollReader reads the server's frames for many websocket clients from one
// epoll loop. The load generator shares two cores with the server it
// measures; a goroutine per client costs two reads and a goroutine wake-up
// per frame, this one read, so more of the machine is left to the server.
//
// Each client's handshake and subscription go through gorilla; then its
// socket is duplicated, the gorilla connection closed (the duplicate keeps
// the socket open) and the duplicate registered here.
//
// The epoll descriptor is itself waited on through Go's poller, so the loop
// parks like any goroutine instead of blocking a thread in epoll_wait (which
// would have the runtime hand its processor over each time).
type pollReader struct {
	epfd    int
	ep      *os.File // epfd, for Go's poller
	raw     syscall.RawConn
	mu      sync.Mutex
	conns   map[int32]*rawClient
	done    chan struct{}
	onFrame func(c *wsClient, data []byte, now int64)
}

// rawClient is a socket read by the poll loop.
type rawClient struct {
	fd      int
	c       *wsClient
	pending []byte // bytes of an incomplete frame
}

func newPollReader(onFrame func(c *wsClient, data []byte, now int64)) (*pollReader, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll: %w", err)
	}
	if err := syscall.SetNonblock(epfd, true); err != nil {
		syscall.Close(epfd)
		return nil, err
	}
	ep := os.NewFile(uintptr(epfd), "epoll")
	raw, err := ep.SyscallConn()
	if err != nil {
		ep.Close()
		return nil, err
	}
	p := &pollReader{epfd: epfd, ep: ep, raw: raw, conns: map[int32]*rawClient{}, done: make(chan struct{}), onFrame: onFrame}
	go p.loop()
	return p, nil
}

// adopt takes over a connection whose handshake is done and whose reads
// gorilla has stopped (nothing is buffered: the server sends nothing
// between the subscription's answer and the first update).
func (p *pollReader) adopt(c *wsClient, conn *websocket.Conn) error {
	tcp, ok := conn.NetConn().(*net.TCPConn)
	if !ok {
		return errors.New("not a TCP connection")
	}
	raw, err := tcp.SyscallConn()
	if err != nil {
		return err
	}
	fd := -1
	var derr error
	if err := raw.Control(func(s uintptr) { fd, derr = syscall.Dup(int(s)) }); err != nil {
		return err
	}
	if derr != nil {
		return derr
	}
	_ = conn.Close()
	rc := &rawClient{fd: fd, c: c}
	p.mu.Lock()
	p.conns[int32(fd)] = rc
	p.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN, Fd: int32(fd)}
	if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		p.drop(rc)
		return fmt.Errorf("epoll add: %w", err)
	}
	return nil
}

func (p *pollReader) drop(rc *rawClient) {
	p.mu.Lock()
	delete(p.conns, int32(rc.fd))
	p.mu.Unlock()
	_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, rc.fd, nil)
	_ = syscall.Close(rc.fd)
}

func (p *pollReader) loop() {
	defer close(p.done)
	events := make([]syscall.EpollEvent, 512)
	buf := make([]byte, 64<<10)
	for {
		n := 0
		err := p.raw.Read(func(fd uintptr) bool {
			var err error
			n, err = syscall.EpollWait(int(fd), events, 0)
			return err == nil && n > 0 // otherwise wait until it is readable
		})
		if err != nil {
			return // closed
		}
		for _, ev := range events[:n] {
			p.mu.Lock()
			rc := p.conns[ev.Fd]
			p.mu.Unlock()
			if rc == nil {
				continue
			}
			m, err := syscall.Read(rc.fd, buf)
			now := time.Now().UnixMicro()
			if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
				continue
			}
			if err != nil || m == 0 {
				p.drop(rc)
				continue
			}
			if !p.frames(rc, buf[:m], now) {
				p.drop(rc)
			}
		}
	}
}

// frames handles the complete frames in what was read and keeps the rest;
// false ends the client (a close frame, or one this reader does not take).
func (p *pollReader) frames(rc *rawClient, b []byte, now int64) bool {
	if len(rc.pending) > 0 {
		rc.pending = append(rc.pending, b...)
		b = rc.pending
	}
	for {
		payload, size, ok := nextFrame(b)
		if !ok {
			break
		}
		switch op := b[0] & 0x0F; op {
		case websocket.TextMessage:
			p.onFrame(rc.c, payload, now)
		case websocket.PingMessage:
			_, _ = syscall.Write(rc.fd, maskedPong(payload))
		case websocket.CloseMessage:
			return false
		default:
			return false // fragments and binary frames: the hub sends neither
		}
		b = b[size:]
	}
	rc.pending = append(rc.pending[:0], b...)
	return true
}

// nextFrame parses one unmasked frame from a server (RFC 6455, 5.2).
func nextFrame(b []byte) (payload []byte, size int, ok bool) {
	if len(b) < 2 {
		return nil, 0, false
	}
	n, h := int(b[1]&0x7F), 2
	switch n {
	case 126:
		if len(b) < 4 {
			return nil, 0, false
		}
		n, h = int(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return nil, 0, false
		}
		n, h = int(binary.BigEndian.Uint64(b[2:])), 10
	}
	if len(b) < h+n {
		return nil, 0, false
	}
	return b[h : h+n], h + n, true
}

// maskedPong answers a ping; a client's frames are masked (the mask may be
// zero: it is there against proxies, not secrecy).
func maskedPong(payload []byte) []byte {
	f := make([]byte, 0, 6+len(payload))
	f = append(f, 0x80|websocket.PongMessage, 0x80|byte(len(payload)), 0, 0, 0, 0)
	return append(f, payload...)
}

// close ends the loop and every socket it reads.
func (p *pollReader) close() {
	_ = p.ep.Close()
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	for fd := range p.conns {
		_ = syscall.Close(int(fd))
	}
	p.conns = map[int32]*rawClient{}
}
