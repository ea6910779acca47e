package app

import (
	"context"
	"errors"
	"sync"

	"github.com/photosync/photosync/domain"
)

// Read-backs beside later uploads (issue 22).
//
// A server that gives no hash of what it stored (Apache, rclone serve,
// most WebDAV servers) has an upload proven by reading the file back (see
// sender.prove, PHOTOSYNC_VERIFY). Made on the sender's worker right after
// its PUT, the read-back holds the worker off its next PUT, and a first
// backup takes up to twice the time of its PUTs. So a worker whose PUT
// needs a read-back hands it to its run's proofPool and goes on to its
// next file: the read-back runs beside the later uploads. The file is
// counted and recorded (proof, pair, progress) only once its read-back
// proved it and the verifier checked its size, exactly as when the proof
// was made at once; a read-back that fails does what it did then: a wrong
// copy is removed, the file sent again (by the retry policy's tries
// left), and it fails with the same error. A proof the server's own hash
// gives (Nextcloud's X-Hash-SHA1) costs no request and stays where it was.
//
// The pool bounds the read-backs in flight, not the ones waiting: at most
// as many GETs at once as files sent at once, so the server's load stays
// bounded, while a worker hands its read-back over and goes on at once;
// read-backs waiting for a place are a queue of small records (the run's
// memory grows by one per file waiting, never by its bytes). A worker
// that waited for a place held its next PUT back: with read-backs as slow
// as uploads (a link as fast each way), the uploads then waited on the
// read-backs of big files (issue 22: a first backup through a link of
// 100 MB/s each way took 1.56 times its plain PUTs). The verifier waits
// for every read-back before it checks what is left (flush), so a run
// ends only once every file it sent is proven or failed. The read-backs
// end with the run: the end of its ctx, or an error that stops it (a
// refusal of the credentials, on a read-back or on a worker), fails the
// read-backs in flight and waiting, which record nothing and remove their
// fresh files, as a proof cut short did before.

// proofPool runs the read-backs of one run's uploads (a verifier's).
type proofPool struct {
	ctx  context.Context // the run's; ended by stop
	stop context.CancelCauseFunc
	n    int // read-backs in flight at most
	wg   sync.WaitGroup

	mu      sync.Mutex
	running int          // read-backs in flight
	queue   []queuedRead // waiting for a place, oldest first
	err     error        // the first error of a read-back that stops the run
}

// queuedRead is a read-back waiting for a place, with its caller's ctx.
type queuedRead struct {
	ctx      context.Context
	readBack func(ctx context.Context) error
}

// newProofPool returns a pool of n read-backs at once (4 when n is 0) for
// a run whose ctx is ctx.
func newProofPool(ctx context.Context, n int) *proofPool {
	if n <= 0 {
		n = 4
	}
	pctx, stop := context.WithCancelCause(ctx)
	return &proofPool{ctx: pctx, stop: stop, n: n}
}

// add runs a read-back beside the caller, at once when a place is free,
// else once one is (the caller does not wait). ctx is the caller's: when
// it ends other than by its workers being done (errWorkersDone: the run's
// other workers stopped it), the read-back ends too.
func (pp *proofPool) add(ctx context.Context, readBack func(ctx context.Context) error) {
	pp.wg.Add(1)
	pp.mu.Lock()
	q := queuedRead{ctx: ctx, readBack: readBack}
	if pp.running >= pp.n {
		pp.queue = append(pp.queue, q)
		pp.mu.Unlock()
		return
	}
	pp.running++
	pp.mu.Unlock()
	go pp.drain(q)
}

// drain runs q, then the read-backs waiting, until none is left.
func (pp *proofPool) drain(q queuedRead) {
	for {
		pp.runOne(q)
		pp.wg.Done()
		pp.mu.Lock()
		if len(pp.queue) == 0 {
			pp.running--
			pp.mu.Unlock()
			return
		}
		q = pp.queue[0]
		pp.queue[0] = queuedRead{}
		pp.queue = pp.queue[1:]
		pp.mu.Unlock()
	}
}

// runOne runs one read-back within the run's ctx, ended also by its
// caller's.
func (pp *proofPool) runOne(q queuedRead) {
	rctx, cancel := context.WithCancelCause(pp.ctx)
	defer cancel(nil)
	unwatch := context.AfterFunc(q.ctx, func() {
		if cause := context.Cause(q.ctx); cause != errWorkersDone {
			cancel(cause)
		}
	})
	defer unwatch()
	pp.run(rctx, q.readBack)
}

// run runs a read-back and keeps the error that stops the run.
func (pp *proofPool) run(ctx context.Context, readBack func(ctx context.Context) error) {
	if err := readBack(ctx); err != nil {
		pp.mu.Lock()
		if pp.err == nil {
			pp.err = err
		}
		pp.mu.Unlock()
		pp.stop(err)
	}
}

// stopped returns the error a read-back ended with that stops the run,
// or nil.
func (pp *proofPool) stopped() error {
	pp.mu.Lock()
	defer pp.mu.Unlock()
	return pp.err
}

// wait waits for every read-back handed over and returns the error that
// stops the run, if one did.
func (pp *proofPool) wait() error {
	pp.wg.Wait()
	return pp.stopped()
}

// unprovenError is the error a read-back made beside later uploads gives
// a file's then: the read-back took the file's bytes out of the progress
// already, as a proof that fails on the worker does (see proveSent).
type unprovenError struct{ error }

func (e unprovenError) Unwrap() error { return e.error }

// takenBack reports whether err is a file's whose bytes were taken out of
// the progress already (see unprovenError).
func takenBack(err error) bool {
	var u unprovenError
	return errors.As(err, &u)
}

// readBack proves by reading it back the item just sent whole to the
// server, which gave no hash of it (size bytes whose SHA-1 is sum, sent
// by the tries-th try), and hands it to the verifier, as putOne does. A
// proof that fails goes on as the retry policy said on the worker: the
// tries left send the file again, proven at once; a file that fails for
// good is removed when it was fresh, given up, and told to then. The
// error is one that stops the run.
func (s *sender) readBack(ctx context.Context, v *verifier, it sendItem, size int64, sum string, tries int,
	then func(ctx context.Context, rf domain.RemoteFile, sum string, err error)) error {
	proved := false
	err := s.retry.doFrom(ctx, s.log, it.f.Path, tries, func(ctx context.Context) error {
		if !proved {
			proved = true
			return s.proveSent(ctx, it.path, size, sum, "")
		}
		var err error
		size, sum, err = s.put(ctx, it)
		return err
	})
	if err != nil {
		if it.fresh {
			s.discard(ctx, it.path)
		}
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		err = v.gaveUp(ctx, it.path, err)
		then(ctx, domain.RemoteFile{}, "", unprovenError{err})
		if ctx.Err() != nil || isFatal(err) {
			return err
		}
		return nil
	}
	return v.sent(ctx, sentFile{path: it.path, size: size, fresh: it.fresh,
		then: func(ctx context.Context, rf domain.RemoteFile, err error) { then(ctx, rf, sum, err) }})
}
