package app_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// countingStore is a memory job store that counts updates, to see the
// throttling of progress writes.
type countingStore struct {
	*memory.JobStore
	updates atomic.Int64
}

func (s *countingStore) UpdateJob(ctx context.Context, id int64, fn func(*domain.Job) error) (domain.Job, error) {
	s.updates.Add(1)
	return s.JobStore.UpdateJob(ctx, id, fn)
}

type jobWorld struct {
	jobs  *app.Jobs
	store *countingStore
	clock *memory.Clock
	logs  *jobLogBuffer
}

// jobLogBuffer is a log buffer that jobs' goroutines may write while the
// test reads it.
type jobLogBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *jobLogBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *jobLogBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// newJobWorld returns Jobs on a memory store. At the end of the test it
// closes them and checks that every goroutine they started has ended.
func newJobWorld(t *testing.T) *jobWorld {
	t.Helper()
	before := runtime.NumGoroutine()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	w := &jobWorld{store: &countingStore{JobStore: memory.NewJobStore(clock)}, clock: clock, logs: &jobLogBuffer{}}
	w.jobs = app.NewJobs(w.store, clock, slog.New(slog.NewTextHandler(w.logs, nil)))
	t.Cleanup(func() {
		w.jobs.Close()
		untilJobs(t, "every goroutine of the jobs ends", func() bool { return runtime.NumGoroutine() <= before })
	})
	return w
}

// untilJobs polls cond until it holds or five seconds pass.
func untilJobs(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting until %s", what)
		}
		runtime.Gosched()
		time.Sleep(time.Millisecond) // polling interval, not synchronisation
	}
}

// jobContext returns a context that ends after five seconds, so that a test
// waiting for a job that never ends fails instead of hanging.
func jobContext(t *testing.T) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func (w *jobWorld) stored(t *testing.T, id int64) domain.Job {
	t.Helper()
	j, err := w.store.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestJobOutcomes(t *testing.T) {
	for _, tc := range []struct {
		name      string
		work      func(ctx context.Context, p *app.Progress) error
		state     domain.JobState
		error     string
		errors    []domain.JobError
		uploaded  int
		skipped   int
		failed    int
		bytesDone int64
	}{{
		name: "done",
		work: func(ctx context.Context, p *app.Progress) error {
			p.SetTotal(3, 300)
			p.AddBytes(100)
			p.FileDone("a.jpg", app.Uploaded, nil)
			p.AddBytes(100)
			p.FileDone("b.dng", app.Uploaded, nil)
			p.FileDone("c.xmp", app.Skipped, nil)
			return nil
		},
		state: domain.JobDone, uploaded: 2, skipped: 1, bytesDone: 200,
	}, {
		name: "partial",
		work: func(ctx context.Context, p *app.Progress) error {
			p.SetTotal(3, 300)
			p.FileDone("a.jpg", app.Uploaded, nil)
			p.FileDone("b.jpg", app.Failed, domain.RemoteErrorf(domain.EUNAVAILABLE, "the server answered 507: insufficient storage"))
			p.FileDone("c.jpg", app.Failed, errors.New("SQL detail that must not show"))
			return nil
		},
		state: domain.JobPartial, uploaded: 1, failed: 2,
		errors: []domain.JobError{{Path: "b.jpg", Message: "the server answered 507: insufficient storage"}, {Path: "c.jpg", Message: "internal error"}},
	}, {
		name: "failed",
		work: func(ctx context.Context, p *app.Progress) error {
			p.FileDone("a.jpg", app.Uploaded, nil)
			return domain.Errorf(domain.ENOTFOUND, "account 3 not found")
		},
		state: domain.JobFailed, error: "account 3 not found", uploaded: 1,
	}, {
		name:  "internal error",
		work:  func(ctx context.Context, p *app.Progress) error { return errors.New("disk I/O error at /secret/path") },
		state: domain.JobFailed, error: "internal error",
	}, {
		name:  "panic",
		work:  func(ctx context.Context, p *app.Progress) error { panic("broken work") },
		state: domain.JobFailed, error: "internal error",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			w := newJobWorld(t)
			j, err := w.jobs.Run(jobContext(t), domain.JobUpload, 7, tc.work)
			if err != nil {
				t.Fatal(err)
			}
			if j.State != tc.state || j.Error != tc.error {
				t.Errorf("job ended %s with error %q, want %s with %q", j.State, j.Error, tc.state, tc.error)
			}
			if j.Uploaded != tc.uploaded || j.Skipped != tc.skipped || j.Failed != tc.failed || j.BytesDone != tc.bytesDone {
				t.Errorf("counts: uploaded %d, skipped %d, failed %d, bytes %d; want %d, %d, %d, %d",
					j.Uploaded, j.Skipped, j.Failed, j.BytesDone, tc.uploaded, tc.skipped, tc.failed, tc.bytesDone)
			}
			if len(j.Errors) != len(tc.errors) || (len(tc.errors) > 0 && !equalErrors(j.Errors, tc.errors)) {
				t.Errorf("errors %v, want %v", j.Errors, tc.errors)
			}
			if j.Kind != domain.JobUpload || j.AccountID != 7 || j.StartedAt.IsZero() || j.FinishedAt.IsZero() {
				t.Errorf("job %+v: want kind upload, account 7 and both times set", j)
			}
			stored := w.stored(t, j.ID)
			if stored.State != j.State || stored.Error != j.Error || stored.FilesDone != j.FilesDone ||
				stored.Failed != j.Failed || !stored.FinishedAt.Equal(j.FinishedAt) || !equalErrors(stored.Errors, j.Errors) {
				t.Errorf("stored job %+v differs from the job Run returned %+v", stored, j)
			}
			if tc.name == "panic" && !strings.Contains(w.logs.String(), "broken work") {
				t.Errorf("the panic is not in the log:\n%s", w.logs)
			}
		})
	}
}

