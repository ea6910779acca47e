package webdav

import (
	"context"
	"io"
	"sync/atomic"
	"time"
)

// The transport's timeout bounds the wait for an answer's header, not the
// transfer of a body, which may rightly take long: a server that stops
// sending in the middle of a download, or stops reading in the middle of
// an upload, would hold a sync for ever. A watchdog ends such a request
// when no byte moved for the account's timeout.

// errStalled is the failure of a request whose server stopped sending or
// reading. It is a timeout, so it reads "the server did not answer within
// ..." and the transfer is tried again.
var errStalled error = stalledError{}

type stalledError struct{}

func (stalledError) Error() string   { return "the server stopped sending or reading" }
func (stalledError) Timeout() bool   { return true }
func (stalledError) Temporary() bool { return true }

// watchdog cancels one request when one of its two timers stays armed
// for longer than idle: the answer's body arms one while a read waits for
// the server, the request's body the other while the transport writes
// what was read. Two timers, because the transport goes on writing the
// request's body on a goroutine of its own after the answer has come
// (a server may answer before it has read everything): one timer for both
// would be stopped by the writer while the reader waits.
type watchdog struct {
	idle   time.Duration
	timer  *time.Timer // the answer's body
	sent   *time.Timer // the request's body
	cancel context.CancelFunc
	fired  atomic.Bool
}

// newWatchdog returns a disarmed watchdog over a request context of its
// own; a nil watchdog (idle 0) does nothing.
func newWatchdog(ctx context.Context, idle time.Duration) (*watchdog, context.Context) {
	if idle <= 0 {
		return nil, ctx
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &watchdog{idle: idle, cancel: cancel}
	fire := func() {
		w.fired.Store(true)
		cancel()
	}
	w.timer, w.sent = time.AfterFunc(time.Hour, fire), time.AfterFunc(time.Hour, fire)
	w.timer.Stop()
	w.sent.Stop()
	return w, ctx
}

func (w *watchdog) arm() {
	if w != nil {
		w.timer.Reset(w.idle)
	}
}

func (w *watchdog) disarm() {
	if w != nil {
		w.timer.Stop()
	}
}

func (w *watchdog) armSend() {
	if w != nil {
		w.sent.Reset(w.idle)
	}
}

func (w *watchdog) disarmSend() {
	if w != nil {
		w.sent.Stop()
	}
}

// err returns errStalled when the watchdog ended the request, else err.
func (w *watchdog) err(err error) error {
	if w != nil && err != nil && w.fired.Load() {
		return errStalled
	}
	return err
}

// release disarms the watchdog for good and frees its context.
func (w *watchdog) release() {
	if w != nil {
		w.timer.Stop()
		w.sent.Stop()
		w.cancel()
	}
}

// watchedBody is a request's body: the time the transport takes to
// write what it read, between two reads, is watched.
type watchedBody struct {
	rc io.ReadCloser
	wd *watchdog
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.wd.disarmSend()
	n, err := b.rc.Read(p)
	if err == nil {
		b.wd.armSend()
	}
	return n, err
}

func (b *watchedBody) Close() error {
	b.wd.disarmSend()
	return b.rc.Close()
}
