package server

import (
	"encoding/json"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/server/ws"
)

// clientMessage is what a client may send.
type clientMessage struct {
	Subscribe   []string `json:"subscribe"`
	Unsubscribe []string `json:"unsubscribe"`
	// Since is the last data version the client saw; topics it subscribes to
	// are sent again when the server knows a newer one, so a reconnecting
	// client has no gap.
	Since *int64 `json:"since"`
	// Control is a presenter command, accepted only with an admin token.
	Control *json.RawMessage `json:"control"`
	Token   string           `json:"token"`
}

// wsApp is what the websocket hub sees of the server.
type wsApp struct{ s *Server }

func (a wsApp) Hello() any {
	return map[string]any{"type": "hello", "version": a.s.version.Load()}
}

func (a wsApp) HandleMessage(c *ws.Client, data []byte) { a.s.handleClientMessage(c, data) }

// serveWS upgrades /ws requests; anything else is told to upgrade.
func (s *Server) serveWS() fiber.Handler {
	upgrade := s.hub.Handler()
	return func(c *fiber.Ctx) error {
		if !ws.IsUpgrade(c) {
			return &apiError{Status: fiber.StatusUpgradeRequired, Message: "websocket upgrade required", Field: "Upgrade"}
		}
		return upgrade(c)
	}
}
