package ws

import (
	"strings"
	"testing"
)

func TestShallow(t *testing.T) {
	ran := false
	if err := shallow(func() { ran = true }); err != nil || !ran {
		t.Fatalf("shallow: ran %v, err %v", ran, err)
	}
	err := shallow(func() { panic("hostile frame") })
	if err == nil || !strings.Contains(err.Error(), "hostile frame") {
		t.Fatalf("a panic must come back as an error, got %v", err)
	}
}
