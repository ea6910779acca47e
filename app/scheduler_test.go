package app_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

func TestIsDue(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	on := domain.Account{SyncEnabled: true, SyncInterval: time.Hour, Status: domain.StatusOK}
	with := func(fn func(*domain.Account)) domain.Account { a := on; fn(&a); return a }
	tests := []struct {
		name string
		a    domain.Account
		due  bool
	}{
		{"never synced", on, true},
		{"last run an interval ago", with(func(a *domain.Account) { a.LastSyncAt = now.Add(-time.Hour) }), true},
		{"last run longer ago", with(func(a *domain.Account) { a.LastSyncAt = now.Add(-30 * time.Hour) }), true},
		{"last run within the interval", with(func(a *domain.Account) { a.LastSyncAt = now.Add(-59 * time.Minute) }), false},
		{"interval 0: only by hand", with(func(a *domain.Account) { a.SyncInterval = 0 }), false},
		{"sync off", with(func(a *domain.Account) { a.SyncEnabled = false }), false},
		{"password refused", with(func(a *domain.Account) { a.Status = domain.StatusUnauthorized }), false},
		{"server failing last time", with(func(a *domain.Account) { a.Status = domain.StatusError }), true},
	}
	for _, tt := range tests {
		if got := app.IsDue(tt.a, now); got != tt.due {
			t.Errorf("%s: IsDue = %v, want %v", tt.name, got, tt.due)
		}
	}
}

// TestSchedulerRunsDueAccounts: with a fake clock, RunDue starts a sync
// job for each due account (never synced, or an interval ago), none for an
// account synced within its interval, with interval 0 or sync off, and
// passes over an account whose sync runs elsewhere.
func TestSchedulerRunsDueAccounts(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	w.put(t, "/Photos/a.jpg", pic(t, "a"), syncTime)
	connect := func(in app.AccountInput) domain.Account {
		t.Helper()
		in.URL, in.Username, in.Password = ptr("https://dav.example.com/"), ptr("bob"), ptr("hunter2")
		a, err := w.accounts.Connect(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	hourly := w.account
	byHand := connect(app.AccountInput{SyncEnabled: ptr(true), SyncInterval: ptr(time.Duration(0))})
	off := connect(app.AccountInput{SyncEnabled: ptr(false), SyncInterval: ptr(time.Hour)})
	daily := connect(app.AccountInput{SyncEnabled: ptr(true), SyncInterval: ptr(24 * time.Hour), SyncFolder: ptr("/Other")})

	run := func() []int64 {
		t.Helper()
		jobs, err := w.sched.RunDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, j := range jobs {
			end, err := w.jobs.Wait(ctx, j.ID)
			if err != nil || end.State != domain.JobDone || end.Kind != domain.JobSync {
				t.Fatalf("job %+v, %v", end, err)
			}
			ids = append(ids, j.AccountID)
		}
		slices.Sort(ids)
		return ids
	}
	if got := run(); !slices.Equal(got, []int64{hourly.ID, daily.ID}) {
		t.Fatalf("first tick started %v; want %d and %d", got, hourly.ID, daily.ID)
	}
	if got := run(); len(got) != 0 {
		t.Fatalf("a tick right after started %v", got)
	}
	w.clock.Advance(59 * time.Minute)
	if due, _ := w.sched.Due(ctx, app.DuePolicy{}); len(due) != 0 {
		t.Fatalf("due within the hour: %v", due)
	}
	w.clock.Advance(time.Minute)
	if got := run(); !slices.Equal(got, []int64{hourly.ID}) {
		t.Fatalf("after an hour started %v; want %d", got, hourly.ID)
	}

	// A run of the account elsewhere: the tick passes over it.
	w.clock.Advance(time.Hour)
	if err := w.leases.AcquireLease(ctx, "sync:1", "another process", w.clock.Now(), time.Hour); err != nil {
		t.Fatal(err)
	}
	if got := run(); len(got) != 0 {
		t.Fatalf("started %v while the sync runs elsewhere", got)
	}
	for _, a := range []domain.Account{byHand, off} {
		if runs, _ := w.syncer.Runs(ctx, a.ID, 5); len(runs) != 0 {
			t.Errorf("account %d (%s) was synced: %v", a.ID, a.Name, runs)
		}
	}
}

// TestSyncStartAsJob: Start runs a sync as a job that counts the files
// and records the run with its job, and refuses an unknown account or one
// whose sync is off (a dry run of that one works).
func TestSyncStartAsJob(t *testing.T) {
	w := newSyncWorld(t)
	ctx := context.Background()
	w.put(t, "/Photos/a.jpg", pic(t, "a"), syncTime)
	w.write(t, "b.jpg", pic(t, "b"), syncTime)
	j, err := jobOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, false))
	if err != nil {
		t.Fatal(err)
	}
	end, err := w.jobs.Wait(ctx, j.ID)
	if err != nil || end.State != domain.JobDone || end.Downloaded != 1 || end.Uploaded != 1 || end.FilesDone != 2 ||
		end.BytesDone != end.BytesTotal || end.BytesTotal == 0 {
		t.Fatalf("job %+v, %v", end, err)
	}
	runs, _ := w.syncer.Runs(ctx, w.account.ID, 1)
	if len(runs) != 1 || runs[0].JobID != j.ID {
		t.Errorf("runs %+v; want one of job %d", runs, j.ID)
	}

	w.edit(t, app.AccountInput{SyncEnabled: ptr(false)})
	if _, err := jobOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, false)); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Errorf("Start with sync off = %v", err)
	}
	if _, err := jobOf(w.syncer.Run(ctx, 99, app.ByHand, false)); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Start of an unknown account = %v", err)
	}
	if _, err := w.syncer.Plan(ctx, w.account.ID); err != nil {
		t.Errorf("a dry run with sync off: %v", err)
	}
}

// TestLoopIndexesLibrary: the scheduler's loop, the one owning every
// ticker, indexes the library at its start and then every IndexEvery,
// as jobs, beside its sync ticks.
func TestLoopIndexesLibrary(t *testing.T) {
	w := newSyncWorld(t)
	w.write(t, "b.jpg", pic(t, "b"), syncTime)
	w.sched.Indexer, w.sched.IndexEvery = w.indexer, 20*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.sched.Loop(ctx, time.Hour)
	}()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(20 * time.Second)
	for {
		jobs, err := w.jobs.Jobs(ctx, domain.JobFilter{Kind: domain.JobIndex})
		if err != nil {
			t.Fatal(err)
		}
		ended := 0
		for _, j := range jobs {
			if j.State == domain.JobDone && j.FilesTotal == 1 {
				ended++
			}
		}
		if ended >= 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("index jobs %+v; want two done, at the start and a tick later", jobs)
		}
		time.Sleep(time.Millisecond) // polling interval
	}
}
