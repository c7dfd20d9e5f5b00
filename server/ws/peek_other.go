//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ws

import (
	"net"
	"time"
)

// peek cannot look at a socket without reading it on this platform: every
// connection goes to the HTTP side, whose server also serves upgrades, at
// the cost of fasthttp's read buffer kept by each websocket.
func peek(net.Conn, []byte, time.Duration) int { return 0 }
