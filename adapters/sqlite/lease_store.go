package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// LeaseStore keeps named leases in the leases table. Every process that
// opens the same database file sees the same leases: taking one is a
// single conditional UPSERT inside a write transaction, so two processes
// (or two connections of one) can never both hold a lease.
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
	tx, err := s.db.db.BeginTx(ctx, nil) // BEGIN IMMEDIATE, see dsn
	if err != nil {
		return fmt.Errorf("sqlite: acquire lease %s: %w", name, err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
		WHERE leases.expires_at <= ? OR leases.holder = excluded.holder`,
		name, holder, expires, now.UnixNano())
	if err != nil {
		return fmt.Errorf("sqlite: acquire lease %s: %w", name, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("sqlite: acquire lease %s: %w", name, err)
	}
	if n == 0 {
		// Someone else holds it; read until when inside the same
		// transaction, so the answer is about the holder that won.
		var until int64
		err := tx.QueryRowContext(ctx, `SELECT expires_at FROM leases WHERE name = ?`, name).Scan(&until)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("sqlite: acquire lease %s: the lease vanished inside a transaction", name)
		}
		if err != nil {
			return fmt.Errorf("sqlite: acquire lease %s: %w", name, err)
		}
		return leaseHeld(name, time.Unix(0, until).Sub(now))
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("sqlite: acquire lease %s: %w", name, err)
	}
	return nil
}

// ReleaseLease gives the lease up if holder has it; otherwise it does
// nothing.
func (s *LeaseStore) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.db.ExecContext(ctx, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return fmt.Errorf("sqlite: release lease %s: %w", name, err)
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
