//go:build unix

package cache

import (
	"syscall"
	"testing"
)

// pauseSignals are the signals that freeze a process and let it go on, for
// the tests that stop Redis without killing it.
func pauseSignals(*testing.T) (stop, cont syscall.Signal) { return syscall.SIGSTOP, syscall.SIGCONT }
