package server

import "time"

// The server's defaults, in one place. main's flags default to the exported
// ones, and README's configuration table quotes them; a Config field left
// zero takes the default named in its comment.
const (
	// DefaultWriteRate is the writes a token or a client address may make
	// per minute.
	DefaultWriteRate = 120
	// DefaultVersionPoll is how often the store's version is checked, to
	// catch writes whose update events were missed.
	DefaultVersionPoll = 2 * time.Second
	// DefaultBodyLimit bounds request bodies (1 MiB).
	DefaultBodyLimit = 1 << 20
	// DefaultReadTimeout bounds reading one request.
	DefaultReadTimeout = 15 * time.Second
	// DefaultMaxConnsPerAddress caps websocket connections per client
	// address.
	DefaultMaxConnsPerAddress = 64
	// DefaultFailedAuthRate is the failed authentications a client
	// address may make per minute before its failures answer 429 (and its
	// websocket is closed with 1008).
	DefaultFailedAuthRate = 30
	// DefaultMaxHTTPConnsPerAddress caps the plain HTTP connections of one
	// direct peer that is not a trusted proxy.
	DefaultMaxHTTPConnsPerAddress = 256
	// DefaultFirstByteTimeout is how long a new connection may stay silent
	// before it is closed.
	DefaultFirstByteTimeout = 5 * time.Second
)

// Fixed limits: not configurable, named so that each is stated once.
const (
	// writeTimeout and idleTimeout bound writing an answer and an idle
	// keep-alive connection.
	writeTimeout = 30 * time.Second
	idleTimeout  = 60 * time.Second
	// requestTimeout bounds the work of one request, so a stalled store
	// cannot hold a connection forever.
	requestTimeout = 10 * time.Second
	// readyTimeout bounds the store ping of GET /readyz.
	readyTimeout = 2 * time.Second
	// catchUpTimeout bounds one catch-up with the store.
	catchUpTimeout = 5 * time.Second
	// catchUpLimit is the most changes a catch-up itemises; beyond it every
	// indicator and every subscribed topic is taken as changed.
	catchUpLimit = 1000
	// eventRowsMax is the most changed rows an update event carries; a
	// larger write's subscribers get the new payloads without them.
	eventRowsMax = 200
	// writeWindow is the window the write rate is counted over.
	writeWindow = time.Minute
)
