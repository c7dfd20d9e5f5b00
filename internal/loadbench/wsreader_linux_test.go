package loadbench

import (
	"encoding/binary"
	"syscall"
	"testing"
)

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
