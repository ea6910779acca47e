package app

// This file holds what the manual upload and the sync share to move
// files: the retry policy within a run, the sender that puts library
// files on a server, and the pool of workers.

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// retryPolicy is how a transfer is tried again within one run, shared by
// the manual upload and the sync: while the server answers EUNAVAILABLE
// (busy, failing, or the connection broke), after domain.Backoff from
// delay with jitter, or after the server's Retry-After when it asked for
// longer. A server that asks for more than maxWait is not waited for: the
// transfer fails for this run, and a sync tries it on a later one.
type retryPolicy struct {
	attempts int           // tries in all; 3 when 0
	delay    time.Duration // the wait before the second try; one second when 0
	maxDelay time.Duration // the longest wait of the backoff; 30 seconds when 0
	maxWait  time.Duration // the longest Retry-After honoured; 2 minutes when 0
}

func (rp retryPolicy) withDefaults() retryPolicy {
	if rp.attempts <= 0 {
		rp.attempts = 3
	}
	if rp.delay <= 0 {
		rp.delay = time.Second
	}
	if rp.maxDelay <= 0 {
		rp.maxDelay = 30 * time.Second
	}
	if rp.maxWait <= 0 {
		rp.maxWait = 2 * time.Minute
	}
	return rp
}

// do calls try until it succeeds, fails with an error that trying again
// cannot mend, the tries run out or ctx ends; it returns try's last
// error, or ctx's when ctx ended during a wait. what names the transfer
// in debug logs.
func (rp retryPolicy) do(ctx context.Context, log *slog.Logger, what string, try func(ctx context.Context) error) error {
	return rp.doFrom(ctx, log, what, 1, try)
}

// doFrom is do with try's first call counted as attempt first: a
// transfer whose first attempts were made elsewhere (see proofPool) goes
// on with the tries and waits it has left.
func (rp retryPolicy) doFrom(ctx context.Context, log *slog.Logger, what string, first int, try func(ctx context.Context) error) error {
	rp = rp.withDefaults()
	for attempt := max(first, 1); ; attempt++ {
		err := try(ctx)
		if err == nil || ctx.Err() != nil || attempt >= rp.attempts || !retryable(err) {
			return err
		}
		wait := domain.Backoff(attempt, rp.delay, rp.maxDelay, rand.Float64())
		if asked := domain.RetryAfter(err); asked > rp.maxWait {
			return err
		} else if asked > wait {
			wait = asked
		}
		log.DebugContext(ctx, "trying again", "what", what, "attempt", attempt+1, "wait", wait, "err", err)
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		}
	}
}

// retryable reports whether a failed transfer may work when tried again:
// the server was busy or failing, or the connection broke; not a server
// without space (507), which the next run tries again.
func retryable(err error) bool {
	return domain.IsRemote(err) && domain.ErrorCode(err) == domain.EUNAVAILABLE && !errors.Is(err, context.Canceled) && !noSpace(err)
}

// isFatal reports whether err stops a whole upload or sync: the server
// refused the credentials, so every other file would fail the same way.
func isFatal(err error) bool {
	code := domain.ErrorCode(err)
	return domain.IsRemote(err) && (code == domain.EUNAUTHORIZED || code == domain.EFORBIDDEN)
}

// sender puts library files on a server, for the manual upload and the
// sync. Every PUT declares the exact length of what it sends; a busy
// server is tried again by the retry policy, the file opened anew each
// time; the size the server stored is checked after. A send to a path
// that was free before (fresh) removes what it may have left there when
// it fails or is cancelled, so no partial file stays on the server.
type sender struct {
	st      ports.RemoteStorage
	library ports.Library
	p       *Progress
	log     *slog.Logger
	retry   retryPolicy
	proof   VerifyMode     // how an upload is proven without a server hash
	proofs  *proofRecorder // records each proven upload; nil records none
	// parallel is how many files are sent at once (4 when 0), and so how
	// many read-backs are in flight at most (see proofPool).
	parallel int
	// hashEachBulk has every file sent in a bulk request proven by the
	// server's hash of its stored copy, not only each request's first
	// (see bulkProve): the manual upload's, whose next upload of the same
	// photos compares them with the server's files by the checksum the
	// server keeps, which that hash stores (a bulk request stores none).
	hashEachBulk bool
}

// sendItem is one file to send: a library file, or the resized copy of
// one, and where it goes.
type sendItem struct {
	f       domain.LibraryFile
	resized []byte // nil to send the library file as it is
	path    string // the remote path
	fresh   bool   // nothing was at path before the send
}

