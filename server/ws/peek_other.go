//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package ws

import (
	"net"
	"time"
)

// peek cannot look at a socket without reading it on this platform: every
// connection goes to the HTTP side, whose server also serves upgrades, at
// the cost of fasthttp's read buffer kept by each websocket. It answers -1
// (unknown), so that no connection is taken for a silent one.
func peek(net.Conn, []byte, time.Duration) int { return -1 }
