//go:build linux

package ws

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"syscall"
	"unsafe"
)

// A broadcast's writes go to the kernel in batches through io_uring: one
// system call sends a frame to up to ringBatch sockets. On the virtual
// machines this runs on, entering the kernel is the dearest part of a
// small write (a bare system call costs about 1.1 µs there); measured on
// 3,000 loopback sockets, a 777-byte frame cost 7.1–7.6 µs a socket with
// write(2) and 4.5–6.2 µs through a ring (issue 17). Each send is the same
// non-blocking send as the write it replaces (MSG_DONTWAIT: the kernel
// completes it at once, sent, partly sent or -EAGAIN, never waiting for
// the socket), so a client's queue and writer goroutine work as before.

const (
	sysIOUringSetup = 425 // the same number on every Linux architecture
	sysIOUringEnter = 426

	ioringOpSend          = 26
	ioringEnterGetEvents  = 1 << 0
	ioringSetupSubmitAll  = 1 << 7 // submit every entry even after one fails
	ioringFeatNoDrop      = 1 << 1
	ioringOffSQRing       = 0
	ioringOffCQRing       = 0x8000000
	ioringOffSQEs         = 0x10000000
	ringBatch             = 128 // sends per system call; also the depth of held descriptors
	ringCompletionEntries = 2 * ringBatch
)

type ioSQOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	userAddr                                                        uint64
}

type ioCQOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	userAddr                                                        uint64
}

type ioParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFD uint32
	resv                                                                   [3]uint32
	sqOff                                                                  ioSQOffsets
	cqOff                                                                  ioCQOffsets
}

type ioSQE struct {
	opcode, flags uint8
	ioprio        uint16
	fd            int32
	off, addr     uint64
	len, msgFlags uint32
	userData      uint64
	bufIndex      uint16
	personality   uint16
	spliceFDIn    int32
	addr3, pad    uint64
}

type ioCQE struct {
	userData uint64
	res      int32
	flags    uint32
}

// ring is one io_uring instance, used by one goroutine at a time.
type ring struct {
	fd                     int
	sqHead, sqTail, sqMask *uint32
	sqArray                []uint32
	sqes                   []ioSQE
	cqHead, cqTail, cqMask *uint32
	cqes                   []ioCQE
	maps                   [][]byte
}

func newRing() (*ring, error) {
	p := ioParams{flags: ioringSetupSubmitAll, cqEntries: ringCompletionEntries}
	p.flags |= 1 << 3 // IORING_SETUP_CQSIZE: cqEntries is ours
	fd, _, errno := syscall.Syscall(sysIOUringSetup, ringBatch, uintptr(unsafe.Pointer(&p)), 0)
	if errno != 0 {
		return nil, fmt.Errorf("io_uring_setup: %w", errno)
	}
	r := &ring{fd: int(fd)}
	mmap := func(off int64, size uint32) ([]byte, error) {
		b, err := syscall.Mmap(r.fd, off, int(size), syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_SHARED|syscall.MAP_POPULATE)
		if err == nil {
			r.maps = append(r.maps, b)
		}
		return b, err
	}
	sq, err := mmap(ioringOffSQRing, p.sqOff.array+p.sqEntries*4)
	if err != nil {
		r.close()
		return nil, fmt.Errorf("io_uring: map submissions: %w", err)
	}
	cq, err := mmap(ioringOffCQRing, p.cqOff.cqes+p.cqEntries*uint32(unsafe.Sizeof(ioCQE{})))
	if err != nil {
		r.close()
		return nil, fmt.Errorf("io_uring: map completions: %w", err)
	}
	sqes, err := mmap(ioringOffSQEs, p.sqEntries*uint32(unsafe.Sizeof(ioSQE{})))
	if err != nil {
		r.close()
		return nil, fmt.Errorf("io_uring: map entries: %w", err)
	}
	r.sqHead = (*uint32)(unsafe.Pointer(&sq[p.sqOff.head]))
	r.sqTail = (*uint32)(unsafe.Pointer(&sq[p.sqOff.tail]))
	r.sqMask = (*uint32)(unsafe.Pointer(&sq[p.sqOff.ringMask]))
	r.sqArray = unsafe.Slice((*uint32)(unsafe.Pointer(&sq[p.sqOff.array])), p.sqEntries)
	r.sqes = unsafe.Slice((*ioSQE)(unsafe.Pointer(&sqes[0])), p.sqEntries)
	r.cqHead = (*uint32)(unsafe.Pointer(&cq[p.cqOff.head]))
	r.cqTail = (*uint32)(unsafe.Pointer(&cq[p.cqOff.tail]))
	r.cqMask = (*uint32)(unsafe.Pointer(&cq[p.cqOff.ringMask]))
	r.cqes = unsafe.Slice((*ioCQE)(unsafe.Pointer(&cq[p.cqOff.cqes])), p.cqEntries)
	if len(r.sqes) < ringBatch || len(r.cqes) < ringBatch || p.features&ioringFeatNoDrop == 0 {
		r.close()
		return nil, errors.New("io_uring: rings smaller than asked, or completions may be dropped")
	}
	return r, nil
}

