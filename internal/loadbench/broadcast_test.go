package loadbench

import (
	"bytes"
	"testing"
)

func TestEnvelope(t *testing.T) {
	for _, tc := range []struct {
		name      string
		frame     string
		version   int64
		published int64
		ok        bool
	}{
		{"update", `{"type":"update","topic":"indicator:HWF_0001","version":42,"payload":{"regional":{}},"published":1764490000123456}`, 42, 1764490000123456, true},
		{"payload mentions version", `{"type":"update","topic":"t","version":7,"payload":{"version":9},"published":5}`, 7, 5, true},
		{"no published time", `{"type":"update","topic":"t","version":7,"payload":{}}`, 0, 0, false},
		{"no digits", `{"type":"update","topic":"t","version":x,"published":5}`, 0, 0, false},
		{"too large", `{"type":"update","topic":"t","version":99999999999999999999,"published":5}`, 0, 0, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, p, err := envelope([]byte(tc.frame))
			if (err == nil) != tc.ok || (tc.ok && (v != tc.version || p != tc.published)) {
				t.Fatalf("got %d, %d, %v; want %d, %d, ok %v", v, p, err, tc.version, tc.published, tc.ok)
			}
		})
	}
}

func TestNextFrame(t *testing.T) {
	for _, size := range []int{0, 125, 126, 65535, 65536} {
		payload := bytes.Repeat([]byte("x"), size)
		f := serverFrame(payload)
		t.Run("whole", func(t *testing.T) {
			got, n, ok := nextFrame(append(f, 0x81)) // the start of the next frame follows
			if !ok || n != len(f) || !bytes.Equal(got, payload) {
				t.Fatalf("size %d: ok %v, consumed %d of %d", size, ok, n, len(f))
			}
		})
		t.Run("partial", func(t *testing.T) {
			if _, _, ok := nextFrame(f[:len(f)-1]); ok {
				t.Fatalf("size %d: a frame missing its last byte was taken as complete", size)
			}
		})
	}
}

func TestPercentile(t *testing.T) {
	sorted := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	for _, tc := range []struct{ p, want int }{{50, 5}, {99, 10}, {100, 10}, {1, 1}} {
		if got := percentile(sorted, tc.p); got != int64(tc.want) {
			t.Errorf("p%d = %d, want %d", tc.p, got, tc.want)
		}
	}
}
