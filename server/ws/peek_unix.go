//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package ws

import (
	"errors"
	"net"
	"syscall"
	"time"
)

// peek reads up to len(buf) bytes at the start of c without taking them
// (MSG_PEEK), waiting at most wait; the bytes stay in the socket for the
// server that gets c. It returns how many bytes it saw.
func peek(c net.Conn, buf []byte, wait time.Duration) int {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return 0
	}
	raw, err := sc.SyscallConn()
	if err != nil {
		return 0
	}
	n := 0
	_ = c.SetReadDeadline(time.Now().Add(wait))
	_ = raw.Read(func(fd uintptr) bool {
		m, _, err := syscall.Recvfrom(int(fd), buf, syscall.MSG_PEEK)
		if errors.Is(err, syscall.EAGAIN) || errors.Is(err, syscall.EINTR) {
			return false // wait until readable
		}
		n = m
		// Fewer bytes than needed and the connection still open: wait for
		// more (the poller wakes on new data).
		return err != nil || m == 0 || m >= len(buf)
	})
	_ = c.SetReadDeadline(time.Time{})
	return n
}