// send sends an item and returns the file the server stored, as it
// lists it after the upload, and the SHA-1 of the bytes sent. ctx's error
// when ctx ended.
func (s *sender) send(ctx context.Context, it sendItem) (domain.RemoteFile, string, error) {
	var size int64
	var sum string
	err := s.retry.do(ctx, s.log, it.f.Path, func(ctx context.Context) error {
		var err error
		size, sum, err = s.put(ctx, it)
		return err
	})
	var rf domain.RemoteFile
	if err == nil {
		rf, err = s.verify(ctx, it, size)
	}
	if err != nil {
		if it.fresh {
			s.discard(ctx, it.path)
		}
		if ctx.Err() != nil {
			return rf, "", ctx.Err()
		}
		return rf, "", err
	}
	return rf, sum, nil
}

// put sends the item's bytes once, opening the file anew, proves them
// (see prove), and returns how many were sent and their SHA-1.
func (s *sender) put(ctx context.Context, it sendItem) (int64, string, error) {
	size, sum, stored, err := s.putBytes(ctx, it)
	if err != nil {
		return 0, "", err
	}
	if err := s.proveSent(ctx, it.path, size, sum, stored); err != nil {
		return 0, "", err
	}
	return size, sum, nil
}

// putBytes sends the item's bytes once, opening the file anew, and
// returns how many were sent, their SHA-1 and the SHA-1 the server
// computed of what it stored ("" when it gave none). The bytes are not
// proven yet: see proveSent.
func (s *sender) putBytes(ctx context.Context, it sendItem) (int64, string, string, error) {
	var body io.Reader
	var size int64
	known := false // the SHA-1 of the bytes is the index's: no need to hash them again
	meta := domain.UploadMeta{ModTime: it.f.ModTime}
	if it.resized != nil {
		body, size = bytes.NewReader(it.resized), int64(len(it.resized))
		sum := sha1.Sum(it.resized)
		meta.SHA1 = hex.EncodeToString(sum[:])
	} else {
		rc, err := s.library.Open(ctx, it.f.Path)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return 0, "", "", domain.Errorf(domain.ENOTFOUND, "not sent: %s", domain.ProblemMissing)
		}
		if err != nil {
			return 0, "", "", err
		}
		defer rc.Close()
		if size, err = rc.Seek(0, io.SeekEnd); err == nil {
			_, err = rc.Seek(0, io.SeekStart)
		}
		if err != nil {
			return 0, "", "", fmt.Errorf("read %s: %w", it.f.Path, err)
		}
		if size == 0 {
			return 0, "", "", domain.Errorf(domain.EINVALID, "not sent: %s", domain.ProblemEmpty)
		}
		if size == it.f.Size {
			meta.SHA1 = it.f.SHA1
		}
		body = rc
		known = unchangedSince(rc, it.f, size)
	}
	cr := &countingReader{r: body, p: s.p}
	if !known {
		cr.h = sha1.New()
	}
	var upload io.Reader = cr
	if f, ok := body.(readerAtSeeker); ok {
		upload = &countingFile{countingReader: cr, f: f}
	}
	stored, err := s.upload(ctx, it.path, upload, size, meta)
	sent, sum := cr.stop()
	if known {
		sum = it.f.SHA1
	}
	if err != nil {
		s.p.AddBytes(-sent) // counted again by the next try
		return 0, "", "", err
	}
	if sent != size {
		return 0, "", "", domain.RemoteErrorf(domain.EUNAVAILABLE, "the server answered before it received the whole file (%d of %d bytes)", sent, size)
	}
	return size, sum, stored, nil
}

// proveSent proves the size bytes with SHA-1 sum just sent to p (see
// prove; stored is the server's SHA-1 of them, or "") and records the
// proof. The transfer counts once the content stored is proven, never on
// the strength of having sent it: bytes not proven are taken back out of
// the progress, to be counted again by the next try.
func (s *sender) proveSent(ctx context.Context, p string, size int64, sum, stored string) error {
	proven, err := s.prove(ctx, p, size, sum, stored)
	if err != nil {
		s.p.AddBytes(-size)
		return err
	}
	s.proofs.record(ctx, p, size, proven, stored != "")
	return nil
}

