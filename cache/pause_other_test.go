//go:build !unix

package cache

import (
	"syscall"
	"testing"
)

// pauseSignals skips the test: freezing a process takes SIGSTOP, which
// only Unix has.
func pauseSignals(t *testing.T) (stop, cont syscall.Signal) {
	t.Skip("pausing Redis needs SIGSTOP (Unix only)")
	return 0, 0
}
