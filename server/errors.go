package server

import (
	"errors"
	"fmt"
	"strconv"

	"github.com/gofiber/fiber/v2"

	"github.com/hwfdash/hwfdash/indicators"
	"github.com/hwfdash/hwfdash/server/engine"
)

// apiError is an error with an HTTP status and, where one input is to blame,
// the name of that input.
type apiError struct {
	Status  int
	Message string
	Field   string
	Rows    []indicators.FieldError
	// RetryAfter is the Retry-After of a 429, in seconds; 0 means 60.
	RetryAfter int
}

func (e *apiError) Error() string { return e.Message }

func badParam(field string, err error) error {
	return &apiError{Status: fiber.StatusBadRequest, Message: fmt.Sprintf("%s: %v", field, err), Field: field}
}

func notFound(field, format string, args ...any) error {
	return &apiError{Status: fiber.StatusNotFound, Message: fmt.Sprintf(format, args...), Field: field}
}

// errorBody is the JSON body of every error answer.
type errorBody struct {
	Error  string                  `json:"error"`
	Field  string                  `json:"field,omitempty"`
	Errors []indicators.FieldError `json:"errors,omitempty"`
}

// handleError is the one place errors become HTTP answers. Internal errors
// are logged here, once, and never shown to the client in detail.
func (s *Server) handleError(c *fiber.Ctx, err error) error {
	var ae *apiError
	var fe *fiber.Error
	switch {
	case asAPIError(err, &ae):
		if ae.Status == fiber.StatusTooManyRequests {
			retry := 60
			if ae.RetryAfter > 0 {
				retry = ae.RetryAfter
			}
			c.Set(fiber.HeaderRetryAfter, strconv.Itoa(retry))
		}
		return c.Status(ae.Status).JSON(errorBody{Error: ae.Message, Field: ae.Field, Errors: ae.Rows})
	case errors.As(err, &fe):
		return c.Status(fe.Code).JSON(errorBody{Error: fe.Message})
	case errors.Is(err, indicators.ErrUnavailable):
		s.log.Warn("store unavailable", "path", c.Path(), "err", err)
		c.Set(fiber.HeaderRetryAfter, "5")
		return c.Status(fiber.StatusServiceUnavailable).JSON(errorBody{
			Error: "the database is unavailable: nothing was stored; retry shortly",
		})
	default:
		s.log.Error("request failed", "method", c.Method(), "path", c.Path(), "err", err)
		return c.Status(fiber.StatusInternalServerError).JSON(errorBody{Error: "internal error"})
	}
}

// asAPIError finds the API error in err: an apiError, or an engine error
// given its HTTP status.
func asAPIError(err error, target **apiError) bool {
	if errors.As(err, target) {
		return true
	}
	var ee *engine.Error
	if !errors.As(err, &ee) {
		return false
	}
	status := fiber.StatusBadRequest
	if ee.NotFound {
		status = fiber.StatusNotFound
	}
	*target = &apiError{Status: status, Message: ee.Message, Field: ee.Field}
	return true
}

// truncate shortens user input quoted in an error message.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
