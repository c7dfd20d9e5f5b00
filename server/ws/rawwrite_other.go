//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ws

import "net"

// newRawWriter has no non-blocking write on this platform: every frame
// goes through the client's queue and its writer goroutine, which is
// correct, only slower to fan out.
func newRawWriter(net.Conn) tryWriter { return nil }