func (r *ring) close() {
	for _, m := range r.maps {
		_ = syscall.Munmap(m)
	}
	r.maps = nil
	_ = syscall.Close(r.fd)
}

// ringSends counts the batches sent through rings, for the tests.
var ringSends atomic.Int64

// errRingStuck is a send the kernel did not complete at once: it would be
// waiting for its socket, which a broadcast must never do.
var errRingStuck = errors.New("io_uring: a non-blocking send did not complete at once")

// sendEach sends frame to each descriptor of fds (at most ringBatch; one
// below 0 is skipped and gets -EBADF) and stores each result in res: the
// bytes sent, or a negated errno. wait false submits without waiting and
// fails with errRingStuck when a send is still pending (the probe).
func (r *ring) sendEach(fds []int32, frame []byte, res []int32, wait bool) error {
	tail := atomic.LoadUint32(r.sqTail)
	mask := *r.sqMask
	want := uint32(0)
	for i, fd := range fds {
		if fd < 0 {
			res[i] = -int32(syscall.EBADF)
			continue
		}
		idx := (tail + want) & mask
		r.sqes[idx] = ioSQE{opcode: ioringOpSend, fd: fd, addr: uint64(uintptr(unsafe.Pointer(unsafe.SliceData(frame)))),
			len: uint32(len(frame)), msgFlags: syscall.MSG_DONTWAIT | syscall.MSG_NOSIGNAL, userData: uint64(i)}
		r.sqArray[idx] = idx
		want++
	}
	atomic.StoreUint32(r.sqTail, tail+want)
	ringSends.Add(1)
	got := uint32(0)
	for got < want {
		toSubmit := atomic.LoadUint32(r.sqTail) - atomic.LoadUint32(r.sqHead)
		minComplete, flags := want-got, uintptr(ioringEnterGetEvents)
		if !wait {
			minComplete, flags = 0, 0
		}
		if toSubmit > 0 || wait {
			_, _, errno := syscall.Syscall6(sysIOUringEnter, uintptr(r.fd), uintptr(toSubmit), uintptr(minComplete), flags, 0, 0)
			if errno != 0 && errno != syscall.EINTR && errno != syscall.EAGAIN && errno != syscall.EBUSY {
				return fmt.Errorf("io_uring_enter: %w", errno)
			}
		}
		head, ctail := atomic.LoadUint32(r.cqHead), atomic.LoadUint32(r.cqTail)
		for ; head != ctail; head++ {
			c := r.cqes[head&*r.cqMask]
			res[c.userData] = c.res
			got++
		}
		atomic.StoreUint32(r.cqHead, head)
		if !wait && got < want && toSubmit == 0 {
			return errRingStuck
		}
	}
	return nil
}

// rings are the idle rings of this process, shared by every hub.
var rings struct {
	sync.Mutex
	probed bool
	ok     bool
	free   []*ring
}

// maxIdleRings bounds the rings kept between broadcasts: one per fan-out
// goroutine is what a broadcast uses.
const maxIdleRings = 8

// getRing returns an idle ring, or a new one; nil when this kernel offers
// none that sends without waiting (checked once per process by probeRing).
func getRing() *ring {
	rings.Lock()
	if !rings.probed {
		rings.probed, rings.ok = true, probeRing() == nil
	}
	if !rings.ok {
		rings.Unlock()
		return nil
	}
	if n := len(rings.free); n > 0 {
		r := rings.free[n-1]
		rings.free = rings.free[:n-1]
		rings.Unlock()
		return r
	}
	rings.Unlock()
	r, err := newRing()
	if err != nil {
		return nil
	}
	return r
}

func putRing(r *ring) {
	rings.Lock()
	defer rings.Unlock()
	if len(rings.free) < maxIdleRings {
		rings.free = append(rings.free, r)
		return
	}
	r.close()
}

// probeRing checks that a ring's send to a full socket completes at once
// with -EAGAIN rather than waiting for room (kernels before the send
// honoured MSG_DONTWAIT would wait): it fills a socket pair's buffer
// through a ring, without waiting for completions.
func probeRing() error {
	r, err := newRing()
	if err != nil {
		return err
	}
	defer r.close() // also cancels anything left pending
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fds[0])
	defer syscall.Close(fds[1])
	_ = syscall.SetsockoptInt(fds[0], syscall.SOL_SOCKET, syscall.SO_SNDBUF, 4096)
	frame := make([]byte, 16<<10)
	res := make([]int32, 1)
	for range 256 {
		if err := r.sendEach([]int32{int32(fds[0])}, frame, res, false); err != nil {
			return err
		}
		switch {
		case res[0] == -int32(syscall.EAGAIN):
			return nil
		case res[0] < 0:
			return fmt.Errorf("io_uring probe: send: %w", syscall.Errno(-res[0]))
		}
	}
	return errors.New("io_uring probe: the socket never filled")
}
