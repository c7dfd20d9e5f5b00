package ws

import "time"

// Limits. A client that cannot take frames as fast as they come is
// dropped: its queue is bounded, so it can never hold back the others.
const (
	// MaxMessage is the largest message a client may send, in bytes.
	MaxMessage = 4096
	// QueueLen is how many frames wait for a client before it is dropped.
	QueueLen = 64
	// MaxTopics is how many topics one connection may subscribe to.
	MaxTopics = 32
	// MaxPerAddress is the default cap on connections from one address.
	MaxPerAddress = 64
	// PingEvery is how often every client is pinged.
	PingEvery = 25 * time.Second
	// PongWait is how long a client may stay silent (no pong, no message).
	PongWait = 60 * time.Second
	// WriteWait bounds a blocking write to a client's socket.
	WriteWait = 10 * time.Second

	// deadlineSlack is how far the write deadline may lag before it moves.
	deadlineSlack = time.Second
	// chunk is the least number of clients per broadcasting goroutine.
	chunk = 512
	// handshakeTimeout bounds the upgrade.
	handshakeTimeout = 10 * time.Second
)
