//go:build !linux

package loadbench

import (
	"errors"

	"github.com/gorilla/websocket"
)

// errNoEpoll is why the websocket targets do not run here: their reader
// holds ten thousand clients in one epoll loop, which only Linux has. The
// rest of the bench (HTTP reads, pages, writes, start) runs anywhere.
var errNoEpoll = errors.New("the websocket targets (broadcast, across instances, websocket memory) need Linux: their reader uses epoll")

// pollReader is the Linux epoll reader's stand-in, so the package builds
// everywhere; newPollReader refuses, so nothing else is ever called.
type pollReader struct{}

func newPollReader(func(c *wsClient, data []byte, arrived, read int64)) (*pollReader, error) {
	return nil, errNoEpoll
}

func (p *pollReader) adopt(*wsClient, *websocket.Conn) error { return errNoEpoll }

func (p *pollReader) close() {}

// raiseNoFile is a nominal limit: the websocket targets, the only ones
// that need many files, do not run here.
func raiseNoFile() uint64 { return 1024 }
