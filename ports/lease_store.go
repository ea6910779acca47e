package ports

import (
	"context"
	"time"
)

// LeaseStore hands out named leases with an expiry, so that one process at
// a time (of many, on many machines sharing the database) does a thing,
// such as syncing one account. A holder that dies loses its lease when it
// expires.
type LeaseStore interface {
	// AcquireLease takes the lease for holder until now+ttl when it is free,
	// expired or already held by holder. ECONFLICT when another holder has
	// it, with the message naming how long it has left.
	AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) error
	// ReleaseLease gives the lease up if holder has it.
	ReleaseLease(ctx context.Context, name, holder string) error
}
