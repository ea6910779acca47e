package app

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/photosync/photosync/domain"
)

// lease is an account's sync lease held by one run.
type lease struct {
	s      *Syncer
	name   string
	holder string
	stop   chan struct{}
	done   chan struct{}
}

// lock takes the sync lease of an account for a new run. ECONFLICT when
// another run holds it.
func (s *Syncer) lock(ctx context.Context, accountID int64) (*lease, error) {
	l := &lease{
		s:      s,
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

// errLeaseLost stops a run whose lease another process took: the run was
// too slow to renew it, and two runs must not work on one account.
var errLeaseLost = domain.Errorf(domain.ECONFLICT, "the run lost its lease to another run of the same account")

// keep renews the lease every third of its TTL until release, and cancels
// the run with errLeaseLost when another holder took it meanwhile.
func (l *lease) keep(cancel context.CancelCauseFunc) {
	l.stop, l.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(l.done)
		t := time.NewTicker(l.s.cfg.LeaseTTL / 3)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
			}
			ctx, done := context.WithTimeout(context.Background(), l.s.cfg.LeaseTTL/3)
			err := l.s.leases.AcquireLease(ctx, l.name, l.holder, l.s.clock.Now(), l.s.cfg.LeaseTTL)
			done()
			switch {
			case domain.ErrorCode(err) == domain.ECONFLICT:
				l.s.log.Error("a sync lost its lease", "lease", l.name, "err", err)
				cancel(errLeaseLost)
				return
			case err != nil:
				l.s.log.Warn("cannot renew a sync lease; trying again", "lease", l.name, "err", err)
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
	if err := l.s.leases.ReleaseLease(ctx, l.name, l.holder); err != nil {
		l.s.log.Warn("cannot release a sync lease; it expires by itself", "lease", l.name, "err", err)
	}
}
