package app

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// ledger keeps one run's records: the one writer, while a run goes on, of
// the account's pairs and failures and of the run's own record. The executor
// reports to it how each action ended; it counts the action, tells the
// run's Progress, and queues the pairs and failures it makes or clears.
// The queue is saved together every SaveEvery files (or saveInterval) and
// at the end, so a run killed in the middle loses at most the last few
// records, and the next run finds the files they describe in place and
// adopts them.
type ledger struct {
	store     ports.SyncStore
	clock     ports.Clock
	log       *slog.Logger
	p         *Progress
	a         domain.Account
	saveEvery int

	mu        sync.Mutex
	run       domain.SyncRun                    // the run's record: its counts and first errors
	pairs     map[string]domain.SyncPair        // by remote path, as known; see pairMap
	failures  map[failureKey]domain.SyncFailure // as known
	pending   records                           // not saved yet
	lastSave  time.Time                         // real time
	pairedNow map[string]bool                   // library paths this run paired
	saveMu    sync.Mutex                        // one save at a time
	saveErr   error                             // the first save that failed
	unmovable int                               // unmovable skips listed among the errors
	// What the pair map is made from, on first use: a run that moves
	// nothing (most runs) never makes it, which at 100,000 files is
	// tens of megabytes.
	knownPairs []domain.SyncPair
}

func newLedger(store ports.SyncStore, clock ports.Clock, log *slog.Logger, p *Progress, a domain.Account, saveEvery int) *ledger {
	return &ledger{store: store, clock: clock, log: log, p: p, a: a, saveEvery: saveEvery,
		failures: map[failureKey]domain.SyncFailure{}, pairedNow: map[string]bool{}, lastSave: time.Now()}
}

// know takes the pairs and failures the run was planned with.
func (l *ledger) know(pairs []domain.SyncPair, failures []domain.SyncFailure) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.knownPairs = pairs
	for _, f := range failures {
		l.failures[keyOf(f)] = f
	}
}

// pairMap answers the pairs by remote path, made on first use; l.mu must
// be held.
func (l *ledger) pairMap() map[string]domain.SyncPair {
	if l.pairs == nil {
		l.pairs = make(map[string]domain.SyncPair, len(l.knownPairs))
		for _, p := range l.knownPairs {
			l.pairs[p.RemotePath] = p
		}
	}
	return l.pairs
}

// open records the start of the run, started by job jobID (0 for none).
func (l *ledger) open(ctx context.Context, jobID int64) (domain.SyncRun, error) {
	run := domain.SyncRun{AccountID: l.a.ID, JobID: jobID, StartedAt: l.clock.Now()}
	if err := l.store.CreateRun(ctx, &run); err != nil {
		return run, err
	}
	l.mu.Lock()
	l.run = run
	l.mu.Unlock()
	return run, nil
}

// runID answers the ID of the run's record.
func (l *ledger) runID() int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.run.ID
}

// close records how the run ended, and returns the record: its counts,
// complete when err is nil, else why it stopped; held is why a complete
// run held part of its plan back for a person ("" for nothing held).
func (l *ledger) close(ctx context.Context, err error, held string) domain.SyncRun {
	l.mu.Lock()
	run := l.run
	l.mu.Unlock()
	run.FinishedAt, run.Complete = l.clock.Now(), err == nil
	if err != nil {
		run.Error = domain.ErrorMessage(err)
		switch {
		case errors.Is(err, context.Canceled):
			run.Error = "cancelled"
		case errors.Is(err, context.DeadlineExceeded):
			run.Error = "stopped: the time for the run ran out"
		}
	}
	if held != "" && err == nil {
		run.Error = held // complete, but what it held waits for a person
	}
	if uerr := l.store.UpdateRun(ctx, run); uerr != nil {
		l.log.ErrorContext(ctx, "sync: cannot record how a run ended", "account", run.AccountID, "run", run.ID, "err", uerr)
	}
	return run
}

// err answers the first save that failed, nil when none did.
func (l *ledger) err() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.saveErr
}

// pairedByRun reports whether this run paired the library file at lp.
func (l *ledger) pairedByRun(lp string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pairedNow[lp]
}

// records are pairs and failures to save.
type records struct {
	pairs       []domain.SyncPair
	removed     []string // remote paths of pairs to forget
	failures    []domain.SyncFailure
	cleared     []domain.SyncFailure
	transferred int
}

func (r records) empty() bool {
	return len(r.pairs)+len(r.removed)+len(r.failures)+len(r.cleared) == 0
}

func (r *records) add(o records) {
	r.pairs = append(r.pairs, o.pairs...)
	r.removed = append(r.removed, o.removed...)
	r.failures = append(r.failures, o.failures...)
	r.cleared = append(r.cleared, o.cleared...)
	r.transferred += o.transferred
}

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

