package server

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
	"github.com/hwfdash/hwfdash/server/ws"
)

// advance raises the known data version; versions only go up.
func (s *Server) advance(v int64) bool {
	for {
		cur := s.version.Load()
		if v <= cur {
			return false
		}
		if s.version.CompareAndSwap(cur, v) {
			return true
		}
	}
}

// startLoops runs the bus listener, the version poll and the chart
// workers. All end with ctx.
func (s *Server) startLoops(ctx context.Context) {
	s.charts.start(ctx, &s.wg)
	events, unsubscribe := s.deps.Bus.Subscribe()
	s.wg.Add(2)
	go func() {
		defer s.wg.Done()
		defer unsubscribe()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-events:
				if !ok {
					return
				}
				s.onEvent(ctx, ev)
			}
		}
	}()
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(s.cfg.VersionPoll)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				s.catchUp(ctx)
			}
		}
	}()
}

// onEvent reacts to an update from any instance (this one included).
func (s *Server) onEvent(ctx context.Context, ev indicators.Update) {
	switch ev.Kind {
	case "resync":
		s.catchUp(ctx)
	case "control":
		s.pushControl(ev)
	case "experience":
		if ev.Version > s.version.Load()+1 && ev.Origin != s.cfg.InstanceID {
			s.catchUp(ctx) // covers this event too
			return
		}
		s.advance(ev.Version)
		// Notices carry the entry's own version, so a client drops one
		// older than what it already shows (a repeat after a catch-up).
		s.pushExperience(ev.Version, ev.Topics, ev.Payload)
	default:
		prev := s.version.Load()
		if ev.Version > prev+1 && ev.Origin != s.cfg.InstanceID {
			// Events between prev and this one were missed: catch up from
			// the store, which also covers this event's topics.
			s.catchUp(ctx)
			return
		}
		s.eng.MarkChanged(ev.Version, engine.ChangedIndicators(ev.Topics))
		s.advance(ev.Version)
		// A large write's event carries no rows (Payload is empty): its
		// subscribers get the new payloads without the changed rows.
		var rows []indicators.Observation
		if len(ev.Payload) > 0 {
			if err := json.Unmarshal(ev.Payload, &rows); err != nil {
				s.log.Warn("malformed update rows: pushing without them", "version", ev.Version, "err", err)
			}
		}
		s.push(ctx, ev.Version, ev.Published, ev.Topics, rows)
	}
}

// catchUp compares the known version with the store's, and pushes what
// changed in between: the path that covers lost bus events.
func (s *Server) catchUp(ctx context.Context) {
	cctx, cancel := context.WithTimeout(ctx, catchUpTimeout)
	defer cancel()
	v, err := s.deps.Store.Version(cctx)
	if err != nil {
		s.log.Warn("catch-up: store version unavailable", "err", err)
		return
	}
	prev := s.version.Load()
	if v <= prev {
		return
	}
	changes, err := s.deps.Store.ChangesSince(cctx, prev, catchUpLimit)
	if err != nil {
		s.log.Warn("catch-up: changes unavailable", "from", prev, "to", v, "err", err)
		return
	}
	exps, err := s.deps.Experiences.ExperienceChangesSince(cctx, prev, catchUpLimit)
	if err != nil {
		s.log.Warn("catch-up: experience changes unavailable", "from", prev, "to", v, "err", err)
		return
	}
	if len(changes) >= catchUpLimit {
		s.eng.RaiseFloor(v)
	} else {
		s.eng.MarkChanged(v, engine.IndicatorIDs(changes))
	}
	if !s.advance(v) {
		return
	}
	s.log.Info("caught up with the store", "from", prev, "to", v, "changes", len(changes))
	topics := s.eng.DataTopics(changes)
	if len(changes) >= catchUpLimit {
		topics = s.hub.AllTopics()
	}
	s.push(ctx, v, 0, topics, changes)
	if len(changes) < catchUpLimit {
		s.pushExperienceChanges(exps)
	}
}

// push sends each topic's new payload, encoded once, to its subscribers.
// published is when the origin published the event (Unix µs); 0 means now.
// Slow topics (charts) are handed to the chart workers, so that however
// many of them a write alters, the other topics are pushed at once.
func (s *Server) push(ctx context.Context, version, published int64, topics []string, rows []indicators.Observation) {
	topics = append(topics, s.eng.AffectedTopics(topics, s.hub.AllTopics())...)
	// The charts are queued first: a newer version then replaces an older
	// one still queued before any other topic of this write goes out, so
	// no chart worker picks the older one up while the rest is pushed.
	fast := topics[:0:0]
	for _, t := range topics {
		// A topic is pushed once per version: a catch-up and the write's
		// own event can both come here with it (Hub.Claim).
		if !s.hub.Claim(t, version) {
			continue
		}
		if s.eng.SlowTopic(t) {
			s.charts.enqueue(t, version, published)
			continue
		}
		fast = append(fast, t)
	}
	for _, t := range fast {
		t0 := time.Now()
		f, err := s.updateFrame(ctx, t, version, published, rows)
		if err != nil {
			s.log.Warn("compute push payload", "topic", t, "err", err)
			continue
		}
		t1 := time.Now()
		n := s.hub.Broadcast(t, f)
		if s.log.Enabled(ctx, slog.LevelDebug) {
			// Where an update's time goes, for the broadcast bench's traces:
			// from the write's publication to the payload, and the fan-out.
			// A catch-up has no publication (published 0): its delay is 0.
			since := int64(0)
			if published > 0 {
				since = t0.UnixMicro() - published
			}
			s.log.Debug("pushed", "topic", t, "version", version, "clients", n,
				"since_published_us", since, "payload_us", t1.Sub(t0).Microseconds(), "fanout_us", time.Since(t1).Microseconds())
		}
	}
}

