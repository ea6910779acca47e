package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestScheduledStartRechecksUnderLease: another instance ran the account
// between this one's look for due accounts and its lease, so the
// scheduled start is refused (ECONFLICT) and the lease is free again; a
// person's sync is not refused.
func TestScheduledStartRechecksUnderLease(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	w.put(t, "/Photos/a.jpg", pic(t, "a"), syncTime)
	due, err := w.sched.Due(ctx, app.DuePolicy{})
	if err != nil || len(due) != 1 {
		t.Fatalf("due %v, %v", due, err)
	}
	w.sync(t) // the other instance's run
	_, err = jobOf(w.syncer.Run(ctx, w.account.ID, app.BySchedule, false))
	if domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("scheduled start after another run: %v; want ECONFLICT", err)
	}
	if err := w.leases.AcquireLease(ctx, "sync:1", "someone", w.clock.Now(), time.Minute); err != nil {
		t.Fatalf("the refused start kept the lease: %v", err)
	}
	if err := w.leases.ReleaseLease(ctx, "sync:1", "someone"); err != nil {
		t.Fatal(err)
	}
	if _, err := runOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, true)); err != nil {
		t.Fatalf("a person's sync: %v", err)
	}
}

// TestSchedulerResumesInterruptedRun: a run whose process died (recorded
// as started, never finished) is taken up at the next tick once its
// lease has run out, not an interval later; a run that finished with an
// error waits for its interval.
func TestSchedulerResumesInterruptedRun(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	w.put(t, "/Photos/a.jpg", pic(t, "a"), syncTime)
	w.sync(t)
	w.clock.Advance(time.Minute)
	// The killed run: recorded as started, never finished; the account is
	// not due for another 59 minutes.
	if err := w.store.CreateRun(ctx, &domain.SyncRun{AccountID: w.account.ID, StartedAt: w.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	w.put(t, "/Photos/b.jpg", pic(t, "b"), syncTime)
	jobs, err := w.sched.RunDue(ctx)
	if err != nil || len(jobs) != 1 {
		t.Fatalf("RunDue after a killed run: %v, %v; want its account resumed", jobs, err)
	}
	end, err := w.jobs.Wait(ctx, jobs[0].ID)
	if err != nil || end.State != domain.JobDone {
		t.Fatalf("job %+v, %v", end, err)
	}
	if _, ok := w.library(t)["nextcloud/b.jpg"]; !ok {
		t.Error("the resumed run did not bring b.jpg down")
	}
	// The server fails the next run: it finishes, incomplete, and waits.
	w.clock.Advance(time.Hour)
	w.setFault(func(op, p string) error { return domain.Errorf(domain.EUNAVAILABLE, "down") })
	if jobs, err = w.sched.RunDue(ctx); err != nil || len(jobs) != 1 {
		t.Fatalf("RunDue an hour later: %v, %v", jobs, err)
	}
	_, _ = w.jobs.Wait(ctx, jobs[0].ID)
	w.clock.Advance(time.Minute)
	if jobs, err = w.sched.RunDue(ctx); err != nil || len(jobs) != 0 {
		t.Fatalf("RunDue a minute after a failed run: %v, %v; want nothing until its interval", jobs, err)
	}
}