// unmoved records the actions of a plan that move no bytes: the skipped
// files, the links of files found the same on both sides, the pairs to
// forget and the deletions to remember.
func (l *ledger) unmoved(ctx context.Context, plan domain.SyncPlan) {
	for _, act := range plan.Actions {
		switch act.Op {
		case domain.OpSkip:
			l.skipped(act)
		case domain.OpLink:
			l.link(ctx, act)
		case domain.OpForget:
			l.mu.Lock()
			delete(l.pairMap(), act.RemotePath)
			l.mu.Unlock()
			l.skipped(act)
			l.record(ctx, records{removed: []string{act.RemotePath}})
		case domain.OpRememberDeletion:
			l.remember(ctx, act)
		}
	}
}

// forgetStaleFailures clears the failure records of files the plan no
// longer has anything to do with (gone, synced by other means, or no
// longer wanted), so that they do not linger in the list of failed files.
func (l *ledger) forgetStaleFailures(ctx context.Context, plan domain.SyncPlan) {
	inPlan := map[failureKey]bool{}
	for _, act := range plan.Actions {
		for _, k := range failureKeysOf(act) {
			inPlan[k] = true
		}
	}
	var stale []domain.SyncFailure
	l.mu.Lock()
	for k, f := range l.failures {
		if !inPlan[k] {
			stale = append(stale, f)
			delete(l.failures, k)
		}
	}
	l.mu.Unlock()
	if len(stale) > 0 {
		l.record(ctx, records{cleared: stale})
	}
}

// succeeded counts an action that moved its file, records its pairs and
// clears its failure record.
func (l *ledger) succeeded(ctx context.Context, act domain.SyncAction, m moved, pairs ...domain.SyncPair) {
	rec := records{pairs: pairs, transferred: 1}
	l.mu.Lock()
	l.run.Downloaded += m.down
	l.run.Uploaded += m.up
	l.run.BytesDown += m.bytesDown
	l.run.BytesUp += m.bytesUp
	for _, k := range failureKeysOf(act) {
		if f, ok := l.failures[k]; ok {
			rec.cleared = append(rec.cleared, f)
			delete(l.failures, k)
		}
	}
	for _, p := range pairs {
		l.pairMap()[p.RemotePath] = p
		l.pairedNow[p.LocalPath] = true
	}
	l.mu.Unlock()
	outcome := Uploaded
	if m.down > 0 {
		outcome = Downloaded
	}
	l.p.FileDone(pathOf(act), outcome, nil)
	l.log.DebugContext(ctx, "synced", "op", act.Op, "local", act.LocalPath, "remote", act.RemotePath)
	l.record(ctx, rec)
}

// failed counts an action whose file could not be moved and records the
// failed attempt: the file waits out its backoff before the next run tries
// it again, and is marked failed at the account's retry limit.
func (l *ledger) failed(ctx context.Context, act domain.SyncAction, err error) {
	k, f := failureOf(l.a, act)
	msg := domain.ErrorMessage(err)
	var rec records
	l.mu.Lock()
	if prev, ok := l.failures[k]; ok {
		f.Attempts = prev.Attempts
		if prev.LocalPath != f.LocalPath || prev.RemotePath != f.RemotePath {
			rec.cleared = append(rec.cleared, prev) // the record moves with the file's new other path
		}
	}
	limit := l.a.RetryLimit
	if refusedForGood(err) {
		limit = 0 // e.g. a name too long for the server: no later run mends it
	}
	f = domain.RecordFailure(f, msg, l.clock.Now(), limit, domain.RetryAfter(err), rand.Float64())
	l.failures[k] = f
	l.run.Failed++
	if len(l.run.Errors) < domain.MaxJobErrors {
		l.run.Errors = append(l.run.Errors, domain.JobError{Path: pathOf(act), Message: msg})
	}
	l.mu.Unlock()
	l.log.WarnContext(ctx, "sync: a file failed", "op", act.Op, "local", act.LocalPath, "remote", act.RemotePath,
		"attempts", f.Attempts, "failed", f.Failed, "err", err)
	l.p.FileDone(pathOf(act), Failed, err)
	rec.failures, rec.transferred = []domain.SyncFailure{f}, 1
	l.record(ctx, rec)
}

// skipped counts a file the plan leaves where it is.
// maxUnmovableErrors is how many files whose names cannot move a run
// lists among its errors (see domain.SyncAction.Unmovable).
const maxUnmovableErrors = domain.MaxJobErrors / 4

