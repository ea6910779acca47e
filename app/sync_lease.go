package app

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// lease is an account's sync lease held by one run.
type lease struct {
	leases ports.LeaseStore
	clock  ports.Clock
	log    *slog.Logger
	ttl    time.Duration
	name   string
	holder string
	stop   chan struct{}
	done   chan struct{}
}

// lock takes the sync lease of an account for a new run. ECONFLICT when
// another run holds it.
func (s *Syncer) lock(ctx context.Context, accountID int64) (*lease, error) {
	l := &lease{
		leases: s.leases, clock: s.clock, log: s.log, ttl: s.cfg.LeaseTTL,
		name:   "sync:" + strconv.FormatInt(accountID, 10),
		holder: s.cfg.Holder + "#" + strconv.FormatInt(s.runs.Add(1), 10),
	}
	err := s.leases.AcquireLease(ctx, l.name, l.holder, s.clock.Now(), s.cfg.LeaseTTL)
	if domain.ErrorCode(err) == domain.ECONFLICT {
		return nil, &domain.Error{Code: domain.ECONFLICT, Message: fmt.Sprintf("a sync of account %d is already running", accountID), Err: err}
	}
	if err != nil {
		return nil, fmt.Errorf("take the sync lease of account %d: %w", accountID, err)
	}
	return l, nil
}

// Lock takes the sync lease of an account for a use case that must not
// run beside a sync of it (restore, verify): the caller keeps it while it
// works and releases it. ECONFLICT when a run holds it.
func (s *Syncer) Lock(ctx context.Context, accountID int64) (*lease, error) {
	return s.lock(ctx, accountID)
}

// errLeaseLost stops a run whose lease another process took: the run was
// too slow to renew it, and two runs must not work on one account.
var errLeaseLost = domain.Errorf(domain.ECONFLICT, "the run lost its lease to another run of the same account")

// keep renews the lease every third of its TTL until release, and cancels
// the run with errLeaseLost when another holder took it meanwhile.
func (l *lease) keep(cancel context.CancelCauseFunc) {
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(l.done)
		t := time.NewTicker(l.ttl / 3)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
			}
			ctx, done := context.WithTimeout(context.Background(), l.ttl/3)
			err := l.leases.AcquireLease(ctx, l.name, l.holder, l.clock.Now(), l.ttl)
			done()
			switch {
			case domain.ErrorCode(err) == domain.ECONFLICT:
				l.log.Error("a sync lost its lease", "lease", l.name, "err", err)
				cancel(errLeaseLost)
				return
			case err != nil:
				l.log.Warn("cannot renew a sync lease; trying again", "lease", l.name, "err", err)
			}
		}
	}()
}

// release stops the renewal and gives the lease up, even when the run's
// context has ended.
func (l *lease) release() {
	if l.stop != nil {
		close(l.stop)
		<-l.done
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	if err := l.leases.ReleaseLease(ctx, l.name, l.holder); err != nil {
		l.log.Warn("cannot release a sync lease; it expires by itself", "lease", l.name, "err", err)
	}
}
