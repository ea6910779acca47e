package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
)

// verifySchedule remembers when each account was last verified by this
// process; an account it has not seen takes the newest check of its
// proofs, so that a restart (or a cold Lambda) does not verify everything
// at once.
type verifySchedule struct {
	mu   sync.Mutex
	last map[int64]time.Time
	ok   map[int64]time.Time // the last verify that ended without error
}

func (v *Verifier) lastVerified(ctx context.Context, accountID int64) (time.Time, error) {
	v.sched.mu.Lock()
	t, ok := v.sched.last[accountID]
	v.sched.mu.Unlock()
	if ok {
		return t, nil
	}
	proofs, err := v.proofs.Proofs(ctx, accountID)
	if err != nil {
		return time.Time{}, err
	}
	for _, p := range proofs {
		if p.CheckedAt.After(t) {
			t = p.CheckedAt
		}
	}
	v.noteVerified(accountID, t)
	return t, nil
}

func (v *Verifier) noteVerified(accountID int64, at time.Time) {
	v.sched.mu.Lock()
	defer v.sched.mu.Unlock()
	if v.sched.last == nil {
		v.sched.last = map[int64]time.Time{}
	}
	if at.After(v.sched.last[accountID]) || at.IsZero() {
		v.sched.last[accountID] = at
	}
}

// Due returns the accounts whose verify is due: not verified for an
// Interval, and not waiting for a person to fix their password.
func (v *Verifier) Due(ctx context.Context) ([]domain.Account, error) {
	accs, err := v.accounts.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	now := v.clock.Now()
	var due []domain.Account
	for _, a := range accs {
		if a.Status == domain.StatusUnauthorized {
			continue
		}
		last, err := v.lastVerified(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		if now.Sub(last) >= v.cfg.Interval {
			due = append(due, a)
		}
	}
	return due, nil
}

// StartDue starts the due verifies as jobs (serve's scheduler); an
// account whose sync runs is passed over until the next tick.
func (v *Verifier) StartDue(ctx context.Context, jobs *Jobs) ([]domain.Job, error) {
	due, err := v.Due(ctx)
	if err != nil {
		return nil, err
	}
	var started []domain.Job
	var errs []error
	for _, a := range due {
		j, err := v.Start(ctx, jobs, a.ID, VerifyOptions{})
		switch {
		case err == nil:
			v.noteVerified(a.ID, v.clock.Now())
			started = append(started, j)
			v.log.InfoContext(ctx, "scheduled verify started", "account", a.ID, "job", j.ID)
		case domain.ErrorCode(err) == domain.ECONFLICT:
		default:
			errs = append(errs, err)
		}
	}
	return started, errors.Join(errs...)
}

// RunDue runs the due verifies one after the other and returns their
// reports by account (the Lambda schedule, within its invocation).
func (v *Verifier) RunDue(ctx context.Context) (map[int64]VerifyReport, error) {
	due, err := v.Due(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]VerifyReport{}
	var errs []error
	for _, a := range due {
		if ctx.Err() != nil {
			break
		}
		r, err := v.Verify(ctx, a.ID, VerifyOptions{}, nil)
		switch {
		case err == nil:
			v.noteVerified(a.ID, v.clock.Now())
			out[a.ID] = r
		case domain.ErrorCode(err) == domain.ECONFLICT:
		default:
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

func (v *Verifier) noteSuccess(accountID int64, at time.Time) {
	v.sched.mu.Lock()
	defer v.sched.mu.Unlock()
	if v.sched.ok == nil {
		v.sched.ok = map[int64]time.Time{}
	}
	v.sched.ok[accountID] = at
}

// AccountMetrics are the figures of one account that /metrics shows.
type AccountMetrics struct {
	AccountID  int64
	Status     domain.BackupStatus
	LastSync   time.Time // the last sync run that completed without error
	LastVerify time.Time // the last verify that ended without error (this process's, else the newest check of a proof)
	LastUpload time.Time // the newest manual upload
}

// Metrics returns the figures of every account.
func (v *Verifier) Metrics(ctx context.Context) ([]AccountMetrics, error) {
	accs, err := v.accounts.Accounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]AccountMetrics, 0, len(accs))
	for _, a := range accs {
		in, _, err := v.backup.Input(ctx, a.ID)
		if err != nil {
			return nil, err
		}
		m := AccountMetrics{AccountID: a.ID, Status: domain.ComputeBackup(in)}
		runs, err := v.store.Runs(ctx, a.ID, 20)
		if err != nil {
			return nil, err
		}
		for _, r := range runs {
			if !r.DryRun && r.Complete && r.Error == "" && !r.FinishedAt.IsZero() {
				m.LastSync = r.FinishedAt
				break
			}
		}
		v.sched.mu.Lock()
		m.LastVerify = v.sched.ok[a.ID]
		v.sched.mu.Unlock()
		if m.LastVerify.IsZero() {
			for _, p := range in.Proofs {
				if p.CheckedAt.After(m.LastVerify) {
					m.LastVerify = p.CheckedAt
				}
			}
		}
		for _, u := range in.Uploads {
			if u.UploadedAt.After(m.LastUpload) {
				m.LastUpload = u.UploadedAt
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// SyncRunOf returns the sync run of a job, for the bytes it moved each
// way.
func (v *Verifier) SyncRunOf(ctx context.Context, accountID, jobID int64) (domain.SyncRun, bool) {
	runs, err := v.store.Runs(ctx, accountID, 10)
	if err != nil {
		return domain.SyncRun{}, false
	}
	for _, r := range runs {
		if r.JobID == jobID {
			return r, true
		}
	}
	return domain.SyncRun{}, false
}
