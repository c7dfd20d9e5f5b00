//go:build linux

package loadbench

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
	"unsafe"

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
// The loop polls without waiting, and sleeps pollIdle when nothing is
// ready: nobody waits on the epoll descriptor, so the server's writes never
// wake a thread of this process. (Waiting in epoll_wait, directly or
// through Go's poller, had each write wake the loop again or go through
// two epoll descriptors, a sixth of the server's CPU.) Sockets are
// edge-triggered, so a socket drained by a short read is not polled again
// until more arrives.
//
// Each socket asks the kernel for the time at which its data arrived
// (SO_TIMESTAMPNS): the frame's delivery, whatever the load generator's own
// scheduling adds before it reads it; both times are passed on.
type pollReader struct {
	epfd    int
	closing atomic.Bool
	mu      sync.Mutex
	conns   map[int32]*rawClient
	byFD    []atomic.Pointer[rawClient] // conns by descriptor, for the loop without a lock
	done    chan struct{}
	onFrame func(c *wsClient, data []byte, arrived, read int64)
}

// rawClient is a socket read by the poll loop.
type rawClient struct {
	fd      int
	c       *wsClient
	pending []byte // bytes of an incomplete frame
}

func newPollReader(onFrame func(c *wsClient, data []byte, arrived, read int64)) (*pollReader, error) {
	epfd, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("epoll: %w", err)
	}
	p := &pollReader{epfd: epfd, conns: map[int32]*rawClient{}, done: make(chan struct{}), onFrame: onFrame,
		byFD: make([]atomic.Pointer[rawClient], raiseNoFile())}
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
	if err := syscall.SetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_TIMESTAMPNS, 1); err != nil {
		_ = syscall.Close(fd)
		return fmt.Errorf("SO_TIMESTAMPNS: %w", err)
	}
	rc := &rawClient{fd: fd, c: c}
	p.mu.Lock()
	p.conns[int32(fd)] = rc
	if fd >= len(p.byFD) {
		p.mu.Unlock()
		p.drop(rc)
		return fmt.Errorf("descriptor %d over the open-file limit", fd)
	}
	p.byFD[fd].Store(rc)
	p.mu.Unlock()
	ev := syscall.EpollEvent{Events: syscall.EPOLLIN | syscall.EPOLLRDHUP | epollET, Fd: int32(fd)}
	if err := syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
		p.drop(rc)
		return fmt.Errorf("epoll add: %w", err)
	}
	return nil
}

// pollIdle is the loop's sleep when no socket is ready: what it can add
// to a frame's read time (its arrival time is the kernel's).
const pollIdle = 250 * time.Microsecond

// epollET is EPOLLET as the event mask's type takes it.
const epollET = 1 << 31

func (p *pollReader) drop(rc *rawClient) {
	p.mu.Lock()
	delete(p.conns, int32(rc.fd))
	if rc.fd < len(p.byFD) {
		p.byFD[rc.fd].Store(nil)
	}
	p.mu.Unlock()
	_ = syscall.EpollCtl(p.epfd, syscall.EPOLL_CTL_DEL, rc.fd, nil)
	_ = syscall.Close(rc.fd)
}

func (p *pollReader) loop() {
	defer close(p.done)
	events := make([]syscall.EpollEvent, 512)
	buf := make([]byte, 64<<10)
	oob := make([]byte, syscall.CmsgSpace(16))
	iov := syscall.Iovec{Base: &buf[0]}
	iov.SetLen(len(buf))
	msg := syscall.Msghdr{Iov: &iov, Iovlen: 1, Control: &oob[0]}
	for !p.closing.Load() {
		// Raw system calls: neither blocks (a zero timeout, non-blocking
		// sockets), so Go's scheduler need not hear of them.
		r, _, errno := syscall.RawSyscall6(syscall.SYS_EPOLL_WAIT, uintptr(p.epfd),
			uintptr(unsafe.Pointer(&events[0])), uintptr(len(events)), 0, 0, 0)
		if errno == syscall.EINTR {
			continue
		}
		if errno != 0 {
			return
		}
		if r == 0 {
			time.Sleep(pollIdle)
			continue
		}
		for _, ev := range events[:r] {
			rc := p.byFD[ev.Fd].Load()
			if rc == nil {
				continue
			}
			// Edge-triggered: read until a read comes back short, which
			// empties the socket (more arriving later is a new edge).
			for {
				msg.SetControllen(len(oob))
				m, _, errno := syscall.RawSyscall(syscall.SYS_RECVMSG, uintptr(rc.fd), uintptr(unsafe.Pointer(&msg)), 0)
				read := time.Now().UnixMicro()
				if errno == syscall.EAGAIN {
					break
				}
				if errno == syscall.EINTR {
					continue
				}
				if errno != 0 || m == 0 {
					p.drop(rc)
					break
				}
				arrived := arrival(oob[:msg.Controllen], read)
				if !p.frames(rc, buf[:m], arrived, read) {
					p.drop(rc)
					break
				}
				if int(m) < len(buf) {
					break
				}
			}
		}
	}
}

// arrival is the kernel's receive time (µs) in a recvmsg's control data
// (one SCM_TIMESTAMPNS message: a cmsghdr, then a timespec), or read when
// there is none.
func arrival(oob []byte, read int64) int64 {
	const hdr = syscall.SizeofCmsghdr
	if len(oob) < hdr+16 {
		return read
	}
	level := int32(binary.NativeEndian.Uint32(oob[8:]))
	typ := int32(binary.NativeEndian.Uint32(oob[12:]))
	if level != syscall.SOL_SOCKET || typ != syscall.SCM_TIMESTAMPNS {
		return read
	}
	sec := int64(binary.NativeEndian.Uint64(oob[hdr:]))
	nsec := int64(binary.NativeEndian.Uint64(oob[hdr+8:]))
	return sec*1_000_000 + nsec/1_000
}

// frames handles the complete frames in what was read and keeps the rest;
// false ends the client (a close frame, or one this reader does not take).
func (p *pollReader) frames(rc *rawClient, b []byte, arrived, read int64) bool {
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
			p.onFrame(rc.c, payload, arrived, read)
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

// maskedPong answers a ping; a client's frames are masked (the mask may be
// zero: it is there against proxies, not secrecy).
func maskedPong(payload []byte) []byte {
	f := make([]byte, 0, 6+len(payload))
	f = append(f, 0x80|websocket.PongMessage, 0x80|byte(len(payload)), 0, 0, 0, 0)
	return append(f, payload...)
}

// close ends the loop and every socket it reads.
func (p *pollReader) close() {
	p.closing.Store(true)
	<-p.done
	_ = syscall.Close(p.epfd)
	p.mu.Lock()
	defer p.mu.Unlock()
	for fd := range p.conns {
		_ = syscall.Close(int(fd))
	}
	p.conns = map[int32]*rawClient{}
}

// raiseNoFile lifts this process's open-file soft limit to the hard limit
// (Go does it at start too; this says what the limit is) and returns it.
func raiseNoFile() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 1024
	}
	if r.Cur < r.Max {
		r.Cur = r.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &r)
	}
	return r.Cur
}
