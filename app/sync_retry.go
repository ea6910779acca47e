package app

import (
	"context"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/photosync/photosync/domain"
)

// This file keeps a run's records: the pairs of the files it moved, the
// deletions it remembered and the failures it counted, saved in batches;
// and the use cases on them: the failed files, and a person's retry and
// restore.

// failureKey is what a failure record is found by, as the planner does:
// a download's remote path, an upload's library path.
type failureKey struct {
	dir  domain.SyncDirection
	path string
}

func keyOf(f domain.SyncFailure) failureKey {
	if f.Direction == domain.SyncUp {
		return failureKey{domain.SyncUp, f.LocalPath}
	}
	return failureKey{f.Direction, f.RemotePath}
}

// failureOf returns the failure record an action's failure goes to, with
// the key it has: its direction's (keep_both counts as a download).
func failureOf(a domain.Account, act domain.SyncAction) (failureKey, domain.SyncFailure) {
	dir := act.Direction
	if dir == "" {
		dir = domain.SyncDown
		if act.Op == domain.OpUpload || act.Op == domain.OpUploadAgain {
			dir = domain.SyncUp
		}
	}
	f := domain.SyncFailure{AccountID: a.ID, Direction: dir, LocalPath: act.LocalPath, RemotePath: act.RemotePath}
	return keyOf(f), f
}

// failureKeysOf returns the keys of the failure records an action's
// success clears: those the planner held it back by.
func failureKeysOf(act domain.SyncAction) []failureKey {
	return []failureKey{{domain.SyncDown, act.RemotePath}, {domain.SyncUp, act.LocalPath}}
}

// pathOf names an action's file for people: its library path, else its
// remote path.
func pathOf(act domain.SyncAction) string {
	if act.LocalPath != "" {
		return act.LocalPath
	}
	return act.RemotePath
}

// moved counts what one action moved.
type moved struct {
	down, up           int
	bytesDown, bytesUp int64
}

// succeeded counts an action that moved its file, records its pairs and
// clears its failure record.
func (x *syncExec) succeeded(ctx context.Context, act domain.SyncAction, m moved, pairs ...domain.SyncPair) {
	rec := records{pairs: pairs, transferred: 1}
	x.mu.Lock()
	x.run.Downloaded += m.down
	x.run.Uploaded += m.up
	x.run.BytesDown += m.bytesDown
	x.run.BytesUp += m.bytesUp
	for _, k := range failureKeysOf(act) {
		if f, ok := x.failures[k]; ok {
			rec.cleared = append(rec.cleared, f)
			delete(x.failures, k)
		}
	}
	for _, p := range pairs {
		x.pairMap()[p.RemotePath] = p
		x.pairedNow[p.LocalPath] = true
	}
	x.mu.Unlock()
	outcome := Uploaded
	if m.down > 0 {
		outcome = Downloaded
	}
	x.p.FileDone(pathOf(act), outcome, nil)
	x.log.DebugContext(ctx, "synced", "op", act.Op, "local", act.LocalPath, "remote", act.RemotePath)
	x.record(ctx, rec)
}

// failed counts an action whose file could not be moved and records the
// failed attempt: the file waits out its backoff before the next run tries
// it again, and is marked failed at the account's retry limit.
func (x *syncExec) failed(ctx context.Context, act domain.SyncAction, err error) {
	k, f := failureOf(x.a, act)
	msg := domain.ErrorMessage(err)
	var rec records
	x.mu.Lock()
	if prev, ok := x.failures[k]; ok {
		f.Attempts = prev.Attempts
		if prev.LocalPath != f.LocalPath || prev.RemotePath != f.RemotePath {
			rec.cleared = append(rec.cleared, prev) // the record moves with the file's new other path
		}
	}
	limit := x.a.RetryLimit
	if refusedForGood(err) {
		limit = 0 // e.g. a name too long for the server: no later run mends it
	}
	f = domain.RecordFailure(f, msg, x.clock.Now(), limit, domain.RetryAfter(err), rand.Float64())
	x.failures[k] = f
	x.run.Failed++
	if len(x.run.Errors) < domain.MaxJobErrors {
		x.run.Errors = append(x.run.Errors, domain.JobError{Path: pathOf(act), Message: msg})
	}
	x.mu.Unlock()
	x.log.WarnContext(ctx, "sync: a file failed", "op", act.Op, "local", act.LocalPath, "remote", act.RemotePath,
		"attempts", f.Attempts, "failed", f.Failed, "err", err)
	x.p.FileDone(pathOf(act), Failed, err)
	rec.failures, rec.transferred = []domain.SyncFailure{f}, 1
	x.record(ctx, rec)
}

// skipped counts a file the plan leaves where it is.
func (x *syncExec) skipped(act domain.SyncAction) {
	x.mu.Lock()
	x.run.Skipped++
	x.mu.Unlock()
	x.p.FileDone(pathOf(act), Skipped, nil)
}

// remember records that a paired file is gone on one side, so that it is
// not copied back: gone from the library when the action goes down (no
// download), from the server when it goes up (no upload).
func (x *syncExec) remember(ctx context.Context, act domain.SyncAction) {
	x.mu.Lock()
	pair, ok := x.pairMap()[act.RemotePath]
	if ok {
		if act.Direction == domain.SyncUp {
			pair.RemoteDeleted = true
		} else {
			pair.LocalDeleted = true
		}
		x.pairMap()[act.RemotePath] = pair
	}
	x.mu.Unlock()
	x.skipped(act)
	if !ok {
		return
	}
	x.log.InfoContext(ctx, "sync: a deletion is remembered, not copied", "local", pair.LocalPath, "remote", pair.RemotePath,
		"deleted_locally", pair.LocalDeleted, "deleted_remotely", pair.RemoteDeleted)
	x.record(ctx, records{pairs: []domain.SyncPair{pair}})
}

