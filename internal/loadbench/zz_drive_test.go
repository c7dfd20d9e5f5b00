package loadbench

import (
	"context"
	"os"
	"testing"
	"time"
)

func TestZZDrive(t *testing.T) {
	addr := os.Getenv("DRIVE_ADDR")
	if addr == "" {
		t.Skip()
	}
	r, err := maxRate(context.Background(), addr, readsURI, 0, loadConns, 8*time.Second)
	t.Log(r, err)
}
