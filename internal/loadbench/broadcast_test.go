package loadbench

import (
	"bytes"
	"encoding/binary"
	"syscall"
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

// serverFrame encodes an unmasked final text frame, as a server sends it.
func serverFrame(payload []byte) []byte {
	var h []byte
	switch n := len(payload); {
	case n < 126:
		h = []byte{0x81, byte(n)}
	case n <= 0xFFFF:
		h = binary.BigEndian.AppendUint16([]byte{0x81, 126}, uint16(n))
	default:
		h = binary.BigEndian.AppendUint64([]byte{0x81, 127}, uint64(n))
	}
	return append(h, payload...)
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

func TestArrival(t *testing.T) {
	cmsg := func(level, typ int32, sec, nsec int64) []byte {
		b := make([]byte, syscall.CmsgSpace(16))
		binary.NativeEndian.PutUint64(b[0:], uint64(syscall.CmsgLen(16)))
		binary.NativeEndian.PutUint32(b[8:], uint32(level))
		binary.NativeEndian.PutUint32(b[12:], uint32(typ))
		binary.NativeEndian.PutUint64(b[syscall.SizeofCmsghdr:], uint64(sec))
		binary.NativeEndian.PutUint64(b[syscall.SizeofCmsghdr+8:], uint64(nsec))
		return b
	}
	const read = 99
	for _, tc := range []struct {
		name string
		oob  []byte
		want int64
	}{
		{"timestamp", cmsg(syscall.SOL_SOCKET, syscall.SCM_TIMESTAMPNS, 1764490000, 123456789), 1764490000123456},
		{"no control data", nil, read},
		{"another message", cmsg(syscall.SOL_SOCKET, syscall.SCM_RIGHTS, 1, 2), read},
		{"another level", cmsg(syscall.IPPROTO_TCP, syscall.SCM_TIMESTAMPNS, 1, 2), read},
		{"truncated", cmsg(syscall.SOL_SOCKET, syscall.SCM_TIMESTAMPNS, 1, 2)[:20], read},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := arrival(tc.oob, read); got != tc.want {
				t.Fatalf("arrival = %d, want %d", got, tc.want)
			}
		})
	}
}
