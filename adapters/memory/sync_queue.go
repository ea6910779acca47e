package memory

import (
	"context"
	"slices"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// SyncQueue keeps sync requests in a slice, for tests of the fan-out and
// for trying it out without a queue service.
type SyncQueue struct {
	mu     sync.Mutex
	queued []domain.SyncRequest
	refuse func(domain.SyncRequest) error
}

var _ ports.SyncQueue = (*SyncQueue)(nil)

// NewSyncQueue returns an empty queue.
func NewSyncQueue() *SyncQueue { return &SyncQueue{} }

// Enqueue appends the requests, except those Refuse refuses, which the
// *domain.EnqueueError lists.
func (q *SyncQueue) Enqueue(ctx context.Context, reqs []domain.SyncRequest) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	var failed []domain.EnqueueFailure
	for _, r := range reqs {
		if q.refuse != nil {
			if err := q.refuse(r); err != nil {
				failed = append(failed, domain.EnqueueFailure{Request: r, Err: err})
				continue
			}
		}
		q.queued = append(q.queued, r)
	}
	if len(failed) > 0 {
		return &domain.EnqueueError{Failed: failed}
	}
	return nil
}

// Refuse makes Enqueue refuse the requests for which fn returns an error;
// nil takes them all again.
func (q *SyncQueue) Refuse(fn func(domain.SyncRequest) error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.refuse = fn
}

// Take removes and returns the requests queued so far, oldest first, as
// a worker receives them.
func (q *SyncQueue) Take() []domain.SyncRequest {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := slices.Clone(q.queued)
	q.queued = nil
	return out
}
