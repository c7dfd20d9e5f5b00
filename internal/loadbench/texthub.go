package loadbench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// The textbook hub is the broadcast targets' baseline peer: gorilla's chat
// example as a newcomer would write it (net/http, a hub goroutine that owns
// the client set, a reading and a writing goroutine per connection, a
// buffered send queue each, one WriteMessage per frame). It is bench
// tooling, run as a child process of the bench (`hwfdash-bench hub`), so
// that it and hwfdash meet the same client in the same run.

// HubCommand is the subcommand of hwfdash-bench that runs ServeTextbookHub.
const HubCommand = "hub"

type textbookHub struct {
	clients    map[*hubClient]bool
	broadcast  chan []byte
	register   chan *hubClient
	unregister chan *hubClient
	count      chan chan int // not in the example: the bench waits for every client to be registered
}

type hubClient struct {
	hub  *textbookHub
	conn *websocket.Conn
	send chan []byte
}

func newTextbookHub() *textbookHub {
	return &textbookHub{
		clients:    map[*hubClient]bool{},
		broadcast:  make(chan []byte),
		register:   make(chan *hubClient),
		unregister: make(chan *hubClient),
		count:      make(chan chan int),
	}
}

func (h *textbookHub) run(ctx context.Context) {
	for {
		select {
		case c := <-h.register:
			h.clients[c] = true
		case c := <-h.unregister:
			if h.clients[c] {
				delete(h.clients, c)
				close(c.send)
			}
		case msg := <-h.broadcast:
			for c := range h.clients {
				select {
				case c.send <- msg:
				default: // a client that cannot keep up is dropped, as in the example
					delete(h.clients, c)
					close(c.send)
				}
			}
		case answer := <-h.count:
			answer <- len(h.clients)
		case <-ctx.Done():
			return
		}
	}
}

var hubUpgrader = websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 1024}

func (c *hubClient) readPump() {
	defer func() {
		c.hub.unregister <- c
		c.conn.Close()
	}()
	c.conn.SetReadLimit(4096)
	for {
		if _, _, err := c.conn.ReadMessage(); err != nil {
			return
		}
	}
}

func (c *hubClient) writePump() {
	defer c.conn.Close()
	for msg := range c.send {
		_ = c.conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		if err := c.conn.WriteMessage(websocket.TextMessage, msg); err != nil {
			return
		}
	}
	_ = c.conn.WriteMessage(websocket.CloseMessage, nil)
}

// handler serves /ws (the clients), POST /publish (its body is sent to
// every client as one text frame), GET /clients (how many are registered)
// and /readyz.
func (h *textbookHub) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/ws", func(w http.ResponseWriter, r *http.Request) {
		conn, err := hubUpgrader.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		c := &hubClient{hub: h, conn: conn, send: make(chan []byte, 256)}
		h.register <- c
		go c.writePump()
		go c.readPump()
	})
	mux.HandleFunc("POST /publish", func(w http.ResponseWriter, r *http.Request) {
		msg, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		h.broadcast <- msg
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /clients", func(w http.ResponseWriter, r *http.Request) {
		answer := make(chan int)
		h.count <- answer
		fmt.Fprint(w, <-answer)
	})
	mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return mux
}

// ServeTextbookHub runs the textbook hub on addr until ctx ends.
func ServeTextbookHub(ctx context.Context, addr string) error {
	return listenAndServe(ctx, "hub", addr, serveTextbookHub)
}

// listenAndServe listens on addr and serves there until ctx ends.
func listenAndServe(ctx context.Context, name, addr string, serve func(context.Context, net.Listener) error) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("%s: listen: %w", name, err)
	}
	return serve(ctx, ln)
}

func serveTextbookHub(ctx context.Context, ln net.Listener) error {
	h := newTextbookHub()
	go h.run(ctx)
	return serveHTTP(ctx, ln, h.handler())
}

// serveHTTP serves handler on ln with net/http until ctx ends.
func serveHTTP(ctx context.Context, ln net.Listener, handler http.Handler) error {
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		err := srv.Close()
		if errors.Is(err, http.ErrServerClosed) {
			err = nil
		}
		return err
	}
}

// StartTextbookHub runs `hwfdash-bench hub` (this executable).
func StartTextbookHub(ctx context.Context, o Options, name string) (*Proc, error) {
	return startSelf(ctx, o, name, HubCommand)
}
