package app_test

import (
	"context"
	"errors"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// CancelAccount stops the account's running jobs and returns only once
// they have ended; other accounts' jobs go on.
func TestCancelAccountWaitsForItsJobs(t *testing.T) {
	w := newJobWorld(t)
	ctx := jobContext(t)
	started1, started2 := make(chan struct{}), make(chan struct{})
	j1, err := w.jobs.Start(ctx, domain.JobSync, 1, blockingWork(started1, nil))
	if err != nil {
		t.Fatal(err)
	}
	j2, err := w.jobs.Start(ctx, domain.JobUpload, 2, blockingWork(started2, nil))
	if err != nil {
		t.Fatal(err)
	}
	<-started1
	<-started2
	if err := w.jobs.CancelAccount(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if got, _ := w.jobs.Job(ctx, j1.ID); got.State != domain.JobCancelled {
		t.Fatalf("account 1's job is %s when CancelAccount returned; want cancelled", got.State)
	}
	if got, _ := w.jobs.Job(ctx, j2.ID); got.State.Ended() {
		t.Fatalf("account 2's job was stopped too: %s", got.State)
	}
}

// failingEnds is a job store that refuses to store a job's end while
// refuse is set, as a full data disk would.
type failingEnds struct {
	*countingStore
	refuse atomic.Bool
}

func (s *failingEnds) UpdateJob(ctx context.Context, id int64, fn func(*domain.Job) error) (domain.Job, error) {
	if s.refuse.Load() {
		var probe domain.Job
		if err := fn(&probe); err == nil && probe.State.Ended() {
			return domain.Job{}, errors.New("disk full")
		}
	}
	return s.countingStore.UpdateJob(ctx, id, fn)
}

// A job whose end the store refuses is still final: Job and Wait answer
// its end from memory at once.
func TestJobEndThatCannotBeStoredIsStillFinal(t *testing.T) {
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	store := &failingEnds{countingStore: &countingStore{JobStore: memory.NewJobStore(clock)}}
	store.refuse.Store(true)
	jobs := app.NewJobs(store, clock, slog.New(slog.DiscardHandler))
	defer jobs.Close()
	ctx := jobContext(t)
	j, err := jobs.Start(ctx, domain.JobSync, 1, func(ctx context.Context, p *app.Progress) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	end, err := jobs.Wait(ctx, j.ID)
	if err != nil || end.State != domain.JobDone {
		t.Fatalf("Wait: %+v, %v; want done", end, err)
	}
	if got, err := jobs.Job(ctx, j.ID); err != nil || got.State != domain.JobDone {
		t.Fatalf("Job after an end the store refused: %+v, %v; want done", got, err)
	}
	if list, err := jobs.Jobs(ctx, domain.JobFilter{}); err != nil || len(list) != 1 || list[0].State != domain.JobDone {
		t.Fatalf("Jobs: %+v, %v", list, err)
	}
	if stored, _ := store.Job(ctx, j.ID); stored.State.Ended() {
		t.Fatalf("the store took the end although it refuses: %+v", stored)
	}
}
