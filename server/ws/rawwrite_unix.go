//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ws

import (
	"net"
	"syscall"
	"unsafe"
)

// rawWriter writes to a socket's descriptor directly: one write(2), and
// EAGAIN means nothing was taken. It holds a reference on the descriptor
// (RawConn.Control), so the descriptor cannot be closed and its number
// reused during the write, but not Go's write lock, whose bookkeeping
// (lock, deadline and poller reset) cost as much as a tenth of a broadcast
// on 10,000 clients. Writes to the socket are still exclusive: the hub
// writes only while no flush runs (Client.writing), and the kernel does
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

// newRawWriter writes to c's socket; nil if c has none, and frames then
// all go through the queue.
func newRawWriter(c net.Conn) tryWriter {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return newRawWriterFor(raw)
}
