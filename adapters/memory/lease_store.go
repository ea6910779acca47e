package memory

import (
	"context"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// LeaseStore keeps leases in a map: one holder per name within this
// process (the SQLite store shares them across processes).
type LeaseStore struct {
	mu     sync.Mutex
	leases map[string]lease
}

type lease struct {
	holder  string
	expires time.Time
}

var _ ports.LeaseStore = (*LeaseStore)(nil)

// NewLeaseStore returns a store with no leases.
func NewLeaseStore() *LeaseStore {
	return &LeaseStore{leases: map[string]lease{}}
}

// AcquireLease takes the lease name for holder until now+ttl when it is
// free, expired at now, or already held by holder (which renews it).
// ECONFLICT when another holder has it, with how long it has left;
// EINVALID for an empty name or holder or a ttl below a millisecond.
func (s *LeaseStore) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) error {
	if err := domain.ValidateLease(name, holder, ttl); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[name]; ok && l.holder != holder && l.expires.After(now) {
		return domain.LeaseHeld(name, l.expires.Sub(now))
	}
	s.leases[name] = lease{holder: holder, expires: now.Add(ttl)}
	return nil
}

// ReleaseLease gives the lease up if holder has it; otherwise it does
// nothing.
func (s *LeaseStore) ReleaseLease(ctx context.Context, name, holder string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[name]; ok && l.holder == holder {
		delete(s.leases, name)
	}
	return nil
}
