package app

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/rand/v2"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
)

// identifyAll finds out, for every item whose name or a numbered variant
// of it is in the remote folder, the size and SHA-1 of what it would send,
// and the SHA-1 of the remote files it could be identical to. Items with
// no such name need nothing: their name is free.
func (r *upload) identifyAll(ctx context.Context) error {
	family := map[string][]domain.RemoteFile{}
	for _, rf := range r.remote {
		k, base := domain.FoldName(rf.Name), domain.FoldName(domain.UnnumberedName(rf.Name))
		family[k] = append(family[k], rf)
		if base != k {
			family[base] = append(family[base], rf)
		}
	}
	return r.parallel(ctx, len(r.items), func(ctx context.Context, i int) error {
		it := r.items[i]
		name := path.Base(it.f.Path)
		var candidates []domain.RemoteFile
		for _, rf := range family[domain.FoldName(name)] {
			if _, ok := domain.NameNumber(name, rf.Name); ok && !rf.IsDir {
				candidates = append(candidates, rf)
			}
		}
		if len(candidates) == 0 {
			return nil
		}
		if err := r.identify(ctx, it); err != nil {
			if ctx.Err() != nil || isFatal(err) {
				return err
			}
			// Sending will fail the same way and say so.
			r.log.DebugContext(ctx, "upload: cannot tell the content of a file", "path", it.f.Path, "err", err)
			return nil
		}
		for _, rf := range candidates {
			if rf.Size == it.size && r.knownSum(rf) == "" {
				if err := r.hashRemote(ctx, rf); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

// identify sets the size and SHA-1 of what an item would send: the
// library file's, or for fit_N the resized copy's, which a record of an
// earlier upload of the same content at the same size gives without
// resizing again.
func (r *upload) identify(ctx context.Context, it *uploadItem) error {
	if it.f.SHA1 == "" { // never read by an index: read it now
		sum, err := r.hashFile(ctx, it.f.Path)
		if err != nil {
			return err
		}
		it.f.SHA1 = sum
	}
	if r.side == 0 || !domain.Resizable(it.f) {
		it.size, it.sha1 = it.f.Size, it.f.SHA1
		return nil
	}
	for _, rec := range r.ofFile[it.f.ID] {
		if rec.SourceSHA1 == it.f.SHA1 && rec.UploadSize == r.req.Options.Size && rec.SHA1 != "" {
			it.size, it.sha1 = rec.Size, rec.SHA1
			return nil
		}
	}
	b, err := r.resized(ctx, it.f)
	if err != nil {
		return err
	}
	if b == nil {
		it.size, it.sha1 = it.f.Size, it.f.SHA1
		return nil
	}
	sum := sha1.Sum(b)
	it.size, it.sha1 = int64(len(b)), hex.EncodeToString(sum[:])
	return nil
}

// knownSum returns a remote file's SHA-1 when it is known without
// downloading it: from the listing, from a download made earlier in this
// upload, or from the record of what photosync put there (trusted while
// the remote size is still the recorded one).
func (r *upload) knownSum(rf domain.RemoteFile) string {
	if algo, sum, ok := strings.Cut(rf.Checksum, ":"); ok && strings.EqualFold(algo, "SHA1") {
		return strings.ToLower(sum)
	}
	r.sumsMu.Lock()
	s := r.sums[rf.Path]
	r.sumsMu.Unlock()
	if s != nil {
		<-s.done // a download in flight ends with its own ctx
		if s.sha1 != "" {
			return s.sha1
		}
	}
	if rec, ok := r.atPath[rf.Path]; ok && rec.Size == rf.Size {
		return rec.SHA1
	}
	return ""
}

// hashRemote downloads a remote file once and keeps its SHA-1. A download
// that fails leaves it unknown, so the file counts as other content.
func (r *upload) hashRemote(ctx context.Context, rf domain.RemoteFile) error {
	r.sumsMu.Lock()
	s := r.sums[rf.Path]
	if s != nil {
		r.sumsMu.Unlock()
		<-s.done
		return nil
	}
	s = &remoteSum{done: make(chan struct{})}
	r.sums[rf.Path] = s
	r.sumsMu.Unlock()
	defer close(s.done)
	body, _, err := r.st.Download(ctx, rf.Path)
	if err == nil {
		h := sha1.New()
		var n int64
		n, err = io.Copy(h, body)
		body.Close()
		if err == nil && n == rf.Size {
			s.sha1 = hex.EncodeToString(h.Sum(nil))
		}
	}
	if err != nil && (ctx.Err() != nil || isFatal(err)) {
		return err
	}
	if err != nil {
		r.log.WarnContext(ctx, "upload: cannot read a remote file to compare it", "path", rf.Path, "err", err)
	}
	return nil
}

// sendOne sends one item and counts its outcome. It returns an error only
// to stop the whole upload: a fatal server answer, or ctx ending, in which
// case the item is not counted.
func (r *upload) sendOne(ctx context.Context, it *uploadItem) error {
	err := r.transfer(ctx, it)
	switch {
	case err == nil:
		r.p.FileDone(it.f.Path, Uploaded, nil)
		r.log.DebugContext(ctx, "uploaded", "path", it.f.Path, "remote", it.path)
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case isFatal(err):
		return err
	}
	r.log.WarnContext(ctx, "upload failed", "path", it.f.Path, "remote", it.path, "err", err)
	r.p.FileDone(it.f.Path, Failed, err)
	return nil
}

// transfer sends an item, trying again while the server is busy, checks
// the size the server stored and records the upload.
func (r *upload) transfer(ctx context.Context, it *uploadItem) error {
	var resized []byte
	if r.side > 0 && domain.Resizable(it.f) {
		b, err := r.resized(ctx, it.f)
		if err != nil {
			return err
		}
		if b != nil {
			resized = b
			r.p.AddTotal(0, int64(len(b))-it.f.Size)
		}
	}
	attempts, delay := r.Attempts, r.RetryDelay
	if attempts <= 0 {
		attempts = 3
	}
	if delay <= 0 {
		delay = time.Second
	}
	for attempt := 1; ; attempt++ {
		size, sum, err := r.put(ctx, it, resized)
		if err == nil {
			if resized == nil {
				it.f.SHA1 = sum // what was read, should the file have changed since the index
			}
			return r.verify(ctx, it, size, sum)
		}
		if ctx.Err() != nil || attempt >= attempts || !retryable(err) {
			r.discard(ctx, it.path)
			return err
		}
		r.log.DebugContext(ctx, "upload: trying again", "path", it.f.Path, "attempt", attempt+1, "err", err)
		jitter := time.Duration(rand.Int64N(int64(delay)/4 + 1))
		select {
		case <-ctx.Done():
			r.discard(ctx, it.path)
			return ctx.Err()
		case <-time.After(delay + jitter):
		}
		delay *= 2
	}
}

// put sends the item's bytes once, opening the file anew, and returns how
// many were sent and their SHA-1.
func (r *upload) put(ctx context.Context, it *uploadItem, resized []byte) (int64, string, error) {
	var body io.Reader
	var size int64
	meta := domain.UploadMeta{ModTime: it.f.ModTime}
	if resized != nil {
		body, size = bytes.NewReader(resized), int64(len(resized))
		sum := sha1.Sum(resized)
		meta.SHA1 = hex.EncodeToString(sum[:])
	} else {
		rc, err := r.library.Open(ctx, it.f.Path)
		if domain.ErrorCode(err) == domain.ENOTFOUND {
			return 0, "", domain.Errorf(domain.ENOTFOUND, "not sent: %s", domain.ProblemMissing)
		}
		if err != nil {
			return 0, "", err
		}
		defer rc.Close()
		if size, err = rc.Seek(0, io.SeekEnd); err == nil {
			_, err = rc.Seek(0, io.SeekStart)
		}
		if err != nil {
			return 0, "", fmt.Errorf("read %s: %w", it.f.Path, err)
		}
		if size == 0 {
			return 0, "", domain.Errorf(domain.EINVALID, "not sent: %s", domain.ProblemEmpty)
		}
		if size == it.f.Size {
			meta.SHA1 = it.f.SHA1
		}
		body = rc
	}
	cr := &countingReader{r: body, h: sha1.New(), p: r.p}
	err := r.st.Upload(ctx, it.path, cr, size, meta)
	sent, sum := cr.stop()
	if err != nil {
		r.p.AddBytes(-sent) // counted again by the next try
		return 0, "", err
	}
	if sent != size {
		return 0, "", domain.RemoteErrorf(domain.EUNAVAILABLE, "the server answered before it received the whole file (%d of %d bytes)", sent, size)
	}
	return size, sum, nil
}

// verify checks the size the server stored and records the upload. A file
// stored short, or one that cannot be checked, is removed from the server.
func (r *upload) verify(ctx context.Context, it *uploadItem, size int64, sum string) error {
	rf, err := r.st.Stat(ctx, it.path)
	if err != nil {
		r.discard(ctx, it.path)
		if ctx.Err() != nil || isFatal(err) {
			return err
		}
		return fmt.Errorf("check the uploaded file: %w", err)
	}
	if rf.Size != size {
		r.discard(ctx, it.path)
		return domain.RemoteErrorf(domain.EUNAVAILABLE, "the server stored %d of %d bytes", rf.Size, size)
	}
	if err := r.record(ctx, it, size, sum); err != nil {
		return fmt.Errorf("record the upload of %s: %w", it.f.Path, err)
	}
	return nil
}

// discard removes what a failed or cancelled upload may have left at a
// remote path, which was free before the upload. Best effort: it runs on
// after ctx ends, for a while.
func (r *upload) discard(ctx context.Context, p string) {
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if err := r.st.Delete(dctx, p); err != nil && domain.ErrorCode(err) != domain.ENOTFOUND {
		r.log.WarnContext(ctx, "upload: could not remove an incomplete file from the server", "remote", p, "err", err)
	}
}

// parallel calls fn for 0..n-1 on at most Parallel goroutines. The first
// error fn returns stops the others (their ctx is cancelled) and is
// returned.
func (r *upload) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	workers := r.Parallel
	if workers <= 0 {
		workers = 4
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
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

// countingReader counts the bytes of an upload into its job's progress
// and hashes them. The HTTP client may still read after the upload
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
	c.h.Write(b[:n])
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
	return c.total, hex.EncodeToString(c.h.Sum(nil))
}
