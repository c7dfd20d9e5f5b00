package ws

import (
	"errors"
	"io"
	"net"
	"syscall"
	"testing"
	"time"
)

// TestConnSplit checks that connections go to the websocket side exactly
// when their first request line is a GET of /ws, and that the bytes looked
// at are still there for the server that takes the connection.
func TestConnSplit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	split := NewConnSplit(ln, "/ws", 500*time.Millisecond)
	defer split.Close()
	for _, tc := range []struct {
		name   string
		send   []string // written one after the other, with a pause between
		wsSide bool
	}{
		{"upgrade", []string{"GET /ws HTTP/1.1\r\nHost: x\r\n\r\n"}, true},
		{"upgrade with a query", []string{"GET /ws?lang=fr HTTP/1.1\r\n\r\n"}, true},
		{"upgrade in pieces", []string{"GET /w", "s HTTP/1.1\r\n\r\n"}, true},
		{"another path", []string{"GET /wsx HTTP/1.1\r\n\r\n"}, false},
		{"api", []string{"GET /api/v1/version HTTP/1.1\r\n\r\n"}, false},
		{"post to /ws", []string{"POST /ws HTTP/1.1\r\n\r\n"}, false},
		{"short then closed", []string{"GET /"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			want := ""
			for i, part := range tc.send {
				if i > 0 {
					time.Sleep(20 * time.Millisecond) // a client whose request line arrives in two segments
				}
				if _, err := io.WriteString(c, part); err != nil {
					t.Fatal(err)
				}
				want += part
			}
			if tc.name == "short then closed" {
				_ = c.(*net.TCPConn).CloseWrite()
			}
			side, other := split.http, split.ws
			if tc.wsSide {
				side, other = split.ws, split.http
			}
			var got net.Conn
			select {
			case got = <-side.conns:
			case <-other.conns:
				t.Fatalf("went to the other side")
			case <-time.After(5 * time.Second):
				t.Fatal("not handed over")
			}
			defer got.Close()
			if _, ok := got.(*net.TCPConn); !ok {
				t.Fatalf("handed over a %T, want the *net.TCPConn itself", got)
			}
			buf := make([]byte, len(want))
			_ = got.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := io.ReadFull(got, buf); err != nil || string(buf) != want {
				t.Fatalf("read %q (%v), want the bytes sent, %q", buf, err, want)
			}
		})
	}
	// Closing one side stops both.
	if err := split.http.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := split.ws.Accept(); err == nil {
		t.Fatal("the websocket side still accepts after the listener closed")
	}
}

// flakyListener fails Accept with its errors, in order, then accepts from
// the real listener.
type flakyListener struct {
	net.Listener
	errs []error
}

func (l *flakyListener) Accept() (net.Conn, error) {
	if len(l.errs) > 0 {
		err := l.errs[0]
		l.errs = l.errs[1:]
		return nil, err
	}
	return l.Listener.Accept()
}

// TestConnSplitAcceptErrors: running out of descriptors or an aborted
// connection does not stop the server accepting; a closed listener does.
func TestConnSplitAcceptErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		errs    []error
		accepts bool
	}{
		{"too many open files", []error{syscall.EMFILE, syscall.ENFILE}, true},
		{"connection aborted", []error{syscall.ECONNABORTED}, true},
		{"listener closed", []error{net.ErrClosed}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			split := NewConnSplit(&flakyListener{Listener: ln, errs: tc.errs}, "/ws", time.Second)
			defer split.Close()
			if !tc.accepts {
				if _, err := split.http.Accept(); !errors.Is(err, net.ErrClosed) {
					t.Fatalf("Accept after the listener failed: %v, want net.ErrClosed", err)
				}
				return
			}
			c, err := net.Dial("tcp", ln.Addr().String())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			if _, err := io.WriteString(c, "GET / HTTP/1.1\r\n\r\n"); err != nil {
				t.Fatal(err)
			}
			got, err := split.http.Accept()
			if err != nil {
				t.Fatalf("no connection after the errors: %v", err)
			}
			got.Close()
		})
	}
}
