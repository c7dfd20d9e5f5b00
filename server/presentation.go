package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
)

// clientControl relays a presenter command from an operator's websocket to
// every instance's projectors. Only the admin token may drive them.
func (s *Server) clientControl(c *client, m clientMessage) {
	if s.cfg.AdminToken == "" || subtle.ConstantTimeCompare([]byte(m.Token), []byte(s.cfg.AdminToken)) != 1 {
		c.sendError("control: admin token required")
		return
	}
	var cmd map[string]any
	if err := json.Unmarshal(*m.Control, &cmd); err != nil {
		c.sendError("control: malformed command")
		return
	}
	ev := indicators.Update{Kind: "control", Topics: engine.ControlTopics(), Origin: s.cfg.InstanceID,
		Version: s.version.Load(), Payload: *m.Control}
	if err := s.deps.Bus.Publish(context.Background(), ev); err != nil {
		c.sendError("control: could not relay the command")
		return
	}
	c.sendJSON(map[string]any{"type": "control-sent"})
}

// pushControl forwards a presenter command to the subscribers of the
// control topics.
func (s *Server) pushControl(ev indicators.Update) {
	for _, t := range engine.ControlTopics() {
		b, err := json.Marshal(updateMessage{Type: "control", Topic: t, Version: ev.Version, Payload: ev.Payload})
		if err != nil {
			s.log.Warn("encode control command", "err", err)
			continue
		}
		s.hub.broadcast(t, textFrame(b))
	}
}

func (s *Server) presentPage(c *fiber.Ctx, d *pageData) error {
	d.Title, d.BodyClass, d.Embed, d.Topics = s.msgs.T(d.Lang, "present.title"), "present", true, "rounds milestones control"
	// An interval out of range (or not a number) does not fail the page: a
	// projector would show the JSON error to the room. The deck runs at the
	// default and says on screen which values are valid, so whoever typed
	// the address sees why. The API keeps answering 400 for bad parameters.
	d.Interval = defaultPresentInterval
	if raw := c.Query("interval"); raw != "" {
		if v, err := strconv.Atoi(raw); err == nil && v >= 5 && v <= 600 {
			d.Interval = v
		} else {
			d.Notice = s.msgs.T(d.Lang, "present.interval_notice")
		}
	}
	return s.codeAndDistances(c, d)
}

// defaultPresentInterval is the seconds each slide is shown for.
const defaultPresentInterval = 20

func (s *Server) controlPage(c *fiber.Ctx, d *pageData) error {
	d.Title = s.msgs.T(d.Lang, "control.title")
	return nil
}
