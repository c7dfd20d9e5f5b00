//go:build linux

package ws

import "syscall"

// batchSender writes a broadcast's frame to its clients through a ring,
// ringBatch sockets per system call. A socket's descriptor is held (its
// RawConn's Control, as a single write holds it) from before its send is
// queued until the batch's sends have completed, so a connection closed
// meanwhile cannot have its descriptor number reused by another: the holds
// nest, one Control inside the other, and the batch is sent from the
// innermost.
type batchSender struct {
	r       *ring
	broken  bool
	frame   Frame
	clients []*Client
	raws    []*rawWriter
	fds     []int32
	res     []int32
	held    int
	sent    bool
	hold    func(fd uintptr) // made once: a closure per Control would be garbage per client
}

// newBatchSender returns a sender with a ring of its own, or nil when
// this kernel offers none (the caller then writes client by client).
func newBatchSender() *batchSender {
	r := getRing()
	if r == nil {
		return nil
	}
	b := &batchSender{r: r, clients: make([]*Client, 0, ringBatch), raws: make([]*rawWriter, 0, ringBatch),
		fds: make([]int32, ringBatch), res: make([]int32, ringBatch)}
	b.hold = func(fd uintptr) {
		b.fds[b.held] = int32(fd)
		b.held++
		b.holdNext()
	}
	return b
}

// release gives the ring back for the next broadcast.
func (b *batchSender) release() {
	if b.broken {
		b.r.close()
		return
	}
	putRing(b.r)
}

// deliver is Client.deliver for every client of part: each idle client
// gets the frame in one of the batch's sends, the others (writing, closed,
// without a socket of their own) through their queue as before.
func (b *batchSender) deliver(part []*Client, f Frame) {
	b.frame = f
	defer func() { b.frame = nil }()
	for len(part) > 0 {
		b.clients, b.raws = b.clients[:0], b.raws[:0]
		for len(part) > 0 && len(b.clients) < ringBatch {
			c := part[0]
			part = part[1:]
			w, ok := c.try.(*rawWriter)
			if !ok {
				c.deliver(f)
				continue
			}
			if !c.claim(f) {
				continue
			}
			b.clients, b.raws = append(b.clients, c), append(b.raws, w)
		}
		n := len(b.clients)
		if n == 0 {
			continue
		}
		b.fds, b.res = b.fds[:n], b.res[:n]
		b.held, b.sent = 0, false
		b.holdNext()
		for i, c := range b.clients {
			var written int
			var err error
			switch r := b.res[i]; {
			case !b.sent: // the ring failed before sending: one write each
				written, err = b.raws[i].tryWrite(f)
			case r >= 0:
				written = int(r)
			case r == -int32(syscall.EAGAIN), r == -int32(syscall.EINTR):
				// nothing taken: the client's queue writes it
			default:
				err = syscall.Errno(-r)
			}
			c.afterTry(f, written, err)
			b.clients[i], b.raws[i] = nil, nil
		}
	}
}

// holdNext holds the next client's descriptor and continues inside its
// Control; with every descriptor held (or closed: -1, not sent), it sends.
func (b *batchSender) holdNext() {
	for b.held < len(b.clients) {
		i := b.held
		if err := b.raws[i].raw.Control(b.hold); err == nil {
			return // the rest were held and sent inside
		}
		b.fds[i] = -1 // closing: its send fails with EBADF and the client goes
		b.held++
	}
	if err := b.r.sendEach(b.fds, b.frame, b.res, true); err != nil {
		b.broken = true
		disableRings()
		return
	}
	b.sent = true
}

// disableRings stops using rings in this process after one failed.
func disableRings() {
	rings.Lock()
	defer rings.Unlock()
	rings.ok = false
	for _, r := range rings.free {
		r.close()
	}
	rings.free = nil
}
