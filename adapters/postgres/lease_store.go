package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// LeaseStore keeps named leases in the leases table, shared by every
// photosync process on every machine that uses the database. A lease is a
// row with a holder and an expiry: taking it is one conditional upsert
// (INSERT ... ON CONFLICT DO UPDATE ... WHERE expired OR same holder),
// which PostgreSQL runs atomically on the row's lock, so that two
// processes can never both hold a lease; the holder renews it by taking it
// again (app's sync lease does so every third of its TTL), and a holder
// that died loses it when it expires.
//
// Why rows and not advisory locks (pg_try_advisory_lock): an advisory
// lock belongs to a database session. It is let go only when the session
// ends, which behind a pooler in transaction mode (pgbouncer, RDS Proxy)
// is never, or at a random time, and a Lambda function frozen between
// invocations keeps its connection, and so the lock, for as long as the
// sandbox lives, while no run goes on. A row with an expiry asks nothing
// of the connection, and shows who holds what (SELECT * FROM leases).
//
// The expiry is judged by the clock of the process that asks (now comes
// from the caller), so the machines' clocks must agree to well within the
// TTL, as NTP keeps them.
type LeaseStore struct {
	db *DB
}

var _ ports.LeaseStore = (*LeaseStore)(nil)

// NewLeaseStore returns a LeaseStore on db.
func NewLeaseStore(db *DB) *LeaseStore {
	return &LeaseStore{db: db}
}

// AcquireLease takes the lease name for holder until now+ttl when it is
// free, expired at now, or already held by holder (which renews it).
// ECONFLICT when another holder has it, with how long it has left;
// EINVALID for an empty name or holder or a ttl below a millisecond.
func (s *LeaseStore) AcquireLease(ctx context.Context, name, holder string, now time.Time, ttl time.Duration) error {
	if err := checkLease(name, holder, ttl); err != nil {
		return err
	}
	expires, err := timeValue(now.Add(ttl))
	if err != nil || expires == nil {
		return domain.Errorf(domain.EINVALID, "lease %s: the time %v cannot be stored", name, now.Add(ttl))
	}
	// A lease released between the upsert that lost and the look at its
	// holder is free again: try once more.
	for range 3 {
		res, err := s.db.db.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES ($1, $2, $3)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.expires_at <= $4 OR leases.holder = excluded.holder`,
			name, holder, expires, now.UnixNano())
		if err != nil {
			return fmt.Errorf("postgres: acquire lease %s: %w", name, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return fmt.Errorf("postgres: acquire lease %s: %w", name, err)
		}
		if n == 1 {
			return nil
		}
		var until int64
		err = s.db.db.QueryRowContext(ctx, `SELECT expires_at FROM leases WHERE name = $1`, name).Scan(&until)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return fmt.Errorf("postgres: acquire lease %s: %w", name, err)
		}
		return leaseHeld(name, time.Unix(0, until).Sub(now))
	}
	return domain.Errorf(domain.ECONFLICT, "%s is taken and given up by other processes too fast to get hold of", name)
}

// ReleaseLease gives the lease up if holder has it; otherwise it does
// nothing.
func (s *LeaseStore) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.db.ExecContext(ctx, `DELETE FROM leases WHERE name = $1 AND holder = $2`, name, holder); err != nil {
		return fmt.Errorf("postgres: release lease %s: %w", name, err)
	}
	return nil
}

func checkLease(name, holder string, ttl time.Duration) error {
	switch {
	case name == "":
		return domain.Errorf(domain.EINVALID, "a lease needs a name")
	case holder == "":
		return domain.Errorf(domain.EINVALID, "the lease %s needs a holder", name)
	case ttl < time.Millisecond:
		return domain.Errorf(domain.EINVALID, "the lease %s needs a duration of at least a millisecond, not %v", name, ttl)
	}
	return nil
}

// leaseHeld is the ECONFLICT for a lease another holder has for another
// left, shown in whole seconds rounded up ("4m12s").
func leaseHeld(name string, left time.Duration) error {
	secs := max((left+time.Second-1)/time.Second, 1)
	return domain.Errorf(domain.ECONFLICT, "%s is held by another process for another %s", name, secs*time.Second)
}
