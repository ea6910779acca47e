package app

import (
	"context"
	"slices"
	"time"

	"github.com/photosync/photosync/domain"
)

// This file is the read side of the sync's records: the failed files,
// the files deleted on one side, the runs; and a person's retry and
// restore of them. While a run goes on, its ledger (sync_ledger.go) is
// the one writer of its pairs, failures and counts.

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

// RecordUnchangedRun records a due run of an account answered from stored
// state, without a run: complete, moving nothing, started and finished at
// at, and the account's LastSyncAt, so that the next run is due an
// interval later.
func (s *Syncer) RecordUnchangedRun(ctx context.Context, accountID int64, at time.Time) (domain.SyncRun, error) {
	run := domain.SyncRun{AccountID: accountID, StartedAt: at, FinishedAt: at, Complete: true}
	if err := s.store.CreateRun(ctx, &run); err != nil {
		return run, err
	}
	s.noteStart(ctx, accountID, at)
	return run, nil
}
