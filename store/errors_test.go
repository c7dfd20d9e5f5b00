package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestUnavailableClassification(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"dial refused", &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}, true},
		{"bad conn", fmt.Errorf("x: %w", driver.ErrBadConn), true},
		{"deadline", context.DeadlineExceeded, true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"unique violation", &pgconn.PgError{Code: "23505"}, false},
		{"check violation", &pgconn.PgError{Code: "23514"}, false},
		{"canceled by caller", context.Canceled, false},
		{"plain", errors.New("syntax error"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := wrap("op", tt.err)
			if got := errors.Is(err, ErrUnavailable); got != tt.want {
				t.Errorf("unavailable = %v, want %v (%v)", got, tt.want, err)
			}
			if !errors.Is(err, tt.err) {
				t.Errorf("%v does not wrap the cause", err)
			}
		})
	}
	if wrap("op", nil) != nil {
		t.Error("wrap(nil) != nil")
	}
}
