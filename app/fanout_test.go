package app_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// connectOther connects a second account on the world's server with sync
// on, hourly, on folder.
func connectOther(t *testing.T, w *syncWorld, folder string, in app.AccountInput) domain.Account {
	t.Helper()
	in.URL, in.Username, in.Password = ptr("https://dav.example.com/"), ptr("bob"), ptr("hunter2")
	in.SyncFolder = ptr(folder)
	if in.SyncEnabled == nil {
		in.SyncEnabled = ptr(true)
	}
	if in.SyncInterval == nil {
		in.SyncInterval = ptr(time.Hour)
	}
	a, err := w.accounts.Connect(context.Background(), in)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func accountIDs(reqs []domain.SyncRequest) []int64 {
	ids := make([]int64, len(reqs))
	for i, r := range reqs {
		ids[i] = r.AccountID
	}
	slices.Sort(ids)
	return ids
}

// TestFanOutEnqueuesDueAccounts: a scheduled invocation in fan-out mode
// sends one request per due account and runs nothing; none when nothing
// is due; the requests, run by a worker, sync the accounts.
func TestFanOutEnqueuesDueAccounts(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	w.put(t, "/Photos/a.jpg", pic(t, "a"), syncTime)
	w.put(t, "/Daily/b.jpg", pic(t, "b"), syncTime)
	hourly := w.account
	daily := connectOther(t, w, "/Daily", app.AccountInput{SyncInterval: ptr(24 * time.Hour)})
	byHand := connectOther(t, w, "/Hand", app.AccountInput{SyncInterval: ptr(time.Duration(0))})
	off := connectOther(t, w, "/Off", app.AccountInput{SyncEnabled: ptr(false)})
	q := memory.NewSyncQueue()
	f := app.NewFanOut(w.sched, w.syncer, q, w.clock, slog.New(slog.DiscardHandler))

	sent, err := f.EnqueueDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	queued := q.Take()
	if want := []int64{hourly.ID, daily.ID}; !slices.Equal(accountIDs(queued), want) || !slices.Equal(accountIDs(sent), want) {
		t.Fatalf("queued %v, answered %v; want one request each for %v", queued, sent, want)
	}
	for _, r := range queued {
		if !r.RequestedAt.Equal(w.clock.Now()) {
			t.Errorf("request %+v not made at the clock's %v", r, w.clock.Now())
		}
	}
	for _, a := range []domain.Account{hourly, daily, byHand, off} {
		if runs, _ := w.syncer.Runs(ctx, a.ID, 1); len(runs) != 0 {
			t.Fatalf("enqueueing ran a sync of account %d: %+v", a.ID, runs)
		}
	}

	outcomes := f.Run(ctx, queued)
	for _, o := range outcomes {
		if o.Err != nil || o.Retry || o.Skipped != "" || !o.Run.Complete || o.Run.Downloaded != 1 {
			t.Errorf("account %d: %+v; want a complete run that downloaded one file", o.Request.AccountID, o)
		}
	}

	if sent, err := f.EnqueueDue(ctx); err != nil || len(sent) != 0 || len(q.Take()) != 0 {
		t.Fatalf("right after the runs: queued %v, %v; want nothing", sent, err)
	}
	w.clock.Advance(59 * time.Minute)
	if sent, err := f.EnqueueDue(ctx); err != nil || len(sent) != 0 || len(q.Take()) != 0 {
		t.Fatalf("within the hour: queued %v, %v; want nothing", sent, err)
	}
	w.clock.Advance(time.Minute)
	if _, err := f.EnqueueDue(ctx); err != nil {
		t.Fatal(err)
	}
	if got := q.Take(); !slices.Equal(accountIDs(got), []int64{hourly.ID}) {
		t.Fatalf("after an hour queued %v; want only %d", got, hourly.ID)
	}
}

// TestFanOutEnqueueRefused: the accounts the queue refuses are named in
// the error and left out of the answer; the others are queued.
func TestFanOutEnqueueRefused(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	other := connectOther(t, w, "/Other", app.AccountInput{})
	q := memory.NewSyncQueue()
	q.Refuse(func(r domain.SyncRequest) error {
		if r.AccountID == other.ID {
			return domain.Errorf(domain.EUNAVAILABLE, "the queue is throttled")
		}
		return nil
	})
	sent, err := app.NewFanOut(w.sched, w.syncer, q, w.clock, slog.New(slog.DiscardHandler)).EnqueueDue(ctx)
	var ee *domain.EnqueueError
	if !errors.As(err, &ee) || len(ee.Failed) != 1 || ee.Failed[0].Request.AccountID != other.ID ||
		!strings.Contains(err.Error(), "the queue is throttled") {
		t.Fatalf("EnqueueDue error %v; want account %d refused", err, other.ID)
	}
	if !slices.Equal(accountIDs(sent), []int64{w.account.ID}) || !slices.Equal(accountIDs(q.Take()), []int64{w.account.ID}) {
		t.Fatalf("answered %v; want only account %d", sent, w.account.ID)
	}
}

// TestFanOutRunReportsEachFailure: a worker handed requests for a healthy
// account, one whose server fails, one synced since its request, an
// unknown one and one whose sync is off runs what it should and marks
// only the failing server's request for another try.
func TestFanOutRunReportsEachFailure(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	w.put(t, "/Photos/a.jpg", pic(t, "a"), syncTime)
	broken := connectOther(t, w, "/Broken", app.AccountInput{})
	done := connectOther(t, w, "/Done", app.AccountInput{})
	off := connectOther(t, w, "/Off", app.AccountInput{SyncEnabled: ptr(false)})
	w.setFault(func(op, p string) error {
		if strings.HasPrefix(p, "/Broken") {
			return domain.RemoteErrorf(domain.EUNAVAILABLE, "the server does not answer")
		}
		return nil
	})
	f := app.NewFanOut(w.sched, w.syncer, memory.NewSyncQueue(), w.clock, slog.New(slog.DiscardHandler))
	asked := w.clock.Now()
	if o := f.Run(ctx, []domain.SyncRequest{{AccountID: done.ID, RequestedAt: asked}}); o[0].Err != nil || !o[0].Run.Complete {
		t.Fatalf("the first run of account %d: %+v", done.ID, o[0])
	}
	w.clock.Advance(time.Minute)

	reqs := []domain.SyncRequest{
		{AccountID: w.account.ID, RequestedAt: asked},
		{AccountID: broken.ID, RequestedAt: asked},
		{AccountID: done.ID, RequestedAt: asked}, // delivered twice
		{AccountID: 999, RequestedAt: asked},
		{AccountID: off.ID, RequestedAt: asked},
	}
	out := f.Run(ctx, reqs)
	if len(out) != len(reqs) {
		t.Fatalf("%d outcomes for %d requests", len(out), len(reqs))
	}
	for i, o := range out {
		if o.Request != reqs[i] {
			t.Errorf("outcome %d is of %+v, want %+v", i, o.Request, reqs[i])
		}
	}
	if o := out[0]; o.Err != nil || o.Retry || !o.Run.Complete || o.Run.Downloaded != 1 {
		t.Errorf("the healthy account: %+v", o)
	}
	if o := out[1]; !o.Retry || domain.ErrorCode(o.Err) != domain.EUNAVAILABLE || o.Run.ID == 0 || o.Run.Complete {
		t.Errorf("the failing server: %+v; want a stopped run to retry", o)
	}
	for i, why := range map[int]string{2: "synced since", 3: "", 4: "turned off"} {
		if o := out[i]; o.Retry || o.Err != nil || o.Run.ID != 0 || o.Skipped == "" || !strings.Contains(o.Skipped, why) {
			t.Errorf("request %d (account %d): %+v; want it passed over (%q) and not retried", i, o.Request.AccountID, o, why)
		}
	}
	if runs, _ := w.syncer.Runs(ctx, done.ID, 5); len(runs) != 1 {
		t.Errorf("account %d, delivered twice, ran %d times", done.ID, len(runs))
	}

	// A request made after the last run is run again.
	later := domain.SyncRequest{AccountID: done.ID, RequestedAt: w.clock.Now()}
	if o := f.Run(ctx, []domain.SyncRequest{later}); o[0].Skipped != "" || o[0].Run.ID == 0 {
		t.Errorf("a newer request: %+v; want a run", o[0])
	}
}

// TestFanOutRunOutOfTime: a run stopped by the invocation's deadline keeps
// what it did and is not retried (the next scheduled invocation asks
// again, the run being unfinished).
func TestFanOutRunOutOfTime(t *testing.T) {
	w := newSyncWorld(t)
	w.put(t, "/Photos/a.jpg", pic(t, "a"), syncTime)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	o := app.NewFanOut(w.sched, w.syncer, memory.NewSyncQueue(), w.clock, slog.New(slog.DiscardHandler)).Run(ctx, []domain.SyncRequest{{AccountID: w.account.ID, RequestedAt: w.clock.Now()}})[0]
	if o.Retry || !errors.Is(o.Err, context.DeadlineExceeded) {
		t.Fatalf("out of time: %+v; want a deadline error not retried", o)
	}
}
