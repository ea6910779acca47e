package domain_test

import (
	"errors"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestSyncRequestSatisfied(t *testing.T) {
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	r := domain.SyncRequest{AccountID: 1, RequestedAt: at}
	done := domain.SyncRun{ID: 5, AccountID: 1, StartedAt: at, Complete: true}
	with := func(fn func(*domain.SyncRun)) domain.SyncRun { run := done; fn(&run); return run }
	for _, tc := range []struct {
		name string
		last domain.SyncRun
		want bool
	}{
		{"complete run started at the request", done, true},
		{"complete run started after", with(func(r *domain.SyncRun) { r.StartedAt = at.Add(time.Minute) }), true},
		{"complete run started before", with(func(r *domain.SyncRun) { r.StartedAt = at.Add(-time.Second) }), false},
		{"run stopped before its end", with(func(r *domain.SyncRun) { r.Complete = false }), false},
		{"dry run", with(func(r *domain.SyncRun) { r.DryRun = true }), false},
		{"no run", domain.SyncRun{}, false},
	} {
		if got := r.Satisfied(tc.last); got != tc.want {
			t.Errorf("%s: Satisfied = %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestEnqueueError(t *testing.T) {
	down := domain.Errorf(domain.EUNAVAILABLE, "the queue is down")
	err := &domain.EnqueueError{Failed: []domain.EnqueueFailure{
		{Request: domain.SyncRequest{AccountID: 3}, Err: down},
		{Request: domain.SyncRequest{AccountID: 4}, Err: domain.Errorf(domain.EINVALID, "too big")},
		{Request: domain.SyncRequest{AccountID: 5}, Err: down},
	}}
	if want := "3 sync request(s) not queued: accounts 3, 5: the queue is down; account 4: too big"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !errors.Is(err, down) {
		t.Errorf("ErrorCode %s; want the first cause's", domain.ErrorCode(err))
	}
}