// unchangedSince reports whether an open library file is still as the
// index saw it (same size and modification time, as the index itself
// decides), so that the SHA-1 the index computed is the SHA-1 of its bytes.
func unchangedSince(rc io.Reader, f domain.LibraryFile, size int64) bool {
	st, ok := rc.(interface{ Stat() (fs.FileInfo, error) })
	if !ok || f.SHA1 == "" || size != f.Size {
		return false
	}
	fi, err := st.Stat()
	return err == nil && fi.Size() == f.Size && fi.ModTime().Equal(f.ModTime)
}

// verify checks the size the server stored and returns the stored file.
func (s *sender) verify(ctx context.Context, it sendItem, size int64) (domain.RemoteFile, error) {
	rf, err := s.st.Stat(ctx, it.path)
	if err != nil {
		if ctx.Err() != nil || isFatal(err) {
			return rf, err
		}
		return rf, fmt.Errorf("check the uploaded file: %w", err)
	}
	if rf.Size != size {
		return rf, domain.RemoteErrorf(domain.EUNAVAILABLE, "the server stored %d of %d bytes", rf.Size, size)
	}
	return rf, nil
}

// discardTimeout bounds the clean-up work a run does after its ctx ended:
// removing an incomplete file, checking files sent whole.
const discardTimeout = 30 * time.Second

// discard removes what a failed or cancelled upload may have left at a
// remote path, which was free before the upload. Best effort: it runs on
// after ctx ends, for a while.
func (s *sender) discard(ctx context.Context, p string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), discardTimeout)
	defer cancel()
	if err := s.st.Delete(dctx, p); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		s.log.WarnContext(ctx, "could not remove an incomplete file from the server", "remote", p, "err", err)
	}
}

// errWorkersDone is the cause of the end of runParallel's ctx once every
// call returned: work the calls handed on (a read-back, see proofPool)
// goes on after it, unlike work of a run that stopped.
var errWorkersDone = errors.New("the workers are done")

// runParallel calls fn for 0..n-1 on at most workers goroutines (4 when
// workers is 0). The first error fn returns stops the others (their ctx
// is cancelled) and is returned.
func runParallel(ctx context.Context, workers, n int, fn func(ctx context.Context, i int) error) error {
	if workers <= 0 {
		workers = 4
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(errWorkersDone)
	next := make(chan int)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for range min(workers, n) {
		wg.Go(func() {
			for i := range next {
				if err := fn(ctx, i); err != nil {
					once.Do(func() { first = err; cancel(err) })
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if first != nil {
		return first
	}
	return context.Cause(ctx)
}

type readerAtSeeker interface {
	io.ReaderAt
	io.Seeker
}

// countingFile is the countingReader of a file that can also be read at
// offsets: a chunked upload reads it through with Read (counted and hashed
// here, as chunks reach the server) and sends chunks, several at once,
// with ReadAt, which is not counted.
type countingFile struct {
	*countingReader
	f readerAtSeeker
}

func (c *countingFile) ReadAt(p []byte, off int64) (int, error) { return c.f.ReadAt(p, off) }

// Seek only tells where the file stands: moving it would put Read and the
// count out of step.
func (c *countingFile) Seek(offset int64, whence int) (int64, error) {
	if offset != 0 || whence != io.SeekCurrent {
		return 0, errors.New("upload: the body cannot be moved")
	}
	return c.f.Seek(0, io.SeekCurrent)
}

// countingReader counts the bytes of a transfer into its job's progress
// and, when it has a hash, hashes them. The HTTP client may still read after the upload
// returned (a server that answered early); stop ends that.
type countingReader struct {
	mu      sync.Mutex
	r       io.Reader
	h       hash.Hash
	p       *Progress
	total   int64
	pending int64
	stopped bool
}

// progressStep is how many bytes are counted at once, so that a job's
// progress is not published for every read.
const progressStep = 256 << 10

func (c *countingReader) Read(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stopped {
		return 0, errors.New("upload: read after the request ended")
	}
	n, err := c.r.Read(b)
	if c.h != nil {
		c.h.Write(b[:n])
	}
	c.total += int64(n)
	c.pending += int64(n)
	if c.pending >= progressStep || err != nil {
		c.p.AddBytes(c.pending)
		c.pending = 0
	}
	return n, err
}

// stop ends reading and returns the bytes read and their SHA-1.
func (c *countingReader) stop() (int64, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stopped = true
	if c.pending > 0 {
		c.p.AddBytes(c.pending)
		c.pending = 0
	}
	if c.h == nil {
		return c.total, ""
	}
	return c.total, hex.EncodeToString(c.h.Sum(nil))
}
