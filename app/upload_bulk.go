package app

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"io"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// This file sends small new files in bulk requests (Nextcloud's bulk
// upload, ports.BulkUploader) rather than a PUT each, where the storage
// has them and allows them (BulkUsable: in the WebDAV adapter unless
// PHOTOSYNC_BULK_UPLOAD=off, as they were measured faster than PUTs
// keeping the session, docs/performance.md): the sender's workers queue
// such files (read into memory) instead of sending them, and the worker
// whose file fills a batch sends it in one request. Each file of the batch
// gets its own result: stored, or its own failure.
//
// A file answered stored is proven by the server's MD5 check of the bytes
// it received and wrote (see bulkProve), the first file of each request
// also by the server's hash of its stored copy (ports.StoredHasher,
// Nextcloud's PATCH X-Recalculate-Hash: one small request, no bytes back):
// a canary for a server whose bulk path stores other bytes than it
// checked. A file proven to hold other bytes is removed and sent again by
// PUT, bulk upload is given up for the run, and every file still to
// settle is proven by the server's hash of its stored copy. At the first
// sign of trouble with bulk requests the storage gives them up (SendBulk
// answers NotSent) and the files go by PUT, as do files too large for a
// batch or replacing a server file.

// Batches: up to bulkMaxFiles files of up to bulkMaxFile bytes, and
// bulkMaxBytes in all (the adapter's own bound is 16 MiB).
const (
	bulkMaxFile  = 4 << 20
	bulkMaxFiles = 32
	bulkMaxBytes = 12 << 20
	bulkProofs   = 4 // proofs asked for at once after a batch
	// bulkMinFiles: a last batch of fewer files goes by PUT, which is
	// proven by its own answer: a bulk request of one file makes two
	// requests of it (and the POST pays a password check of its own).
	bulkMinFiles = 4
)

// bulkQueue is the batch being filled for one run (a verifier's).
type bulkQueue struct {
	mu      sync.Mutex
	off     bool // given up for this run
	noPatch bool // the server cannot hash a stored file: read back instead
	pending []bulkEntry
	bytes   int64
}

// bulkEntry is a queued file.
type bulkEntry struct {
	it   sendItem
	data []byte
	sum  string // SHA-1 of data
	then func(ctx context.Context, rf domain.RemoteFile, sum string, err error)
}

// bulkTake queues it for a bulk request when it can go in one, and sends
// the batch when it is full. handled is false when the item is to be sent
// by PUT; err is one that stops the run.
func (s *sender) bulkTake(ctx context.Context, v *verifier, it sendItem, then func(context.Context, domain.RemoteFile, string, error)) (handled bool, err error) {
	bu, ok := s.st.(ports.BulkUploader)
	q := &v.bulk
	q.mu.Lock()
	off := q.off
	q.mu.Unlock()
	size := it.f.Size
	if it.resized != nil {
		size = int64(len(it.resized))
	}
	if !ok || off || !it.fresh || size <= 0 || size > bulkMaxFile || ctx.Err() != nil || !bu.BulkUsable(ctx) {
		return false, nil
	}
	data := it.resized
	if data == nil {
		if data, err = s.readSmall(ctx, it.f); err != nil || len(data) == 0 || len(data) > bulkMaxFile {
			return false, nil // the PUT says what is wrong
		}
	}
	h := sha1.Sum(data)
	q.mu.Lock()
	q.pending = append(q.pending, bulkEntry{it: it, data: data, sum: hex.EncodeToString(h[:]), then: then})
	q.bytes += int64(len(data))
	var batch []bulkEntry
	if len(q.pending) >= bulkMaxFiles || q.bytes >= bulkMaxBytes {
		batch, q.pending, q.bytes = q.pending, nil, 0
	}
	q.mu.Unlock()
	return true, s.bulkSend(ctx, v, bu, batch)
}

// readSmall reads a small library file whole.
func (s *sender) readSmall(ctx context.Context, f domain.LibraryFile) ([]byte, error) {
	rc, err := s.library.Open(ctx, f.Path)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(io.LimitReader(rc, bulkMaxFile+1))
}

// bulkFlush sends what is queued; the error is one that stops the run.
func (s *sender) bulkFlush(ctx context.Context, v *verifier) error {
	q := &v.bulk
	q.mu.Lock()
	batch := q.pending
	q.pending, q.bytes = nil, 0
	q.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	if len(batch) < bulkMinFiles {
		return runParallel(ctx, bulkProofs, len(batch), func(ctx context.Context, i int) error {
			return s.bulkByPut(ctx, v, batch[i])
		})
	}
	return s.bulkSend(ctx, v, s.st.(ports.BulkUploader), batch)
}

// bulkSend sends a batch in bulk requests and settles each file: proven
// and handed to the verifier, failed, or sent again by PUT.
func (s *sender) bulkSend(ctx context.Context, v *verifier, bu ports.BulkUploader, batch []bulkEntry) error {
	if len(batch) == 0 {
		return nil
	}
	if ctx.Err() != nil {
		for _, e := range batch {
			_ = v.gaveUp(ctx, e.it.path, nil)
			e.then(ctx, domain.RemoteFile{}, "", ctx.Err())
		}
		return ctx.Err()
	}
	files := make([]ports.BulkFile, len(batch))
	for i, e := range batch {
		files[i] = ports.BulkFile{Path: e.it.path, Data: e.data, Meta: domain.UploadMeta{ModTime: e.it.f.ModTime, SHA1: e.sum}}
	}
	res := bu.SendBulk(ctx, files)
	// The request's first file is settled first: its proof is the canary
	// that decides how the others are proven (bulkProve).
	if err := s.bulkSettle(ctx, v, batch[0], res[0], true); err != nil {
		return err
	}
	return runParallel(ctx, bulkProofs, len(batch)-1, func(ctx context.Context, i int) error {
		return s.bulkSettle(ctx, v, batch[i+1], res[i+1], false)
	})
}

