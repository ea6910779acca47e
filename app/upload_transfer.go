package app

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"path"

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
		name, _ := domain.UploadAs(it.f, r.side)
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
				if err := r.readError(rf); err != nil {
					it.undecided = fmt.Errorf("cannot tell whether %s on the server is this file, so it is neither sent beside it nor skipped: %w", rf.Path, err)
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
		sum, err := hashLibrary(ctx, r.library, it.f.Path)
		if err != nil {
			return err
		}
		it.f.SHA1 = sum
	}
	if _, resized := domain.UploadAs(it.f, r.side); !resized {
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
// downloading it: from the listing (a hash the server keeps), or from a
// download made earlier in this upload. The record of what photosync put
// there is no proof of what the server holds now, so it is never used.
func (r *upload) knownSum(rf domain.RemoteFile) string {
	if sum := rf.Checksum.SHA1(); sum != "" {
		return sum
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
	err := r.sender.retry.do(ctx, r.log, rf.Path, func(ctx context.Context) error {
		sum, n, err := readRemoteSHA1(ctx, r.st, rf.Path)
		if err == nil && n != rf.Size {
			sum = "" // changed while it was read: other content
		}
		s.sha1 = sum
		return err
	})
	if err != nil && (ctx.Err() != nil || isFatal(err)) {
		return err
	}
	if err != nil {
		s.sha1, s.err = "", err
		r.log.WarnContext(ctx, "upload: cannot read a remote file to compare it", "path", rf.Path, "err", err)
	}
	return nil
}

// readError is why a remote file could not be read to hash it, or nil.
func (r *upload) readError(rf domain.RemoteFile) error {
	r.sumsMu.Lock()
	s := r.sums[rf.Path]
	r.sumsMu.Unlock()
	if s == nil {
		return nil
	}
	<-s.done
	return s.err
}

// sendOne sends one item, and counts its outcome once the server's size
// has been checked (see verifier). It returns an error only to stop the
// whole upload: a fatal server answer, or ctx ending, in which case the
// item is not counted.
func (r *upload) sendOne(ctx context.Context, it *uploadItem) error {
	if err := r.transfer(ctx, it); err != nil {
		return r.settle(ctx, it, err)
	}
	return nil
}

// settle counts an item whose transfer failed with err, and returns err
// when it stops the whole upload (uncounted then).
func (r *upload) settle(ctx context.Context, it *uploadItem, err error) error {
	switch {
	case ctx.Err() != nil:
		return ctx.Err()
	case isFatal(err):
		return err
	}
	r.log.WarnContext(ctx, "upload failed", "path", it.f.Path, "remote", it.path, "err", err)
	r.p.FileDone(it.f.Path, Failed, err)
	return nil
}

// transfer sends an item (resized for fit_N), trying again while the
// server is busy, and hands it to the verifier, which checks the size the
// server stored; the upload is recorded and counted after that check. An
// error is the send's (the item was given up, not counted yet) or one that
// stops the whole upload.
func (r *upload) transfer(ctx context.Context, it *uploadItem) error {
	var resized []byte
	if name, resize := domain.UploadAs(it.f, r.side); resize {
		b, err := r.resized(ctx, it.f)
		if err == nil && b == nil && name != path.Base(it.f.Path) {
			// Named as a JPEG copy, but the image fits already: its own
			// bytes would go up under a JPEG's name.
			err = domain.Errorf(domain.EINVALID, "%s is smaller than the index said: not sent as a JPEG copy", it.f.Path)
		}
		if err != nil {
			return r.verify.gaveUp(ctx, it.path, err)
		}
		if b != nil {
			resized = b
			r.p.AddTotal(0, int64(len(b))-it.f.Size)
		}
	}
	return r.sender.putChecked(ctx, r.verify, sendItem{f: it.f, resized: resized, path: it.path, fresh: true},
		func(ctx context.Context, rf domain.RemoteFile, sum string, err error) {
			if err == nil {
				if resized == nil {
					it.f.SHA1 = sum // what was read, should the file have changed since the index
				}
				if err = r.record(ctx, it, rf.Size, sum); err != nil {
					err = fmt.Errorf("record the upload of %s: %w", it.f.Path, err)
				}
			}
			if err != nil {
				// Its bytes were sent, and are not uploaded (a failed
				// read-back took them back already).
				sent := it.f.Size
				if resized != nil {
					sent = int64(len(resized))
				}
				if !takenBack(err) {
					r.p.Unsent(sent)
				}
				_ = r.settle(ctx, it, err) // a run-stopping error is returned by putChecked
				return
			}
			// Done once the server has shown it holds the whole file.
			r.p.Confirmed(it.f.Path, rf.Size)
			r.log.DebugContext(ctx, "uploaded", "path", it.f.Path, "remote", it.path)
		})
}

// parallel calls fn for 0..n-1 on at most Parallel goroutines (see
// runParallel).
func (r *upload) parallel(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	return runParallel(ctx, r.Parallel, n, fn)
}
