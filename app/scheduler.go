package app

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Scheduler starts the syncs that are due: `photosync serve` runs it on a
// tick, `photosync sync --due` and a scheduled Lambda once.
type Scheduler struct {
	accounts *Accounts
	syncer   *Syncer
	jobs     *Jobs
	clock    ports.Clock
	log      *slog.Logger

	// Uploader, when set, removes the expired uploads on every tick of
	// Loop, after RunDue (see Uploader.RemoveExpired).
	Uploader *Uploader
	// Versions, when set, removes the versions past their time at the
	// first tick of Loop and then once an hour (see Versions.PruneDue).
	Versions *Versions
	// Watch, when set and watching, answers the due runs that would find
	// nothing changed from stored state (see watch_nochange.go).
	Watch *Watch
	// Verifier, when set, starts the due verifies on every tick of Loop.
	Verifier *Verifier
	// Alerter, when set, looks for incidents on every tick of Loop.
	Alerter *Alerter
	// Indexer, when set, indexes the library as a job at the start of
	// Loop and then every IndexEvery (never again when 0), passing a turn
	// over while an index still runs.
	Indexer    *Indexer
	IndexEvery time.Duration
}

// NewScheduler returns a scheduler that starts syncer's runs as jobs.
func NewScheduler(accounts *Accounts, syncer *Syncer, jobs *Jobs, clock ports.Clock, log *slog.Logger) *Scheduler {
	return &Scheduler{accounts: accounts, syncer: syncer, jobs: jobs, clock: clock, log: log}
}

// IsDue reports whether an account's interval has passed at now: sync is
// on, it runs on an interval (0 means only by hand), and its last run
// started at least an interval ago. An account whose server refused its
// credentials waits for a person to fix them, rather than knocking with
// the wrong password every interval (servers lock such clients out). It
// is the part of the due rule (DuePolicy) that needs no run.
func IsDue(a domain.Account, now time.Time) bool {
	return onInterval(a) && !now.Before(a.LastSyncAt.Add(a.SyncInterval))
}

// onInterval reports whether an account syncs on an interval and may be
// run by the schedule: sync on, an interval, credentials not refused.
func onInterval(a domain.Account) bool {
	return a.SyncEnabled && a.SyncInterval > 0 && a.Status != domain.StatusUnauthorized
}

// DuePolicy is the one rule of which accounts a scheduled look syncs: an
// account syncing on an interval is due once its interval has passed
// (IsDue); the policy adds the accounts whose last run, not a dry one, is
// to be taken up again without waiting a whole interval. The zero policy
// adds none.
type DuePolicy struct {
	// Unfinished takes up a last run that stopped before its end: it ran
	// out of time, its server failed, or its process died. Lambda's
	// scheduled invocations and the fan-out use it: a long first sync
	// takes several invocations.
	Unfinished bool
	// Interrupted takes up a last run that never finished: its process
	// was killed, here or on another instance sharing the database, and
	// its lease has run out or will (a run still going on elsewhere keeps
	// its lease, and the start passes it over). serve's scheduler uses
	// it: a run that finished with an error waits for its interval, so a
	// server that is down is not knocked on every tick.
	Interrupted bool
}

// takesUp reports whether the policy takes up an account whose last run
// is last.
func (p DuePolicy) takesUp(last domain.SyncRun) bool {
	if last.DryRun {
		return false
	}
	return p.Unfinished && !last.Complete || p.Interrupted && last.FinishedAt.IsZero()
}

// due applies the rule to a at now; lastRun answers the account's newest
// run (false when it has none), asked only when the interval has not
// passed and the policy may take a run up.
func (p DuePolicy) due(ctx context.Context, a domain.Account, now time.Time,
	lastRun func(ctx context.Context, accountID int64) (domain.SyncRun, bool, error)) (bool, error) {
	if IsDue(a, now) {
		return true, nil
	}
	if p == (DuePolicy{}) || !onInterval(a) {
		return false, nil
	}
	last, ok, err := lastRun(ctx, a.ID)
	if err != nil || !ok {
		return false, err
	}
	return p.takesUp(last), nil
}

