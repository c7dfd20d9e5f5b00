package server

import (
	"context"
	"sync"

	"github.com/hwfdash/hwfdash/server/ws"
)

// chartQueue computes the pushes of slow topics (charts) beside the update
// loop, so that a write's other topics are pushed at once, however many
// charts it alters. Work is bounded and coalesced: chartWorkers compute at
// a time, a topic is queued at most once (a newer version replaces the
// queued one), a topic is never computed twice at once, and a result that
// a newer queued version supersedes is dropped, not sent.
type chartQueue struct {
	s    *Server
	wake chan struct{}

	mu      sync.Mutex
	pending map[string]chartJob // topic → newest version not yet started
	order   []string            // pending topics, oldest first
	running map[string]bool
}

type chartJob struct {
	version, published int64
}

func newChartQueue(s *Server) *chartQueue {
	return &chartQueue{s: s, wake: make(chan struct{}, chartWorkers), pending: map[string]chartJob{}, running: map[string]bool{}}
}

// start runs the workers until ctx ends.
func (q *chartQueue) start(ctx context.Context, wg *sync.WaitGroup) {
	for range chartWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if topic, job, ok := q.next(); ok {
					q.run(ctx, topic, job)
					continue
				}
				select {
				case <-ctx.Done():
					return
				case <-q.wake:
				}
			}
		}()
	}
}

// enqueue asks for a topic's push at a version; a version already queued
// for the topic, if older, is replaced.
func (q *chartQueue) enqueue(topic string, version, published int64) {
	q.mu.Lock()
	if j, ok := q.pending[topic]; ok {
		if version > j.version {
			q.pending[topic] = chartJob{version, published}
		}
	} else {
		q.pending[topic] = chartJob{version, published}
		q.order = append(q.order, topic)
	}
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default: // every worker is awake already
	}
}

// next takes the oldest queued topic that is not being computed.
func (q *chartQueue) next() (string, chartJob, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for i, t := range q.order {
		if q.running[t] {
			continue
		}
		q.order = append(q.order[:i:i], q.order[i+1:]...)
		job := q.pending[t]
		delete(q.pending, t)
		q.running[t] = true
		return t, job, true
	}
	return "", chartJob{}, false
}

// run computes one push and sends it unless a newer version was queued
// meanwhile.
func (q *chartQueue) run(ctx context.Context, topic string, job chartJob) {
	s := q.s
	var f ws.Frame
	var err error
	if s.hub.HasSubscribers(topic) {
		f, err = s.updateFrame(ctx, topic, job.version, job.published, nil)
		if err != nil {
			s.log.Warn("compute push payload", "topic", topic, "err", err)
		}
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	delete(q.running, topic)
	if newer, ok := q.pending[topic]; ok && newer.version > job.version {
		return // superseded: the newer version is sent instead
	}
	if f != nil && err == nil {
		// Under q.mu, so that no older version of the topic is sent
		// after a newer one. Broadcast does not block.
		s.hub.Broadcast(topic, f)
	}
}