// bulkSettle settles one file of a bulk request by its result; canary
// tells it is the request's first file (see bulkProve).
func (s *sender) bulkSettle(ctx context.Context, v *verifier, e bulkEntry, r ports.BulkResult, canary bool) error {
	size := int64(len(e.data))
	switch {
	case r.NotSent:
		return s.bulkByPut(ctx, v, e)
	case r.Err != nil:
		s.p.AddBytes(size) // sent, and undone by then
		if e.it.fresh && !isFatal(r.Err) {
			s.discard(ctx, e.it.path)
		}
		cerr := v.gaveUp(ctx, e.it.path, nil)
		e.then(ctx, domain.RemoteFile{}, "", r.Err)
		if isFatal(r.Err) {
			return r.Err
		}
		return cerr
	}
	s.p.AddBytes(size)
	proven, byServer, err := s.bulkProve(ctx, v, e.it.path, size, e.sum, r.Checked, canary)
	if err != nil {
		s.p.AddBytes(-size)
		if ctx.Err() != nil || isFatal(err) {
			_ = v.gaveUp(ctx, e.it.path, nil)
			e.then(ctx, domain.RemoteFile{}, "", err)
			return err
		}
		// Not proven (another copy, or no answer): removed, and sent again
		// by PUT, which proves what it stores.
		s.log.WarnContext(ctx, "upload: a file sent in a bulk request is not proven; sending it again by PUT", "remote", e.it.path, "err", err)
		s.discard(ctx, e.it.path)
		return s.bulkByPut(ctx, v, e)
	}
	s.proofs.record(ctx, e.it.path, size, proven, byServer)
	return v.sent(ctx, sentFile{path: e.it.path, size: size, fresh: e.it.fresh,
		then: func(ctx context.Context, rf domain.RemoteFile, err error) { e.then(ctx, rf, e.sum, err) }})
}

// bulkByPut sends a queued file by PUT after all; its failure is settled
// here, as the worker that queued it has gone on.
func (s *sender) bulkByPut(ctx context.Context, v *verifier, e bulkEntry) error {
	err := s.putOne(ctx, v, e.it, e.then)
	if err == nil {
		return nil
	}
	e.then(ctx, domain.RemoteFile{}, "", err)
	if ctx.Err() != nil || isFatal(err) {
		return err
	}
	return nil
}

// bulkProve proves a file stored by a bulk request holds the bytes whose
// SHA-1 is sent. A file the server answered stored after checking the
// MD5 of the bytes it received (checked: ports.BulkResult.Checked) is
// proven by that check, unless it is its request's first (canary): the server's
// hash of the bytes it handed to its storage, the same evidence as the
// X-Hash-SHA1 that proves a PUT (Nextcloud computes both over the bytes
// as it reads them from the request; neither reads the disk back), the
// sent SHA-1 being of the very bytes whose MD5 was sent. The canary, in
// every verify mode, is proven by the server's hash of its stored
// copy (ports.StoredHasher, Nextcloud's PATCH X-Recalculate-Hash), so a
// server whose bulk path writes other bytes than it checked is caught at
// its first request; once a copy was proven to differ, bulk upload is
// given up for the run and every file still to settle is proven that way.
// Without the check, as the verify mode asks: by the server's hash of its
// stored copy where it can make one, else by reading it back; "" when only
// the size will be checked. byServer tells the server hashed it. A
// manual upload's sender proves every file as a canary (hashEachBulk).
func (s *sender) bulkProve(ctx context.Context, v *verifier, p string, size int64, sent string, checked, canary bool) (string, bool, error) {
	q := &v.bulk
	q.mu.Lock()
	suspect := q.off
	q.mu.Unlock()
	if checked && !canary && !suspect && !s.hashEachBulk {
		return sent, true, nil
	}
	if !checked && !s.verifyMode().readsBack(p) {
		return "", false, nil
	}
	var stored string
	byServer := false
	err := s.retry.do(ctx, s.log, "prove "+p, func(ctx context.Context) error {
		q.mu.Lock()
		noPatch := q.noPatch
		q.mu.Unlock()
		if h, ok := s.st.(ports.StoredHasher); ok && !noPatch {
			sum, err := h.StoredSHA1(ctx, p)
			if err == nil {
				stored, byServer = sum, true
				return nil
			}
			if ctx.Err() != nil || isFatal(err) || retryable(err) {
				return err
			}
			s.log.InfoContext(ctx, "upload: the server cannot hash a stored file; reading files back to prove them", "err", err)
			q.mu.Lock()
			q.noPatch = true
			q.mu.Unlock()
		}
		sum, n, err := readRemoteSHA1(ctx, s.st, p)
		if err == nil && n != size {
			return domain.RemoteErrorf(domain.EUNAVAILABLE, "the server stored %d of %d bytes", n, size)
		}
		stored, byServer = sum, false
		return err
	})
	if err != nil {
		return "", false, err
	}
	if stored != sent {
		q.mu.Lock()
		q.off = true
		q.mu.Unlock()
		return "", false, errStoredOther(p, stored, sent)
	}
	return stored, byServer, nil
}
