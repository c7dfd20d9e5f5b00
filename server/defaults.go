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
	// DefaultMaxLiveTopics bounds the distinct topics an instance's clients
	// subscribe to, so that a write recomputes a bounded number of
	// payloads.
	DefaultMaxLiveTopics = 1024
	// DefaultResendBytes is the most a connection is sent per resendWindow
	// for the resends it asks for (8 MiB: a page's charts several times
	// over).
	DefaultResendBytes = 8 << 20
	// DefaultComputeBurst and DefaultComputeRate are a client address's
	// budget of uncached computations: a burst of 120, refilled at 10 a
	// second. Cached reads are not counted.
	DefaultComputeBurst = 120
	DefaultComputeRate  = 10.0
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
	// pushTimeout bounds computing one topic's pushed payload. It is not a
	// request's: nobody waits on a connection for it, and a push cut short
	// is an update the open screens never get (the version has moved on),
	// so it may take as long as a shared computation does (the first
	// after a restart reads every series) rather than fail at
	// requestTimeout.
	pushTimeout = 30 * time.Second
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
	// resendWindow is the window a connection's resend bytes are counted
	// over (see Config.ResendBytes).
	resendWindow = 10 * time.Second
	// chartWorkers compute chart topics' pushes after a write, beside the
	// update loop, so that charts never delay other topics' pushes.
	chartWorkers = 2
	// resendTopicsMax bounds the topics a connection's resend record
	// keeps; a connection past it is asking for far more views than a page
	// shows.
	resendTopicsMax = 4 * 1024
)
