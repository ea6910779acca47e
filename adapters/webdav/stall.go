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

// watchdog cancels one request when it is armed for longer than idle: the
// answer's body arms it while a read waits for the server, the request's
// body while the transport writes what was read.
type watchdog struct {
	idle   time.Duration
	timer  *time.Timer
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
	w.timer = time.AfterFunc(time.Hour, func() {
		w.fired.Store(true)
		cancel()
	})
	w.timer.Stop()
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
	b.wd.disarm()
	n, err := b.rc.Read(p)
	if err == nil {
		b.wd.arm()
	}
	return n, err
}

func (b *watchedBody) Close() error {
	b.wd.disarm()
	return b.rc.Close()
}
