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
}

// NewScheduler returns a scheduler that starts syncer's runs as jobs.
func NewScheduler(accounts *Accounts, syncer *Syncer, jobs *Jobs, clock ports.Clock, log *slog.Logger) *Scheduler {
	return &Scheduler{accounts: accounts, syncer: syncer, jobs: jobs, clock: clock, log: log}
}

// IsDue reports whether an account's sync is due at now: sync is on, it
// runs on an interval (0 means only by hand), and its last run started at
// least an interval ago. An account whose server refused its credentials
// waits for a person to fix them, rather than knocking with the wrong
// password every interval (servers lock such clients out).
func IsDue(a domain.Account, now time.Time) bool {
	return a.SyncEnabled && a.SyncInterval > 0 && a.Status != domain.StatusUnauthorized &&
		!now.Before(a.LastSyncAt.Add(a.SyncInterval))
}

// Due returns the accounts whose sync is due now (see IsDue).
func (s *Scheduler) Due(ctx context.Context) ([]domain.Account, error) {
	all, err := s.accounts.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var due []domain.Account
	for _, a := range all {
		if IsDue(a, now) {
			due = append(due, a)
		}
	}
	return due, nil
}

// DueOrUnfinished returns the due accounts and, beside them, the accounts
// syncing on an interval whose last run stopped before its end (it ran out
// of time, or its server failed), which would otherwise wait a whole
// interval: on Lambda a long first sync takes several invocations.
func (s *Scheduler) DueOrUnfinished(ctx context.Context) ([]domain.Account, error) {
	return s.dueOr(ctx, func(last domain.SyncRun) bool { return !last.Complete })
}

// dueOr returns the due accounts and, beside them, the accounts syncing on
// an interval (not waiting for new credentials) whose last run, not a dry
// one, is taken up again by again.
func (s *Scheduler) dueOr(ctx context.Context, again func(last domain.SyncRun) bool) ([]domain.Account, error) {
	all, err := s.accounts.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	now := s.clock.Now()
	var out []domain.Account
	for _, a := range all {
		if IsDue(a, now) {
			out = append(out, a)
			continue
		}
		if !a.SyncEnabled || a.SyncInterval <= 0 || a.Status == domain.StatusUnauthorized {
			continue
		}
		runs, err := s.syncer.Runs(ctx, a.ID, 1)
		if err != nil {
			return nil, err
		}
		if len(runs) == 1 && !runs[0].DryRun && again(runs[0]) {
			out = append(out, a)
		}
	}
	return out, nil
}

// RunDue starts a sync job for every due account, and for every account
// whose last run was interrupted (its process died: it never finished),
// and returns the jobs it started. An account whose sync already runs (here or in another
// process) is passed over until the next tick. The error joins the
// failures to start the others.
func (s *Scheduler) RunDue(ctx context.Context) ([]domain.Job, error) {
	due, err := s.dueOrInterrupted(ctx)
	if err != nil {
		return nil, err
	}
	var started []domain.Job
	var errs []error
	for _, a := range due {
		var j domain.Job
		if s.Watch != nil {
			var answered bool
			if j, answered, err = s.Watch.startScheduled(ctx, a); answered {
				continue
			}
		} else {
			j, err = s.syncer.Start(ctx, s.jobs, a.ID, BySchedule)
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

// Loop runs RunDue now and then every tick until ctx ends, each time
// followed by the removal of expired uploads when Uploader is set.
func (s *Scheduler) Loop(ctx context.Context, tick time.Duration) {
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
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
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// dueOrInterrupted returns the due accounts and the accounts syncing on an
// interval whose last run never finished: its process was killed, here or
// on another instance sharing the database, and its lease has run out or
// will (a run still going on elsewhere keeps its lease, and the start
// passes it over). Without this, what a killed run left would wait a whole
// interval. A run that finished with an error waits for its interval, so
// a server that is down is not knocked on every tick.
func (s *Scheduler) dueOrInterrupted(ctx context.Context) ([]domain.Account, error) {
	return s.dueOr(ctx, func(last domain.SyncRun) bool { return last.FinishedAt.IsZero() })
}
