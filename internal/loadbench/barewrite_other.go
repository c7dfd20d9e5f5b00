//go:build !unix

package loadbench

import "errors"

// rawWrite has no system call to make here: every frame goes through the
// runtime's poller (the bare writer's fallback), which makes it a floor of
// Go's net package rather than of the kernel alone.
func rawWrite(uintptr, []byte) (int, error) { return 0, errors.New("no raw write on this platform") }