func equalErrors(a, b []domain.JobError) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// blockingWork finishes one file, tells started, then waits for its
// context (returning its error) or for release (returning nil).
func blockingWork(started chan<- struct{}, release <-chan struct{}) func(ctx context.Context, p *app.Progress) error {
	return func(ctx context.Context, p *app.Progress) error {
		p.SetTotal(10, 1000)
		p.AddBytes(100)
		p.FileDone("first.jpg", app.Uploaded, nil)
		close(started)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-release:
			return nil
		}
	}
}

func TestCancel(t *testing.T) {
	w := newJobWorld(t)
	ctx := jobContext(t)
	started := make(chan struct{})
	j, err := w.jobs.Start(ctx, domain.JobUpload, 1, blockingWork(started, nil))
	if err != nil {
		t.Fatal(err)
	}
	if j.ID == 0 || j.State != domain.JobQueued {
		t.Fatalf("Start returned %+v, want a queued job with an ID", j)
	}
	<-started
	// The live view shows the progress before it is stored.
	if live, err := w.jobs.Job(ctx, j.ID); err != nil || live.FilesDone != 1 || live.State != domain.JobRunning {
		t.Fatalf("Job while running: %+v, %v; want running with 1 file done", live, err)
	}
	if list, err := w.jobs.Jobs(ctx, domain.JobFilter{}); err != nil || len(list) != 1 || list[0].FilesDone != 1 {
		t.Fatalf("Jobs while running: %+v, %v; want the job with 1 file done", list, err)
	}
	if err := w.jobs.Cancel(ctx, j.ID); err != nil {
		t.Fatalf("Cancel: %v", err)
	}
	end, err := w.jobs.Wait(ctx, j.ID)
	if err != nil {
		t.Fatalf("Wait: %v (the work did not stop when cancelled)", err)
	}
	if end.State != domain.JobCancelled || end.FilesDone != 1 || end.Error != "" {
		t.Fatalf("cancelled job ended %+v, want cancelled with 1 file done", end)
	}
	if stored := w.stored(t, j.ID); stored.State != domain.JobCancelled || stored.FilesDone != 1 {
		t.Fatalf("stored cancelled job: %+v", stored)
	}
	if err := w.jobs.Cancel(ctx, j.ID); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("Cancel of an ended job: %v, want ECONFLICT", err)
	}
	if err := w.jobs.Cancel(ctx, j.ID+1); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Cancel of a missing job: %v, want ENOTFOUND", err)
	}
	if _, err := w.jobs.Wait(ctx, j.ID+1); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Wait for a missing job: %v, want ENOTFOUND", err)
	}
}

func TestRunCancelledByItsContext(t *testing.T) {
	w := newJobWorld(t)
	ctx, cancel := context.WithCancel(jobContext(t))
	started := make(chan struct{})
	go func() {
		<-started
		cancel() // as Ctrl-C does in the CLI
	}()
	j, err := w.jobs.Run(ctx, domain.JobSync, 2, blockingWork(started, nil))
	if err != nil {
		t.Fatal(err)
	}
	if j.State != domain.JobCancelled || j.FilesDone != 1 {
		t.Fatalf("Run ended %+v, want cancelled with 1 file done", j)
	}
	if _, err := w.jobs.Run(ctx, domain.JobSync, 2, blockingWork(make(chan struct{}), nil)); !errors.Is(err, context.Canceled) {
		t.Errorf("Run with a cancelled context: %v, want context.Canceled", err)
	}
}

