package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
	"github.com/hwfdash/hwfdash/server/ws"
)

// controlMessage is what a page sends on the control path: an operator's
// command (admin token required), or a screen's request for the state,
// its acknowledgement, and the operator's roll call (no token: they only
// report which slide screens show).
type controlMessage struct {
	deckCommand
	// Screen identifies a projector screen in its acknowledgements.
	Screen string `json:"screen,omitempty"`
	Seq    int64  `json:"seq,omitempty"`
}

// controlEvent is what goes over the bus between instances and out to
// the pages subscribed to the control topic.
type controlEvent struct {
	// Kind is "state" (the deck changed), "ack" (a screen shows a slide),
	// "who" (the operator asks screens to report) or "sync" (an instance
	// that knows no command yet asks the others for the deck).
	Kind  string     `json:"kind"`
	State *deckState `json:"state,omitempty"`
	// Screen, Slide and Seq are an acknowledgement's.
	Screen string `json:"screen,omitempty"`
	Slide  int    `json:"slide"`
	Seq    int64  `json:"seq,omitempty"`
	// Now is the sending instance's clock (Unix ms), from which screens
	// compute the slide shown.
	Now    int64    `json:"now,omitempty"`
	Slides []string `json:"slides,omitempty"`
}

// screenID is what a screen may call itself.
var screenID = regexp.MustCompile(`^[a-z0-9]{4,24}$`)

func (s *Server) deckRules() deckRules {
	return deckRules{Slides: len(presentSlides), Country: s.ref.Known,
		Indicator: func(id string) bool { _, ok := s.ref.ByID[id]; return ok }}
}

// clientControl handles a message on the control path. Every refusal is
// answered to the sender, which the operator's page shows: nothing an
// operator gets wrong reaches the projected screens.
func (s *Server) clientControl(c *ws.Client, m clientMessage) {
	var cm controlMessage
	if err := json.Unmarshal(*m.Control, &cm); err != nil {
		c.SendError("control: malformed command")
		return
	}
	switch cm.Cmd {
	case "state":
		s.screenJoins(c, cm)
		return
	case "ack":
		if !screenID.MatchString(cm.Screen) || cm.Slide == nil || *cm.Slide < 0 || *cm.Slide >= len(presentSlides) {
			c.SendError("control: malformed acknowledgement")
			return
		}
		s.relayControl(c, controlEvent{Kind: "ack", Screen: cm.Screen, Slide: *cm.Slide, Seq: cm.Seq})
		return
	case "who":
		s.relayControl(c, controlEvent{Kind: "who"})
		return
	}
	if s.cfg.AdminToken == "" || subtle.ConstantTimeCompare([]byte(m.Token), []byte(s.cfg.AdminToken)) != 1 {
		// Counted with HTTP's failures from the same address: past the
		// rate, guessing on a websocket ends the connection.
		if err := s.authFailed(context.Background(), c.Addr()); err != nil {
			c.ClosePolicy("too many failed authentications")
			return
		}
		c.SendError("control: admin token required")
		return
	}
	st, err := s.deck.update(cm.deckCommand, time.Now(), s.deckRules(), s.cfg.InstanceID)
	if err != nil {
		c.SendError(err.Error())
		return
	}
	if !s.relayControl(c, controlEvent{Kind: "state", State: &st}) {
		return
	}
	c.SendJSON(map[string]any{"type": "control-sent", "cmd": cm.Cmd, "seq": st.Seq})
}

// screenJoins answers a screen's request for the deck, on connecting and
// on every reconnection. A screen opened with ?interval= sets the deck's
// interval as long as no operator has given a command.
func (s *Server) screenJoins(c *ws.Client, cm controlMessage) {
	st := s.deck.get()
	if st.Seq == 0 {
		// This instance may have started after the others' last command.
		s.relayControl(nil, controlEvent{Kind: "sync"})
		if cm.Interval != 0 && cm.Interval != st.interval() {
			if n, err := s.deck.update(deckCommand{Cmd: "interval", Interval: cm.Interval}, time.Now(), s.deckRules(), s.cfg.InstanceID); err == nil {
				st = n
				s.relayControl(nil, controlEvent{Kind: "state", State: &n})
			}
		}
	}
	b, err := s.controlFrame(controlEvent{Kind: "state", State: &st})
	if err != nil {
		s.log.Warn("encode presentation state", "err", err)
		return
	}
	c.Send(ws.TextFrame(b))
}