// Due returns the accounts whose sync is due now under the policy p.
func (s *Scheduler) Due(ctx context.Context, p DuePolicy) ([]domain.Account, error) {
	all, err := s.accounts.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out []domain.Account
	for _, a := range all {
		ok, err := p.due(ctx, a, now, s.lastRun)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, a)
		}
	}
	return out, nil
}

// lastRun answers an account's newest run.
func (s *Scheduler) lastRun(ctx context.Context, accountID int64) (domain.SyncRun, bool, error) {
	runs, err := s.syncer.Runs(ctx, accountID, 1)
	if err != nil || len(runs) == 0 {
		return domain.SyncRun{}, false, err
	}
	return runs[0], true, nil
}

// RunDue starts a sync job for every due account, and for every account
// whose last run was interrupted (its process died: it never finished),
// the policy DuePolicy{Interrupted: true}, and returns the jobs it
// started. An account whose sync already runs (here or in another
// process) is passed over until the next tick. The error joins the
// failures to start the others.
func (s *Scheduler) RunDue(ctx context.Context) ([]domain.Job, error) {
	due, err := s.Due(ctx, DuePolicy{Interrupted: true})
	if err != nil {
		return nil, err
	}
	var started []domain.Job
	var errs []error
	for _, a := range due {
		var j domain.Job
		if s.Watch != nil {
			var answered bool
			if j, answered, err = s.Watch.StartScheduled(ctx, a); answered {
				continue
			}
		} else {
			j, _, err = s.syncer.Run(ctx, a.ID, BySchedule, false)
		}
		switch {
		case err == nil:
			started = append(started, j)
			s.log.InfoContext(ctx, "scheduled sync started", "account", a.ID, "job", j.ID)
		case domain.ErrorCode(err) == domain.ECONFLICT:
			s.log.DebugContext(ctx, "scheduled sync passed over", "account", a.ID, "reason", domain.ErrorMessage(err))
		default:
			errs = append(errs, err)
		}
	}
	return started, errors.Join(errs...)
}

// Loop runs the schedule until ctx ends, the one loop that owns every
// ticker of `photosync serve`: the library's index now and then every
// IndexEvery (when Indexer is set), and RunDue now and then every tick,
// each time followed by the removal of expired uploads, the pruning of
// old versions, the due verifies and the look for incidents, for those
// that are set.
func (s *Scheduler) Loop(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	var indexTick <-chan time.Time
	if s.Indexer != nil {
		s.startIndex(ctx)
		if s.IndexEvery > 0 {
			it := time.NewTicker(s.IndexEvery)
			defer it.Stop()
			indexTick = it.C
		}
	}
	for {
		s.tick(ctx)
	wait:
		for {
			select {
			case <-ctx.Done():
				return
			case <-indexTick:
				s.startIndex(ctx)
			case <-t.C:
				break wait
			}
		}
	}
}

// tick is one turn of Loop's scheduled work but the index.
func (s *Scheduler) tick(ctx context.Context) {
	if _, err := s.RunDue(ctx); err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "cannot start scheduled syncs", "err", err)
	}
	if s.Uploader != nil {
		if _, err := s.Uploader.RemoveExpired(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "cannot remove expired uploads", "err", err)
		}
	}
	if s.Versions != nil {
		s.Versions.PruneDue(ctx)
	}
	if s.Verifier != nil {
		if _, err := s.Verifier.StartDue(ctx, s.jobs); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "cannot start scheduled verifies", "err", err)
		}
	}
	if s.Alerter != nil {
		if _, err := s.Alerter.Check(ctx); err != nil && ctx.Err() == nil {
			s.log.WarnContext(ctx, "cannot check for alerts", "err", err)
		}
	}
}

// startIndex starts an index of the library as a job; an index already
// running is left to go on.
func (s *Scheduler) startIndex(ctx context.Context) {
	if _, err := StartIndex(ctx, s.jobs, s.Indexer); err != nil && domain.ErrorCode(err) != domain.ECONFLICT && ctx.Err() == nil {
		s.log.WarnContext(ctx, "cannot start the library's index", "err", err)
	}
}
