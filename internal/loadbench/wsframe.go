package loadbench

import "encoding/binary"

// nextFrame parses one unmasked frame from a server (RFC 6455, 5.2).
func nextFrame(b []byte) (payload []byte, size int, ok bool) {
	if len(b) < 2 {
		return nil, 0, false
	}
	n, h := int(b[1]&0x7F), 2
	switch n {
	case 126:
		if len(b) < 4 {
			return nil, 0, false
		}
		n, h = int(binary.BigEndian.Uint16(b[2:])), 4
	case 127:
		if len(b) < 10 {
			return nil, 0, false
		}
		n, h = int(binary.BigEndian.Uint64(b[2:])), 10
	}
	if len(b) < h+n {
		return nil, 0, false
	}
	return b[h : h+n], h + n, true
}

// serverFrame encodes an unmasked final text frame, as a server sends it (RFC 6455, 5.2):
// the bare writer frames each update with it once.
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