// TestRunWithinItsCallersDeadline: a job of Run works within its caller's
// context, deadline included (a Lambda invocation's); work stopped by that
// deadline ends the job failed, saying the time ran out.
func TestRunWithinItsCallersDeadline(t *testing.T) {
	w := newJobWorld(t)
	ctx, cancel := context.WithTimeout(jobContext(t), 50*time.Millisecond)
	defer cancel()
	sawDeadline := false
	j, err := w.jobs.Run(ctx, domain.JobSync, 2, func(ctx context.Context, p *app.Progress) error {
		_, sawDeadline = ctx.Deadline()
		p.SetTotal(2, 20)
		p.FileDone("a.jpg", app.Uploaded, nil)
		<-ctx.Done()
		return ctx.Err()
	})
	if err != nil {
		t.Fatal(err)
	}
	if !sawDeadline || j.State != domain.JobFailed || j.Error != "stopped: the time for the job ran out" || j.FilesDone != 1 {
		t.Fatalf("Run ended %+v (work saw a deadline: %v); want failed, the time ran out, 1 file done", j, sawDeadline)
	}
	if stored, err := w.jobs.Job(context.Background(), j.ID); err != nil || stored.State != domain.JobFailed {
		t.Fatalf("stored job %+v, %v", stored, err)
	}
}

// TestWorkThatFinishesIsDone: work that returns nil having done every
// file ends done even when cancelled at the last moment.
func TestWorkThatFinishesIsDone(t *testing.T) {
	w := newJobWorld(t)
	ctx, cancel := context.WithCancel(jobContext(t))
	j, err := w.jobs.Run(ctx, domain.JobUpload, 1, func(ctx context.Context, p *app.Progress) error {
		p.SetTotal(1, 10)
		p.FileDone("a.jpg", app.Uploaded, nil)
		cancel()
		return nil
	})
	if err != nil || j.State != domain.JobDone {
		t.Fatalf("Run: %+v, %v; want done", j, err)
	}
}

func TestProgressIsStoredThrottled(t *testing.T) {
	w := newJobWorld(t)
	ctx := jobContext(t)
	const updates = 2000
	halfway, release := make(chan struct{}), make(chan struct{})
	j, err := w.jobs.Start(ctx, domain.JobUpload, 1, func(ctx context.Context, p *app.Progress) error {
		p.SetTotal(2, 2*updates)
		for range updates {
			p.AddBytes(1)
		}
		p.FileDone("a.jpg", app.Uploaded, nil)
		close(halfway)
		<-release
		for range updates {
			p.AddBytes(1)
		}
		p.FileDone("b.jpg", app.Uploaded, nil)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	<-halfway
	// Progress reaches the store while the job runs, not only at its end.
	untilJobs(t, "the store has the progress of the first file", func() bool {
		return w.stored(t, j.ID).BytesDone == updates
	})
	close(release)
	end, err := w.jobs.Wait(ctx, j.ID)
	if err != nil {
		t.Fatal(err)
	}
	stored := w.stored(t, j.ID)
	if end.BytesDone != 2*updates || stored.BytesDone != 2*updates || stored.FilesDone != 2 || stored.State != domain.JobDone {
		t.Fatalf("final job %+v, stored %+v: want %d bytes and 2 files done", end, stored, 2*updates)
	}
	if n := w.store.updates.Load(); n > 50 {
		t.Errorf("%d progress updates made %d store writes, want far fewer", 2*updates+4, n)
	}
}

func TestOneIndexAtATime(t *testing.T) {
	w := newJobWorld(t)
	ctx := jobContext(t)
	started, release := make(chan struct{}), make(chan struct{})
	first, err := w.jobs.Start(ctx, domain.JobIndex, 0, blockingWork(started, release))
	if err != nil {
		t.Fatal(err)
	}
	<-started
	_, err = w.jobs.Start(ctx, domain.JobIndex, 0, blockingWork(make(chan struct{}), nil))
	if domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != "an index is already running" {
		t.Fatalf("a second index: %v, want ECONFLICT", err)
	}
	// Uploads run side by side, to one account too.
	for range 2 {
		j, err := w.jobs.Run(ctx, domain.JobUpload, 1, func(context.Context, *app.Progress) error { return nil })
		if err != nil || j.State != domain.JobDone {
			t.Fatalf("an upload while an index runs: %+v, %v", j, err)
		}
	}
	close(release)
	if end, err := w.jobs.Wait(ctx, first.ID); err != nil || end.State != domain.JobDone {
		t.Fatalf("first index: %+v, %v", end, err)
	}
	if j, err := w.jobs.Run(ctx, domain.JobIndex, 0, func(context.Context, *app.Progress) error { return nil }); err != nil || j.State != domain.JobDone {
		t.Fatalf("an index after the first ended: %+v, %v", j, err)
	}
	if _, err := w.jobs.Start(ctx, "defragment", 0, blockingWork(make(chan struct{}), nil)); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("unknown kind: %v, want EINVALID", err)
	}
}
