package loadbench

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// startBare runs the bare writer in this process on a loopback port.
func startBare(t *testing.T) *Proc { return startInProcess(t, "bare writer", serveBareWriter) }

// TestBareWriterSendsEveryFrameWhole: each client gets every published
// body as one text frame, byte for byte and in order, whatever its length:
// a frame of 125 bytes or less, one with a 16-bit length, and frames of a
// megabyte that fill the socket's buffers before the client reads (the
// rest of the frame cut short is left to the socket's own writer, and the
// frames after it wait behind it).
func TestBareWriterSendsEveryFrameWhole(t *testing.T) {
	p := startBare(t)
	spec := hubPeer(p, 0)
	conns := dialAll(t, spec, 3)
	bodies := [][]byte{[]byte("small"), peerFrame(2, 706)}
	for i := range 12 { // more than a socket's buffers hold on both sides
		bodies = append(bodies, []byte(strings.Repeat(string(rune('a'+i)), 1<<20)))
	}
	bodies = append(bodies, peerFrame(15, 706))
	for _, b := range bodies {
		if err := postJSON(context.Background(), &http.Client{Timeout: 30 * time.Second}, p.URL+"/publish", nil, b); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range conns {
		for j, want := range bodies {
			mt, got, err := c.ReadMessage()
			if err != nil || mt != websocket.TextMessage || !bytes.Equal(got, want) {
				t.Fatalf("client %d, frame %d: type %d, %d bytes, %v; want the %d-byte body", i, j, mt, len(got), err, len(want))
			}
		}
	}
}

// TestBareWriterDropsAClosedClient: a client that goes is taken out of the
// set, and the next frame reaches the others whole.
func TestBareWriterDropsAClosedClient(t *testing.T) {
	p := startBare(t)
	spec := hubPeer(p, 706)
	ctx := context.Background()
	conns := dialAll(t, spec, 3)
	conns[0].Close()
	// The server learns of the close from its read; its count can only be
	// polled.
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := spec.registered(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d clients counted 10 s after one of 3 closed, want 2", n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	body := peerFrame(1, 706)
	if err := spec.trigger(ctx, 0); err != nil {
		t.Fatal(err)
	}
	for i, c := range conns[1:] {
		if _, got, err := c.ReadMessage(); err != nil || !bytes.Equal(got, body) {
			t.Fatalf("client %d: %d bytes, %v; want the %d-byte frame", i+1, len(got), err, len(body))
		}
	}
}
