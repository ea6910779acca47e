package app_test

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// recordingNotifier keeps what it was asked to send: the delivery itself
// is the webhook's test (alerts_dav_test.go); this one is about when.
type recordingNotifier struct {
	mu   sync.Mutex
	sent []domain.Alert
}

func (n *recordingNotifier) Notify(_ context.Context, _ string, a domain.Alert) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.sent = append(n.sent, a)
	return nil
}

func (n *recordingNotifier) CheckTarget(string) error { return nil }

// Each incident is told once when it opens and once when it ends: a
// refused password, a run waiting for confirmation, no successful sync for
// three intervals.
func TestAlertsOpenAndResolve(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, err := w.accounts.Connect(ctx, app.AccountInput{URL: ptr("https://dav.example.com/"), Username: ptr("bob"), Password: ptr("hunter2"),
		SyncEnabled: ptr(true), SyncInterval: ptr(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	syncStore := memory.NewSyncStore()
	backup := app.NewBackup(w.accounts, memory.NewLibraryStore(), syncStore, memory.NewUploadStore(), memory.NewProofStore(), app.SyncConfig{})
	box, _ := secrets.NewBox(make([]byte, 32))
	n := &recordingNotifier{}
	al := app.NewAlerter(w.accounts, syncStore, backup, memory.NewSettingStore(), box, n, w.clock, slog.New(slog.DiscardHandler), []string{"https://hooks.example/x"})
	events := func() []string {
		t.Helper()
		sent, err := al.Check(ctx)
		if err != nil {
			t.Fatalf("Check: %v", err)
		}
		var out []string
		for _, s := range sent {
			out = append(out, s.Event+":"+string(s.Kind))
		}
		return out
	}
	same := func(got []string, want ...string) {
		t.Helper()
		if len(got) != len(want) {
			t.Fatalf("alerts %v, want %v", got, want)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("alerts %v, want %v", got, want)
			}
		}
	}
	same(events())
	w.clock.Advance(3*time.Hour + time.Minute)
	same(events(), "no_success:no_success")
	same(events())
	setStatus := func(s domain.AccountStatus) {
		if _, err := w.store.UpdateAccount(ctx, a.ID, func(x *domain.Account) error { x.Status = s; return nil }); err != nil {
			t.Fatal(err)
		}
	}
	setStatus(domain.StatusUnauthorized)
	same(events(), "password_refused:password_refused")
	same(events())
	setStatus(domain.StatusNeedsReview)
	same(events(), "needs_review:needs_review", "resolved:password_refused")
	run := domain.SyncRun{AccountID: a.ID, JobID: 1, StartedAt: w.clock.Now(), FinishedAt: w.clock.Now(), Complete: true}
	if err := syncStore.CreateRun(ctx, &run); err != nil {
		t.Fatal(err)
	}
	setStatus(domain.StatusOK)
	same(events(), "resolved:needs_review", "resolved:no_success")
	same(events())
	if len(n.sent) != 6 {
		t.Errorf("%d notifications sent, want 6", len(n.sent))
	}
}
