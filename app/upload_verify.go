package app

import (
	"context"
	"fmt"
	"path"
	"sync"

	"github.com/photosync/photosync/domain"
)

// maxVerifyBatch bounds the files one folder listing checks, so that the
// files of a large folder are checked (and recorded) as the upload goes,
// not only at its end.
const maxVerifyBatch = 256

// minVerifyBatch and verifySteps set when a folder's batch is checked
// before all its files are sent: once a batch holds an eighth of the
// folder's files, and at least 8, so that files are confirmed (and the
// progress moves) as the upload goes, for about 8 listings of a folder.
const (
	minVerifyBatch = 8
	verifySteps    = 8
)

// verifier checks the size the server stored of every file a run sent,
// with one PROPFIND Depth 1 of a folder for a batch of its files rather
// than one PROPFIND per file: once every file of the folder that the run
// meant to send has been sent or given up (or maxVerifyBatch files wait).
// A file the listing shows short, or does not show at all (after a Stat of
// its own, for a server that spells names differently in listings), fails:
// a fresh one is deleted, so a truncated file never stays on the server.
// Until its check, a sent file is neither counted nor recorded.
//
// The caller tells the verifier up front which files it means to send
// (newVerifier), and then, for each, either sent or gaveUp; flush checks
// whatever still waits once the workers have stopped.
type verifier struct {
	s *sender

	proofs *proofPool // the read-backs of the run's sends

	mu      sync.Mutex
	left    map[string]int        // files of each folder neither sent nor given up yet
	total   map[string]int        // files of each folder the run means to send
	waiting map[string][]sentFile // sent files of each folder, not checked yet
	bulk    bulkQueue             // small files waiting for a bulk request (upload_bulk.go)
}

// sentFile is a file sent whole, waiting for its check; then is called
// once with the file as the server lists it, or with why it failed (ctx's
// error when the run stopped before the check).
type sentFile struct {
	path  string
	size  int64
	fresh bool // nothing was at path before the send: a failed check deletes it
	then  func(ctx context.Context, rf domain.RemoteFile, err error)
}

// newVerifier returns a verifier for the files at paths, which a run
// whose ctx is ctx means to send.
func newVerifier(ctx context.Context, s *sender, paths []string) *verifier {
	v := &verifier{s: s, proofs: newProofPool(ctx, s.parallel),
		left: map[string]int{}, total: map[string]int{}, waiting: map[string][]sentFile{}}
	for _, p := range paths {
		v.left[path.Dir(p)]++
		v.total[path.Dir(p)]++
	}
	return v
}

// sent hands over a file sent whole. Its check may happen now, on this
// goroutine, for the whole batch of its folder. The error is one that
// stops the run: the server refused the credentials for the listing, or
// ctx ended.
func (v *verifier) sent(ctx context.Context, f sentFile) error {
	dir := path.Dir(f.path)
	v.mu.Lock()
	v.waiting[dir] = append(v.waiting[dir], f)
	batch := v.take(dir, true)
	v.mu.Unlock()
	return v.check(ctx, dir, batch)
}

// gaveUp tells that the file at p, meant to be sent, will not be (it
// failed, or was not needed after all), and returns err, or the error of
// a check it set off that stops the run.
func (v *verifier) gaveUp(ctx context.Context, p string, err error) error {
	dir := path.Dir(p)
	v.mu.Lock()
	batch := v.take(dir, true)
	v.mu.Unlock()
	if cerr := v.check(ctx, dir, batch); cerr != nil {
		return cerr
	}
	return err
}

// take counts one file of dir as done with when done is set, and returns
// the batch of dir to check now, if any. v.mu is held.
func (v *verifier) take(dir string, done bool) []sentFile {
	if done {
		v.left[dir]--
	}
	w := v.waiting[dir]
	step := min(max(minVerifyBatch, v.total[dir]/verifySteps), maxVerifyBatch)
	if len(w) == 0 || (v.left[dir] > 0 && len(w) < step) {
		return nil
	}
	delete(v.waiting, dir)
	return w
}

