package app

import (
	"context"
	"time"

	"github.com/photosync/photosync/domain"
)

// A scheduled run that would find nothing to do is answered from stored
// state, without walking the library or listing the server, when all of
// this holds:
//
//   - the last scheduled (or by hand) run of the account completed with
//     no failure and nothing held back; its baseline was taken just before
//     it started: the watcher's change count and the server's ETag of the
//     sync folder;
//   - the watcher has watched the whole library since, and seen nothing
//     (not even a change a watcher's upload run has handled: that run did
//     not download, and changed the server's ETag anyway);
//   - the server propagates folder ETags (Nextcloud, trusted from the
//     first run as in trustETags) and the sync folder's ETag is the
//     baseline's: nothing changed below it on the server;
//   - no failed file waits for its retry, the account's settings did not
//     change, and the last full run is less than FullWalkEvery old.
//
// Anything else runs as before. The answer is a run recorded as complete
// with nothing moved.
type baseline struct {
	job       int64               // the run's job
	seq       uint64              // the watcher's change count before it started
	etag      string              // the sync folder's ETag before it started
	settings  domain.SyncSettings // the account's sync as it was
	server    string              // and its server: URL and user
	at        time.Time           // when the run started
	confirmed bool                // the run completed cleanly
}

// baselineBefore takes a baseline for a run about to start, or reports
// false when none can serve (the watcher does not see everything, the
// server does not propagate ETags).
func (w *Watch) baselineBefore(ctx context.Context, a domain.Account) (baseline, bool) {
	if w == nil || a.Type != domain.TypeNextcloud {
		return baseline{}, false
	}
	w.mu.Lock()
	seq, ok := w.seq, w.status.Watching && !w.status.Incomplete
	w.mu.Unlock()
	if !ok {
		return baseline{}, false
	}
	etag, err := w.rootETag(ctx, a)
	if err != nil || etag == "" {
		return baseline{}, false
	}
	return baseline{seq: seq, etag: etag, settings: domain.SyncSettingsOf(a, ""), server: a.URL + "\n" + a.Username, at: w.clock.Now()}, true
}

// started remembers the baseline of a run that started as job.
func (w *Watch) started(accountID, job int64, b baseline) {
	if w == nil {
		return
	}
	b.job = job
	w.mu.Lock()
	w.baselines[accountID] = b
	w.mu.Unlock()
}

// forget drops an account's baseline.
func (w *Watch) forget(accountID int64) {
	if w == nil {
		return
	}
	w.mu.Lock()
	delete(w.baselines, accountID)
	w.mu.Unlock()
}

// unchanged reports whether a due run of a would find nothing to do (see
// baseline), from a few reads of stored state and one request for the
// sync folder's ETag.
func (w *Watch) unchanged(ctx context.Context, a domain.Account) bool {
	if w == nil {
		return false
	}
	w.mu.Lock()
	b, ok := w.baselines[a.ID]
	clean := w.status.Watching && !w.status.Incomplete && w.seq == b.seq
	w.mu.Unlock()
	if !ok {
		return false
	}
	if !clean || domain.SyncSettingsOf(a, "") != b.settings || a.URL+"\n"+a.Username != b.server || a.Type != domain.TypeNextcloud ||
		w.clock.Now().Sub(b.at) >= w.cfg.FullWalkEvery {
		w.forget(a.ID)
		return false
	}
	if !b.confirmed {
		runs, err := w.syncer.Runs(ctx, a.ID, 1)
		if err != nil || len(runs) != 1 {
			return false
		}
		r := runs[0]
		if r.JobID != b.job || r.FinishedAt.IsZero() {
			return false // the baseline's run is not the last one, or goes on
		}
		if !r.Complete || r.Error != "" || r.Failed > 0 || r.DryRun {
			w.forget(a.ID)
			return false
		}
		b.confirmed = true
		w.mu.Lock()
		if cur, ok := w.baselines[a.ID]; ok && cur.job == b.job {
			w.baselines[a.ID] = b
		}
		w.mu.Unlock()
	}
	failures, err := w.syncer.Failures(ctx, a.ID, false)
	if err != nil {
		return false
	}
	for _, f := range failures {
		if !f.Failed {
			return false // waits for its retry (the failed ones wait for a person)
		}
	}
	etag, err := w.rootETag(ctx, a)
	if err != nil || etag != b.etag {
		return false
	}
	return true
}

// answer records a due run of a as done from stored state: a complete run
// that moved nothing, and the account's LastSyncAt, so that the next one
// is due an interval later.
func (w *Watch) answer(ctx context.Context, a domain.Account) error {
	run, err := w.syncer.RecordUnchangedRun(ctx, a.ID, w.clock.Now())
	if err != nil {
		return err
	}
	w.log.InfoContext(ctx, "sync: nothing changed on either side; answered from stored state", "account", a.ID, "run", run.ID)
	return nil
}

// rootETag asks the server for the sync folder's ETag.
func (w *Watch) rootETag(ctx context.Context, a domain.Account) (string, error) {
	st, err := w.accounts.Storage(ctx, a.ID)
	if err != nil {
		return "", err
	}
	f, err := st.Stat(ctx, a.SyncFolder)
	if err != nil {
		return "", err
	}
	return f.ETag, nil
}

// StartScheduled starts the scheduler's run of a due account, taking a
// baseline first, or answers it from stored state (answered, no job) when
// nothing changed since the last baseline's run. w may be nil (no
// watcher): the run starts as it always did.
func (w *Watch) StartScheduled(ctx context.Context, a domain.Account) (j domain.Job, answered bool, err error) {
	if IsDue(a, w.clock.Now()) && w.unchanged(ctx, a) {
		if err := w.answer(ctx, a); err == nil {
			return domain.Job{}, true, nil
		}
	}
	b, ok := w.baselineBefore(ctx, a)
	j, _, err = w.syncer.Run(ctx, a.ID, BySchedule, false)
	if err == nil {
		if ok {
			w.started(a.ID, j.ID, b)
		} else {
			w.forget(a.ID)
		}
	}
	return j, false, err
}
