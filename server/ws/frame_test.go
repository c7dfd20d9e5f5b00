package ws

import (
	"bytes"
	"testing"

	"github.com/gorilla/websocket"
)

func TestNewFrame(t *testing.T) {
	for _, tc := range []struct {
		name   string
		opcode byte
		n      int
		header []byte
	}{
		{"empty ping", websocket.PingMessage, 0, []byte{0x89, 0}},
		{"short text", websocket.TextMessage, 5, []byte{0x81, 5}},
		{"largest 7-bit length", websocket.TextMessage, 125, []byte{0x81, 125}},
		{"smallest 16-bit length", websocket.TextMessage, 126, []byte{0x81, 126, 0, 126}},
		{"largest 16-bit length", websocket.BinaryMessage, 0xFFFF, []byte{0x82, 126, 0xFF, 0xFF}},
		{"64-bit length", websocket.TextMessage, 0x10000, []byte{0x81, 127, 0, 0, 0, 0, 0, 1, 0, 0}},
		{"pong", websocket.PongMessage, 3, []byte{0x8A, 3}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			payload := bytes.Repeat([]byte{'x'}, tc.n)
			f := NewFrame(tc.opcode, payload)
			if !bytes.Equal(f[:len(tc.header)], tc.header) {
				t.Fatalf("header % x, want % x", f[:len(tc.header)], tc.header)
			}
			if !bytes.Equal(f[len(tc.header):], payload) || len(f) != len(tc.header)+tc.n {
				t.Fatalf("frame of %d bytes, want header and the %d-byte payload", len(f), tc.n)
			}
		})
	}
	if f := TextFrame([]byte("hi")); !bytes.Equal(f, []byte{0x81, 2, 'h', 'i'}) {
		t.Fatalf("TextFrame: % x", f)
	}
}