// flush waits for the read-backs in flight, then checks every file still
// waiting: those of folders whose other files the run never came to,
// having stopped early (see check for an ended ctx).
func (v *verifier) flush(ctx context.Context) error {
	berr := v.s.bulkFlush(ctx, v)
	if perr := v.proofs.wait(); berr == nil {
		berr = perr
	}
	v.mu.Lock()
	waiting := v.waiting
	v.waiting = map[string][]sentFile{}
	v.mu.Unlock()
	first := berr
	for dir, batch := range waiting {
		if err := v.check(ctx, dir, batch); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// check lists dir once and settles each file of batch by the size the
// listing shows. The error is one that stops the run: ctx's when it has
// ended, in which case the files, sent whole, are still checked (for a
// while, once) and kept, as a run that stops keeps what it did.
func (v *verifier) check(runCtx context.Context, dir string, batch []sentFile) error {
	if len(batch) == 0 {
		return nil
	}
	ctx, retry := runCtx, v.s.retry
	if runCtx.Err() != nil {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(context.WithoutCancel(runCtx), discardTimeout)
		defer cancel()
		retry.attempts = 1
	}
	var entries []domain.RemoteFile
	err := retry.do(ctx, v.s.log, "check "+dir, func(ctx context.Context) error {
		var lerr error
		entries, lerr = v.s.st.List(ctx, dir)
		return lerr
	})
	if err != nil {
		stop := ctx.Err() != nil || isFatal(err)
		if !stop {
			err = fmt.Errorf("check the uploaded file: %w", err)
		}
		for _, f := range batch {
			v.settle(ctx, f, domain.RemoteFile{}, err)
		}
		if runCtx.Err() != nil {
			return runCtx.Err()
		}
		if stop {
			return err
		}
		return nil
	}
	listed := make(map[string]domain.RemoteFile, len(entries))
	for _, e := range entries {
		listed[e.Path] = e
	}
	for _, f := range batch {
		rf, ok := listed[f.path]
		if !ok || rf.IsDir {
			// A server may list a name in another spelling (Unicode
			// normalisation, case): ask for the file itself.
			var serr error
			if rf, serr = v.s.st.Stat(ctx, f.path); serr != nil {
				if ctx.Err() == nil && !isFatal(serr) {
					serr = fmt.Errorf("check the uploaded file: %w", serr)
				}
				v.settle(ctx, f, rf, serr)
				continue
			}
		}
		v.settle(ctx, f, rf, nil)
	}
	return runCtx.Err()
}

// settle ends one file's check: a size other than the one sent fails it,
// and a fresh file that failed is deleted.
func (v *verifier) settle(ctx context.Context, f sentFile, rf domain.RemoteFile, err error) {
	if err == nil && (rf.IsDir || rf.Size != f.size) {
		err = domain.RemoteErrorf(domain.EUNAVAILABLE, "the server stored %d of %d bytes", max(rf.Size, 0), f.size)
	}
	if err != nil && f.fresh {
		v.s.discard(ctx, f.path)
	}
	if ctx.Err() != nil && err != nil {
		err = ctx.Err()
	}
	f.then(ctx, rf, err)
}

// putChecked sends an item (see sender.put, tried again by the retry
// policy) and hands it to v, which calls then once the server's size has
// been checked. A send that fails removes what it left at a fresh path
// and is given up. The error is the send's, or one that stops the run.
func (s *sender) putChecked(ctx context.Context, v *verifier, it sendItem, then func(ctx context.Context, rf domain.RemoteFile, sum string, err error)) error {
	if queued, err := s.bulkTake(ctx, v, it, then); queued {
		return err // a small new file goes in a bulk request (upload_bulk.go)
	}
	return s.putOne(ctx, v, it, then)
}

// putOne is putChecked by PUT. A send that is to be proven by reading it
// back is handed to v's proofPool once its bytes are sent, and the
// worker goes on (see upload_readback.go).
func (s *sender) putOne(ctx context.Context, v *verifier, it sendItem, then func(ctx context.Context, rf domain.RemoteFile, sum string, err error)) error {
	if err := v.proofs.stopped(); err != nil {
		return v.gaveUp(ctx, it.path, err) // a read-back stopped the run
	}
	var size int64
	var sum, stored string
	tries, later := 0, false
	err := s.retry.do(ctx, s.log, it.f.Path, func(ctx context.Context) error {
		tries++
		var err error
		if size, sum, stored, err = s.putBytes(ctx, it); err != nil {
			return err
		}
		if stored == "" && s.verifyMode().readsBack(it.path) {
			later = true
			return nil
		}
		return s.proveSent(ctx, it.path, size, sum, stored)
	})
	if err == nil && later {
		v.proofs.add(ctx, func(ctx context.Context) error {
			return s.readBack(ctx, v, it, size, sum, tries, then)
		})
		return nil
	}
	if err != nil {
		if it.fresh {
			s.discard(ctx, it.path)
		}
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return v.gaveUp(ctx, it.path, err)
	}
	return v.sent(ctx, sentFile{path: it.path, size: size, fresh: it.fresh,
		then: func(ctx context.Context, rf domain.RemoteFile, err error) { then(ctx, rf, sum, err) }})
}
