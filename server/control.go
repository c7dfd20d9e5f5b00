package server

import (
	"context"
	"crypto/subtle"
	"encoding/json"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/ws"
)

// clientControl relays a presenter command from an operator's websocket to
// every instance's projectors. Only the admin token may drive them.
func (s *Server) clientControl(c *ws.Client, m clientMessage) {
	if s.cfg.AdminToken == "" || subtle.ConstantTimeCompare([]byte(m.Token), []byte(s.cfg.AdminToken)) != 1 {
		c.SendError("control: admin token required")
		return
	}
	var cmd map[string]any
	if err := json.Unmarshal(*m.Control, &cmd); err != nil {
		c.SendError("control: malformed command")
		return
	}
	ev := indicators.Update{Kind: "control", Topics: []string{"control"}, Origin: s.cfg.InstanceID,
		Version: s.version.Load(), Payload: *m.Control}
	if err := s.deps.Bus.Publish(context.Background(), ev); err != nil {
		c.SendError("control: could not relay the command")
		return
	}
	c.SendJSON(map[string]any{"type": "control-sent"})
}

// pushControl forwards a presenter command to the subscribers of "control".
func (s *Server) pushControl(ev indicators.Update) {
	b, err := json.Marshal(updateMessage{Type: "control", Topic: "control", Version: ev.Version, Payload: ev.Payload})
	if err != nil {
		return
	}
	s.hub.Broadcast("control", ws.TextFrame(b))
}