// relayControl publishes a control event to every instance (this one
// included, which pushes it to its pages); c, when not nil, is told when
// the bus refuses it.
func (s *Server) relayControl(c *ws.Client, ev controlEvent) bool {
	body, err := json.Marshal(ev)
	if err == nil {
		err = s.deps.Bus.Publish(context.Background(), indicators.Update{Kind: "control", Topics: engine.ControlTopics(),
			Origin: s.cfg.InstanceID, Version: s.version.Load(), Payload: body})
	}
	if err != nil {
		s.log.Warn("relay control event", "kind", ev.Kind, "err", err)
		if c != nil {
			c.SendError("control: could not relay the command")
		}
		return false
	}
	return true
}

// pushControl takes a control event from the bus: a deck state is kept
// when newer than this instance's, and every event goes on to the pages
// subscribed to the control topics.
func (s *Server) pushControl(ev indicators.Update) {
	var ce controlEvent
	if err := json.Unmarshal(ev.Payload, &ce); err != nil {
		s.log.Warn("malformed control event", "err", err)
		return
	}
	switch ce.Kind {
	case "state":
		if ce.State == nil {
			return
		}
		st := s.deck.adopt(*ce.State)
		ce.State = &st
	case "sync":
		if st := s.deck.get(); st.Seq > 0 && ev.Origin != s.cfg.InstanceID {
			s.relayControl(nil, controlEvent{Kind: "state", State: &st})
		}
		return
	case "ack", "who":
	default:
		s.log.Debug("control event of an unknown kind", "kind", ce.Kind)
		return
	}
	b, err := s.controlFrame(ce)
	if err != nil {
		s.log.Warn("encode control event", "err", err)
		return
	}
	for _, t := range engine.ControlTopics() {
		s.hub.Broadcast(t, ws.TextFrame(b))
	}
}

// controlFrame encodes a control event for the pages, stamped with this
// instance's clock.
func (s *Server) controlFrame(ce controlEvent) ([]byte, error) {
	ce.Now = time.Now().UnixMilli()
	if ce.Kind == "state" {
		ce.Slides = presentSlides
		if ce.State != nil {
			st := *ce.State
			st.Interval, st.Indicator = st.interval(), st.focusIndicator()
			ce.State = &st
		}
	}
	p, err := json.Marshal(ce)
	if err != nil {
		return nil, err
	}
	return json.Marshal(updateMessage{Type: "control", Topic: "control", Version: s.version.Load(), Payload: p})
}

func (s *Server) presentPage(c *fiber.Ctx, d *pageData) error {
	d.Title, d.BodyClass, d.Embed, d.Topics = s.msgs.T(d.Lang, "present.title"), "present", true, "rounds milestones control"
	// An interval out of range (or not a number) does not fail the page: a
	// projector would show the JSON error to the room. The deck runs at the
	// default and says on screen which values are valid, so whoever typed
	// the address sees why. The API keeps answering 400 for bad parameters.
	d.Interval = defaultPresentInterval
	if raw := c.Query("interval"); raw != "" {
		if v, err := strconv.Atoi(raw); err == nil && v >= minPresentInterval && v <= maxPresentInterval {
			d.Interval = v
		} else {
			d.Notice = s.msgs.T(d.Lang, "present.interval_notice")
		}
	}
	// The milestones slide names each milestone beside its id.
	for _, m := range s.ref.Milestones {
		d.RefMilestones = append(d.RefMilestones, refItem{ID: m.ID, Name: shortTitle(s.msgs.Optional(d.Lang, "ms."+m.ID+".title", m.Title), shortTitleRunes)})
	}
	return s.codeAndDistances(c, d)
}

// shortTitleRunes is how much of a milestone's title the projector shows:
// some are whole paragraphs of the resolution they come from.
const shortTitleRunes = 45

// shortTitle cuts a title to at most n runes at a word boundary.
func shortTitle(title string, n int) string {
	r := []rune(strings.TrimSpace(title))
	if len(r) <= n {
		return string(r)
	}
	cut := string(r[:n])
	if i := strings.LastIndex(cut, " "); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;:.") + "…"
}

// defaultPresentInterval is the seconds each slide is shown for.
const defaultPresentInterval = 20

func (s *Server) controlPage(c *fiber.Ctx, d *pageData) error {
	d.Title = s.msgs.T(d.Lang, "control.title")
	d.Topics = "control"
	// The pickers offer only what the projector can show; the page sorts
	// them by name in its language.
	d.Intervals = []int{10, 15, 20, 30, 45, 60, 120}
	d.RefIndicators = nil
	for _, ind := range s.ref.Catalogue {
		d.RefIndicators = append(d.RefIndicators, refItem{ID: ind.ID, Name: s.eng.LocalIndicator(d.Lang, ind).Name})
	}
	return nil
}
