//go:build unix

package loadbench

import "syscall"

// rawWrite is one write(2) to the socket, around the runtime's poller.
func rawWrite(fd uintptr, b []byte) (int, error) {
	for {
		n, err := syscall.Write(int(fd), b)
		if err == syscall.EINTR {
			continue
		}
		return n, err
	}
}