func (l *ledger) skipped(act domain.SyncAction) {
	var why error
	l.mu.Lock()
	l.run.Skipped++
	if act.Unmovable && l.unmovable < maxUnmovableErrors {
		// No later run moves it either: the run says so among its
		// errors, so a person sees it (issue 17: not only a log line).
		// A few are enough to see the pattern and leave room for the
		// errors of the transfers, which come after.
		l.unmovable++
		why = domain.Errorf(domain.EINVALID, "%s", act.Reason)
		if len(l.run.Errors) < domain.MaxJobErrors {
			l.run.Errors = append(l.run.Errors, domain.JobError{Path: pathOf(act), Message: act.Reason})
		}
	}
	l.mu.Unlock()
	l.p.FileDone(pathOf(act), Skipped, why)
}

// pairedSkip records a pair made without moving a file, counted as
// skipped.
func (l *ledger) pairedSkip(ctx context.Context, act domain.SyncAction, pair domain.SyncPair) {
	l.mu.Lock()
	l.pairMap()[pair.RemotePath] = pair
	l.pairedNow[pair.LocalPath] = true
	l.run.Skipped++
	l.mu.Unlock()
	l.p.FileDone(pathOf(act), Skipped, nil)
	l.record(ctx, records{pairs: []domain.SyncPair{pair}})
}

// paired records a pair made on the way, without counting a file: the
// conflict copy of a keep_both whose send failed.
func (l *ledger) paired(ctx context.Context, pair domain.SyncPair) {
	l.mu.Lock()
	l.pairMap()[pair.RemotePath] = pair
	l.mu.Unlock()
	l.record(ctx, records{pairs: []domain.SyncPair{pair}})
}

// link records the pair of a file found the same on both sides.
func (l *ledger) link(ctx context.Context, act domain.SyncAction) {
	sum := act.Local.SHA1
	if sum == "" {
		sum = act.Remote.Checksum.SHA1()
	}
	pair := domain.SyncPair{
		AccountID: l.a.ID, LocalPath: act.LocalPath, RemotePath: act.RemotePath, Size: act.Local.Size,
		LocalModTime: act.Local.ModTime, RemoteModTime: act.Remote.ModTime, ETag: act.Remote.ETag, SHA1: sum,
		SyncedAt: l.clock.Now(),
	}
	l.pairedSkip(ctx, act, pair)
}

// remember records that a paired file is gone on one side, so that it is
// not copied back: gone from the library when the action goes down (no
// download), from the server when it goes up (no upload).
func (l *ledger) remember(ctx context.Context, act domain.SyncAction) {
	l.mu.Lock()
	pair, ok := l.pairMap()[act.RemotePath]
	if ok {
		if act.Direction == domain.SyncUp {
			pair.RemoteDeleted = true
		} else {
			pair.LocalDeleted = true
		}
		l.pairMap()[act.RemotePath] = pair
	}
	l.mu.Unlock()
	l.skipped(act)
	if !ok {
		return
	}
	l.log.InfoContext(ctx, "sync: a deletion is remembered, not copied", "local", pair.LocalPath, "remote", pair.RemotePath,
		"deleted_locally", pair.LocalDeleted, "deleted_remotely", pair.RemoteDeleted)
	l.record(ctx, records{pairs: []domain.SyncPair{pair}})
}

// record queues records to save, and saves the queue once it holds
// SaveEvery files or saveInterval has passed since the last save.
func (l *ledger) record(ctx context.Context, rec records) {
	l.mu.Lock()
	l.pending.add(rec)
	due := l.pending.transferred >= l.saveEvery || time.Since(l.lastSave) >= saveInterval
	l.mu.Unlock()
	if due {
		l.save(ctx)
	}
}

// save writes the queued records, each kind in one transaction. It runs
// on when ctx has ended, so that a cancelled run keeps what it did. What
// cannot be saved stays queued for the next save.
func (l *ledger) save(ctx context.Context) {
	l.saveMu.Lock()
	defer l.saveMu.Unlock()
	l.mu.Lock()
	rec := l.pending
	l.pending, l.lastSave = records{}, time.Now()
	l.mu.Unlock()
	if rec.empty() {
		return
	}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	err := l.store.SavePairs(sctx, l.a.ID, rec.pairs, rec.removed)
	if err == nil {
		err = l.store.SaveFailures(sctx, l.a.ID, rec.failures, rec.cleared)
	}
	if err != nil {
		l.log.ErrorContext(ctx, "sync: cannot save the run's records", "account", l.a.ID, "err", err)
		l.mu.Lock()
		rec.add(l.pending)
		l.pending = rec
		if l.saveErr == nil {
			l.saveErr = err
		}
		l.mu.Unlock()
	}
}
