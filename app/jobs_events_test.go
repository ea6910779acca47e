package app_test

import (
	"context"
	"testing"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

func TestSubscribers(t *testing.T) {
	w := newJobWorld(t)
	ctx := jobContext(t)
	// A subscriber that reads nothing while the job runs must not hold it
	// up, and still learns how the job ended.
	slow, stopSlow := w.jobs.Subscribe()
	defer stopSlow()
	fast, stopFast := w.jobs.Subscribe()
	defer stopFast()
	const files = 500
	var seen []domain.Job
	done, sawHalf := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		half := false
		for j := range fast {
			seen = append(seen, j)
			if j.FilesDone == files/2 && !half {
				half = true
				close(sawHalf)
			}
			if j.State.Ended() {
				return
			}
		}
	}()

	release := make(chan struct{})
	j, err := w.jobs.Start(ctx, domain.JobUpload, 1, func(ctx context.Context, p *app.Progress) error {
		p.SetTotal(files, files)
		for range files / 2 {
			p.AddBytes(1)
			p.FileDone("x.jpg", app.Uploaded, nil)
		}
		<-release // the fast subscriber sees the job running
		for range files / 2 {
			p.AddBytes(1)
			p.FileDone("x.jpg", app.Uploaded, nil)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	select { // progress is published while the job runs
	case <-sawHalf:
	case <-ctx.Done():
		t.Fatal("the fast subscriber never saw the job halfway")
	}
	close(release)
	end, err := w.jobs.Wait(ctx, j.ID)
	if err != nil || end.State != domain.JobDone {
		t.Fatalf("Wait: %+v, %v", end, err)
	}
	<-done
	if len(seen) < 2 || seen[0].State.Ended() || seen[len(seen)-1].State != domain.JobDone || seen[len(seen)-1].FilesDone != files {
		t.Fatalf("the fast subscriber saw %d updates, from %+v to %+v; want queued or running first and done with %d files last",
			len(seen), seen[0], seen[len(seen)-1], files)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i].FilesDone < seen[i-1].FilesDone {
			t.Fatalf("update %d went back from %d to %d files", i, seen[i-1].FilesDone, seen[i].FilesDone)
		}
	}
	if len(seen) > files {
		t.Errorf("the subscriber got %d updates for %d changes: updates are not merged", len(seen), 2*files)
	}
	// The slow subscriber gets the update it held when it fell behind (the
	// first) and one merged update: the final state.
	var slowSeen []domain.Job
	for u := range slow {
		slowSeen = append(slowSeen, u)
		if u.State.Ended() {
			break
		}
	}
	last := slowSeen[len(slowSeen)-1]
	if len(slowSeen) > 2 || last.ID != j.ID || last.State != domain.JobDone || last.FilesDone != files {
		t.Fatalf("the slow subscriber got %d updates ending with %+v, want at most 2 ending with the final state", len(slowSeen), last)
	}
	stopSlow()
	if _, ok := <-slow; ok {
		t.Error("the channel stays open after the subscription ended")
	}
}

func TestSubscribeSeesRunningJobs(t *testing.T) {
	w := newJobWorld(t)
	ctx := jobContext(t)
	started := make(chan struct{})
	j, err := w.jobs.Start(ctx, domain.JobIndex, 0, blockingWork(started, nil))
	if err != nil {
		t.Fatal(err)
	}
	<-started
	ch, stop := w.jobs.Subscribe()
	defer stop()
	if got := <-ch; got.ID != j.ID || got.State.Ended() {
		t.Fatalf("a new subscriber first got %+v, want the running job %d", got, j.ID)
	}
}

func TestCloseInterruptsJobsAndEndsSubscriptions(t *testing.T) {
	w := newJobWorld(t)
	ctx := jobContext(t)
	ch, stop := w.jobs.Subscribe()
	defer stop()
	started := make(chan struct{})
	j, err := w.jobs.Start(ctx, domain.JobUpload, 1, blockingWork(started, nil))
	if err != nil {
		t.Fatal(err)
	}
	<-started
	w.jobs.Close() // returns once the job has stored how it ended

	stored := w.stored(t, j.ID)
	if stored.State != domain.JobFailed || stored.Error != app.InterruptedMessage || stored.FilesDone != 1 || stored.FinishedAt.IsZero() {
		t.Fatalf("a job running at Close is stored as %+v, want failed: %q with 1 file done", stored, app.InterruptedMessage)
	}
	var last domain.Job
	for u := range ch { // ends: Close ends subscriptions
		last = u
	}
	if last.ID != j.ID || last.State != domain.JobFailed {
		t.Fatalf("the subscriber's last update was %+v, want the job failed", last)
	}
	if _, err := w.jobs.Start(ctx, domain.JobUpload, 1, blockingWork(make(chan struct{}), nil)); domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Errorf("Start after Close: %v, want EUNAVAILABLE", err)
	}
	after, stopAfter := w.jobs.Subscribe()
	defer stopAfter()
	if _, ok := <-after; ok {
		t.Error("Subscribe after Close returned an open channel")
	}
}

func TestRecover(t *testing.T) {
	w := newJobWorld(t)
	ctx := jobContext(t)
	var ids []int64
	for _, st := range []domain.JobState{domain.JobRunning, domain.JobQueued, domain.JobDone, domain.JobCancelled} {
		j := domain.Job{Kind: domain.JobUpload, AccountID: 1, State: st, FilesDone: 3}
		if err := w.store.CreateJob(ctx, &j); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	if err := w.jobs.Recover(ctx); err != nil {
		t.Fatal(err)
	}
	for i, want := range []domain.JobState{domain.JobFailed, domain.JobFailed, domain.JobDone, domain.JobCancelled} {
		got := w.stored(t, ids[i])
		if got.State != want || got.FilesDone != 3 {
			t.Errorf("job %d after Recover: %s with %d files, want %s with 3", ids[i], got.State, got.FilesDone, want)
		}
		if interrupted := got.Error == app.InterruptedMessage && !got.FinishedAt.IsZero(); interrupted != (want == domain.JobFailed) {
			t.Errorf("job %d after Recover: error %q, finished %v", ids[i], got.Error, got.FinishedAt)
		}
	}
}

// TestJobOfAnotherProcess: a job running elsewhere (found only in the
// store) cannot be cancelled from here, and Wait follows it in the store.
func TestJobOfAnotherProcess(t *testing.T) {
	w := newJobWorld(t)
	ctx := jobContext(t)
	j := domain.Job{Kind: domain.JobUpload, AccountID: 1, State: domain.JobRunning}
	if err := w.store.CreateJob(ctx, &j); err != nil {
		t.Fatal(err)
	}
	if err := w.jobs.Cancel(ctx, j.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("Cancel of another process's job: %v, want ECONFLICT", err)
	}
	waited := make(chan domain.Job)
	go func() {
		end, err := w.jobs.Wait(ctx, j.ID)
		if err != nil {
			t.Errorf("Wait: %v", err)
		}
		waited <- end
	}()
	if _, err := w.store.UpdateJob(ctx, j.ID, func(x *domain.Job) error { x.State = domain.JobDone; return nil }); err != nil {
		t.Fatal(err)
	}
	if end := <-waited; end.State != domain.JobDone {
		t.Fatalf("Wait returned %+v, want the job done", end)
	}
}
