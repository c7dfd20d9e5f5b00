package server

import (
	"runtime"

	"github.com/gofiber/fiber/v2"
)

// getStats reports the process's goroutines, websocket clients and heap, so
// an operator (and the load generator, from its own process) can see what
// each connection costs. Admin only: it is cheap but not for the public.
func (s *Server) getStats(c *fiber.Ctx) error {
	if _, err := s.requireAdmin(c); err != nil {
		return err
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.JSON(fiber.Map{
		"goroutines":        runtime.NumGoroutine(),
		"websocket_clients": s.hub.count(),
		"heap_inuse_bytes":  m.HeapInuse,
		"stack_inuse_bytes": m.StackInuse,
		"sys_bytes":         m.Sys,
		"gc_cycles":         m.NumGC,
	})
}
