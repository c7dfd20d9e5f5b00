//go:build !linux

package ws

// batchSender needs io_uring: elsewhere a broadcast writes client by
// client (one non-blocking write each).
type batchSender struct{}

func newBatchSender() *batchSender                   { return nil }
func (*batchSender) release()                        {}
func (*batchSender) deliver(part []*Client, f Frame) {}
