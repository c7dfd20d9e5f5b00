package ws

import (
	"encoding/binary"

	"github.com/fasthttp/websocket"
)

// Frame is a complete websocket frame, header included, encoded once for
// all its receivers (frames from a server are not masked).
type Frame []byte

// NewFrame encodes a final frame of the given opcode (RFC 6455, 5.2).
func NewFrame(opcode byte, payload []byte) Frame {
	n := len(payload)
	var f Frame
	switch {
	case n < 126:
		f = make(Frame, 2, 2+n)
		f[1] = byte(n)
	case n <= 0xFFFF:
		f = make(Frame, 4, 4+n)
		f[1] = 126
		binary.BigEndian.PutUint16(f[2:], uint16(n))
	default:
		f = make(Frame, 10, 10+n)
		f[1] = 127
		binary.BigEndian.PutUint64(f[2:], uint64(n))
	}
	f[0] = 0x80 | opcode // FIN
	return append(f, payload...)
}

// TextFrame is a text message in one frame.
func TextFrame(payload []byte) Frame { return NewFrame(websocket.TextMessage, payload) }
