package porttest

import (
	"cmp"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestSyncQueue runs the SyncQueue contract. newQueue must return a new,
// empty queue and a function that receives every request queued so far
// that no earlier call received (as a worker would, in any order); it is
// called once per subtest.
func TestSyncQueue(t *testing.T, newQueue func(t *testing.T) (ports.SyncQueue, func(t *testing.T) []domain.SyncRequest)) {
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 10, 15, 0, 123456789, time.UTC)

	t.Run("Nothing", func(t *testing.T) {
		q, receive := newQueue(t)
		if err := q.Enqueue(ctx, nil); err != nil {
			t.Fatalf("Enqueue of no requests: %v", err)
		}
		if got := receive(t); len(got) != 0 {
			t.Fatalf("received %v after no requests", got)
		}
	})

	t.Run("EachOnceWhole", func(t *testing.T) {
		q, receive := newQueue(t)
		// More than one batch of most queue services (SQS: 10).
		var want []domain.SyncRequest
		for i := range 23 {
			want = append(want, domain.SyncRequest{AccountID: int64(1000 + i), RequestedAt: at.Add(time.Duration(i) * time.Second)})
		}
		if err := q.Enqueue(ctx, want[:3]); err != nil {
			t.Fatalf("Enqueue of 3: %v", err)
		}
		if err := q.Enqueue(ctx, want[3:]); err != nil {
			t.Fatalf("Enqueue of 20: %v", err)
		}
		got := receive(t)
		checkRequests(t, got, want)
		if again := receive(t); len(again) != 0 {
			t.Fatalf("received %d requests again", len(again))
		}
	})

	t.Run("LocalTime", func(t *testing.T) {
		q, receive := newQueue(t)
		r := domain.SyncRequest{AccountID: 7, RequestedAt: at.In(time.FixedZone("CET", 3600))}
		if err := q.Enqueue(ctx, []domain.SyncRequest{r}); err != nil {
			t.Fatal(err)
		}
		checkRequests(t, receive(t), []domain.SyncRequest{r})
	})
}

// checkRequests compares requests as sets: a queue need not keep order.
func checkRequests(t *testing.T, got, want []domain.SyncRequest) {
	t.Helper()
	byAccount := func(a, b domain.SyncRequest) int { return cmp.Compare(a.AccountID, b.AccountID) }
	got, want = slices.Clone(got), slices.Clone(want)
	slices.SortFunc(got, byAccount)
	slices.SortFunc(want, byAccount)
	if len(got) != len(want) {
		t.Fatalf("received %d requests, want %d: %v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].AccountID != want[i].AccountID || !got[i].RequestedAt.Equal(want[i].RequestedAt) {
			t.Errorf("request %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}
