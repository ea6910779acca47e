package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// SyncQueue carries sync requests from the scheduled invocation that finds
// the due accounts to the workers that run them, so that many accounts
// sync in parallel, each retried alone when it fails. Delivery is at least
// once: a worker may get a request twice (see domain.SyncRequest).
//
// On a queue whose messages other programs read, a request is the JSON
// object {"account": ID, "requested_at": RFC 3339 time}.
type SyncQueue interface {
	// Enqueue sends one message per request. When some are not sent, the
	// error is a *domain.EnqueueError listing each of them and why (its
	// causes carry EUNAVAILABLE when the queue cannot be reached,
	// EFORBIDDEN when photosync may not send to it, ENOTFOUND when it does
	// not exist, EINVALID when it refuses the message), and the others
	// were sent. No requests is no message and no error.
	Enqueue(ctx context.Context, reqs []domain.SyncRequest) error
}