// updateMessage is the frame pushed to subscribers of a topic.
type updateMessage struct {
	Type    string          `json:"type"`
	Topic   string          `json:"topic"`
	Version int64           `json:"version"`
	Payload json.RawMessage `json:"payload"`
	// Published is when the update was published (Unix µs): by the instance
	// that took the write, or by this one when it caught up from the store.
	Published int64 `json:"published,omitempty"`
}

// updateFrame encodes a topic's update once, for all its subscribers.
func (s *Server) updateFrame(ctx context.Context, topic string, version, published int64, rows []indicators.Observation) (ws.Frame, error) {
	payload, err := s.topicPayload(ctx, topic, version, rows)
	if err != nil {
		return nil, err
	}
	if published == 0 {
		published = time.Now().UnixMicro()
	}
	b, err := json.Marshal(updateMessage{Type: "update", Topic: topic, Version: version, Payload: payload, Published: published})
	if err != nil {
		return nil, err
	}
	return ws.TextFrame(b), nil
}

// topicPayload computes a topic's current payload, through the same
// version-keyed cache as the API, so N instances × M clients compute it once
// per instance.
func (s *Server) topicPayload(ctx context.Context, topic string, version int64, rows []indicators.Observation) (json.RawMessage, error) {
	ctx, cancel := context.WithTimeout(ctx, pushTimeout)
	defer cancel()
	body, err := s.deps.Cache.GetOrCompute(ctx, s.eng.TopicKey(topic).String(), func(ctx context.Context) ([]byte, error) {
		v, err := s.eng.TopicPayload(ctx, topic, version)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
	if err != nil {
		return nil, err
	}
	// The rows that changed are specific to this event, not to the version's
	// cached payload, so they are added after.
	return s.eng.WithChanges(topic, body, rows)
}

// canonicalTopics checks the topics a client names against the engine's
// table of topic kinds and writes each in its one spelling, in place.
func (s *Server) canonicalTopics(topics []string) error {
	for i, t := range topics {
		c, err := s.eng.CanonicalTopic(t)
		if err != nil {
			return err
		}
		topics[i] = c
	}
	return nil
}

// decodeClientMessage decodes one websocket frame from a client.
func decodeClientMessage(data []byte) (clientMessage, error) {
	var m clientMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return m, fmt.Errorf("malformed message: %s", jsonErr(err))
	}
	if len(m.Subscribe)+len(m.Unsubscribe) > 2*ws.MaxTopics {
		return m, fmt.Errorf("at most %d subscriptions per connection", ws.MaxTopics)
	}
	return m, nil
}

// handleClientMessage applies one message from a websocket client. Errors
// are answered with an error message: the connection stays open.
func (s *Server) handleClientMessage(c *ws.Client, data []byte) {
	m, err := decodeClientMessage(data)
	if err != nil {
		c.SendError(err.Error())
		return
	}
	if m.Control != nil {
		s.clientControl(c, m)
		return
	}
	if err := s.canonicalTopics(m.Subscribe); err != nil {
		c.SendError(err.Error())
		return
	}
	if err := s.canonicalTopics(m.Unsubscribe); err != nil {
		c.SendError(err.Error())
		return
	}
	if _, err := c.SetTopics(m.Subscribe, m.Unsubscribe); err != nil {
		c.SendError(err.Error())
	}
	v := s.version.Load()
	c.SendJSON(map[string]any{"type": "subscribed", "topics": c.Topics(), "version": v})
	// A client that says which version it last saw gets the current payload
	// of everything it subscribes to when there is a newer one, so it never
	// misses a change between loading a page and subscribing, or while
	// reconnecting.
	if m.Since == nil || *m.Since >= v {
		return
	}
	s.resend(c, v)
}

// resend sends a client the current payload of each topic it subscribes
// to, once per version of that payload: asking again sends nothing new. A
// connection that asks for more than its budget of bytes (ResendBytes per
// resendWindow), or for far more views than a page shows, is closed (1008).
func (s *Server) resend(c *ws.Client, v int64) {
	st, _ := c.Value().(*resendState)
	if st == nil {
		st = newResendState(s.cfg.ResendBytes)
		c.SetValue(st)
	}
	for _, t := range c.Topics() {
		if t == "control" {
			continue
		}
		tv := s.eng.TopicKey(t).Version()
		if last, ok := st.sent[t]; ok && last >= tv {
			continue
		}
		if len(st.sent) >= resendTopicsMax {
			c.ClosePolicy("too many resends")
			return
		}
		f, err := s.updateFrame(context.Background(), t, v, 0, nil)
		if err != nil {
			c.SendError("could not compute " + t)
			continue
		}
		st.sent[t] = tv
		if !st.spend(len(f), time.Now()) {
			s.log.Info("closing a websocket client over its resend budget", "bytes", s.cfg.ResendBytes, "window", resendWindow)
			c.ClosePolicy("resend budget exceeded")
			return
		}
		c.Send(f)
	}
}
