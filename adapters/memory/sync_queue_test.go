package memory_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func TestSyncQueue(t *testing.T) {
	porttest.TestSyncQueue(t, func(t *testing.T) (ports.SyncQueue, func(t *testing.T) []domain.SyncRequest) {
		q := memory.NewSyncQueue()
		return q, func(t *testing.T) []domain.SyncRequest { return q.Take() }
	})
}

// TestSyncQueueRefuses: refused requests are listed in the error, the
// others queued.
func TestSyncQueueRefuses(t *testing.T) {
	q := memory.NewSyncQueue()
	q.Refuse(func(r domain.SyncRequest) error {
		if r.AccountID == 2 {
			return domain.Errorf(domain.EUNAVAILABLE, "the queue is down")
		}
		return nil
	})
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	err := q.Enqueue(context.Background(), []domain.SyncRequest{{AccountID: 1, RequestedAt: now}, {AccountID: 2, RequestedAt: now}, {AccountID: 3, RequestedAt: now}})
	var ee *domain.EnqueueError
	if !errors.As(err, &ee) || len(ee.Failed) != 1 || ee.Failed[0].Request.AccountID != 2 || domain.ErrorCode(err) != domain.EUNAVAILABLE {
		t.Fatalf("Enqueue: %v; want account 2 refused as EUNAVAILABLE", err)
	}
	if got := q.Take(); len(got) != 2 || got[0].AccountID != 1 || got[1].AccountID != 3 {
		t.Fatalf("queued %v; want accounts 1 and 3", got)
	}
}