// record queues records to save, and saves the queue once it holds
// SaveEvery files or saveInterval has passed since the last save.
func (x *syncExec) record(ctx context.Context, rec records) {
	x.mu.Lock()
	x.pending.add(rec)
	due := x.pending.transferred >= x.cfg.SaveEvery || time.Since(x.lastSave) >= saveInterval
	x.mu.Unlock()
	if due {
		x.save(ctx)
	}
}

func (r *records) add(o records) {
	r.pairs = append(r.pairs, o.pairs...)
	r.removed = append(r.removed, o.removed...)
	r.failures = append(r.failures, o.failures...)
	r.cleared = append(r.cleared, o.cleared...)
	r.transferred += o.transferred
}

// save writes the queued records, each kind in one transaction. It runs
// on when ctx has ended, so that a cancelled run keeps what it did. What
// cannot be saved stays queued for the next save.
func (x *syncExec) save(ctx context.Context) {
	x.saveMu.Lock()
	defer x.saveMu.Unlock()
	x.mu.Lock()
	rec := x.pending
	x.pending, x.lastSave = records{}, time.Now()
	x.mu.Unlock()
	if rec.empty() {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	err := x.store.SavePairs(sctx, x.a.ID, rec.pairs, rec.removed)
	if err == nil {
		err = x.store.SaveFailures(sctx, x.a.ID, rec.failures, rec.cleared)
	}
	if err != nil {
		x.log.ErrorContext(ctx, "sync: cannot save the run's records", "account", x.a.ID, "err", err)
		x.mu.Lock()
		rec.add(x.pending)
		x.pending = rec
		if x.saveErr == nil {
			x.saveErr = err
		}
		x.mu.Unlock()
	}
}

// Failures returns an account's files that failed to sync: with
// failedOnly those that reached the retry limit, else also those waiting
// to be tried again. ENOTFOUND for an unknown account.
func (s *Syncer) Failures(ctx context.Context, accountID int64, failedOnly bool) ([]domain.SyncFailure, error) {
	if _, err := s.accounts.Account(ctx, accountID); err != nil {
		return nil, err
	}
	return s.store.Failures(ctx, accountID, failedOnly)
}

// Retry forgets the failures of an account's files at the given library
// or remote paths (every file marked failed when paths is empty), so that
// the next run tries them again from scratch. It returns how many it
// forgot. ENOTFOUND for an unknown account.
func (s *Syncer) Retry(ctx context.Context, accountID int64, paths []string) (int, error) {
	list, err := s.Failures(ctx, accountID, len(paths) == 0)
	if err != nil {
		return 0, err
	}
	list = slices.DeleteFunc(list, func(f domain.SyncFailure) bool {
		return len(paths) > 0 && !slices.Contains(paths, f.LocalPath) && !slices.Contains(paths, f.RemotePath)
	})
	if len(list) == 0 {
		return 0, nil
	}
	if err := s.store.SaveFailures(ctx, accountID, nil, list); err != nil {
		return 0, err
	}
	s.log.InfoContext(ctx, "sync failures cleared by hand", "account", accountID, "files", len(list))
	return len(list), nil
}

// Deleted returns an account's pairs whose file was deleted on one side:
// the files a sync does not copy back until they are restored.
func (s *Syncer) Deleted(ctx context.Context, accountID int64) ([]domain.SyncPair, error) {
	if _, err := s.accounts.Account(ctx, accountID); err != nil {
		return nil, err
	}
	pairs, err := s.store.Pairs(ctx, accountID)
	if err != nil {
		return nil, err
	}
	return slices.DeleteFunc(pairs, func(p domain.SyncPair) bool { return !p.LocalDeleted && !p.RemoteDeleted }), nil
}

// Restore asks for files deleted on one side, at the given library or
// remote paths, to be copied again by the next run: their pairs lose the
// deletion mark and are marked not synced yet, which the planner takes for
// a file to copy to the side that lacks it. It returns how many it
// restored. EINVALID without paths; ENOTFOUND for an unknown account.
func (s *Syncer) Restore(ctx context.Context, accountID int64, paths []string) (int, error) {
	if len(paths) == 0 {
		return 0, domain.Errorf(domain.EINVALID, "paths: name the deleted files to restore")
	}
	deleted, err := s.Deleted(ctx, accountID)
	if err != nil {
		return 0, err
	}
	var restored []domain.SyncPair
	for _, p := range deleted {
		if slices.Contains(paths, p.LocalPath) || slices.Contains(paths, p.RemotePath) {
			p.LocalDeleted, p.RemoteDeleted, p.SyncedAt = false, false, time.Time{}
			restored = append(restored, p)
		}
	}
	if len(restored) == 0 {
		return 0, nil
	}
	if err := s.store.SavePairs(ctx, accountID, restored, nil); err != nil {
		return 0, err
	}
	s.log.InfoContext(ctx, "deleted files restored by hand", "account", accountID, "files", len(restored))
	return len(restored), nil
}

// Runs returns an account's most recent runs, newest first. ENOTFOUND for
// an unknown account.
func (s *Syncer) Runs(ctx context.Context, accountID int64, limit int) ([]domain.SyncRun, error) {
	if _, err := s.accounts.Account(ctx, accountID); err != nil {
		return nil, err
	}
	return s.store.Runs(ctx, accountID, limit)
}
