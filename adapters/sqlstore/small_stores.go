package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// SessionStore keeps signed-in sessions in the sessions table.
type SessionStore struct {
	db *DB
}

var _ ports.SessionStore = (*SessionStore)(nil)

// NewSessionStore returns a SessionStore on db.
func NewSessionStore(db *DB) *SessionStore {
	return &SessionStore{db: db}
}

// CreateSession stores a session. ECONFLICT when the hash exists.
func (s *SessionStore) CreateSession(ctx context.Context, sess domain.Session) error {
	times, err := timeValues([]string{"created_at", "expires_at"}, sess.CreatedAt, sess.ExpiresAt)
	if err != nil {
		return s.db.errorf("create session: %w", err)
	}
	_, err = s.db.exec(ctx, s.db.db, `INSERT INTO sessions (token_hash, created_at, expires_at) VALUES (?, ?, ?)`,
		sess.TokenHash, times[0], times[1])
	if s.db.d.IsUnique(err) {
		return domain.Errorf(domain.ECONFLICT, "a session with this token exists already")
	}
	if err != nil {
		return s.db.errorf("create session: %w", err)
	}
	return nil
}

// Session returns a session, expired or not. ENOTFOUND when there is none.
func (s *SessionStore) Session(ctx context.Context, tokenHash string) (domain.Session, error) {
	return queryOne(ctx, s.db, s.db.db, "session", func(r scanner) (domain.Session, error) {
		var created, expires sql.NullInt64
		err := r.Scan(&created, &expires)
		return domain.Session{TokenHash: tokenHash, CreatedAt: timeOf(created), ExpiresAt: timeOf(expires)}, err
	}, `SELECT created_at, expires_at FROM sessions WHERE token_hash = ?`, tokenHash)
}

// DeleteSession removes a session; a missing one is no error.
func (s *SessionStore) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.exec(ctx, s.db.db, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
		return s.db.errorf("delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired at or before now, as
// domain.Session.Expired tells.
func (s *SessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	n, err := timeValue(now)
	if err == nil {
		_, err = s.db.exec(ctx, s.db.db, `DELETE FROM sessions WHERE expires_at <= ?`, n)
	}
	if err != nil {
		return s.db.errorf("delete expired sessions: %w", err)
	}
	return nil
}

// SettingStore keeps named values of the installation in the settings
// table.
type SettingStore struct {
	db *DB
}

var _ ports.SettingStore = (*SettingStore)(nil)

// NewSettingStore returns a SettingStore on db.
func NewSettingStore(db *DB) *SettingStore {
	return &SettingStore{db: db}
}

// Setting returns a value. ENOTFOUND when it was never set.
func (s *SettingStore) Setting(ctx context.Context, key string) (string, error) {
	return queryOne(ctx, s.db, s.db.db, fmt.Sprintf("setting %q", key), func(r scanner) (v string, err error) {
		return v, r.Scan(&v)
	}, `SELECT value FROM settings WHERE key = ?`, key)
}

// SetSetting stores or replaces a value.
func (s *SettingStore) SetSetting(ctx context.Context, key, value string) error {
	_, err := s.db.exec(ctx, s.db.db, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return s.db.errorf("set setting %q: %w", key, err)
	}
	return nil
}

// LeaseStore keeps named leases in the leases table, shared by every
// photosync process that uses the database, on one machine (SQLite) or
// many (PostgreSQL). A lease is a row with a holder and an expiry: taking
// it is one conditional upsert (INSERT ... ON CONFLICT DO UPDATE ... WHERE
// expired OR same holder), which the database runs atomically, so that two
// processes can never both hold a lease; the holder renews it by taking it
// again, and a holder that died loses it when it expires.
//
// Why rows and not PostgreSQL's advisory locks: an advisory lock belongs
// to a database session, let go only when the session ends, which behind
// a pooler in transaction mode (pgbouncer, RDS Proxy) is never, or at a
// random time, and a Lambda function frozen between invocations keeps its
// connection, and so the lock, while no run goes on. A row with an expiry
// asks nothing of the connection, and shows who holds what.
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
	if err := domain.ValidateLease(name, holder, ttl); err != nil {
		return err
	}
	expires, err := timeValue(now.Add(ttl))
	if err != nil || expires == nil {
		return domain.Errorf(domain.EINVALID, "lease %s: the time %v cannot be stored", name, now.Add(ttl))
	}
	// A lease released between the upsert that lost and the look at its
	// holder is free again: try once more.
	for range 3 {
		n, err := s.db.exec(ctx, s.db.db, `INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
			WHERE leases.expires_at <= ? OR leases.holder = excluded.holder`,
			name, holder, expires, now.UnixNano())
		if err != nil {
			return s.db.errorf("acquire lease %s: %w", name, err)
		}
		if n == 1 {
			return nil
		}
		var until int64
		err = s.db.db.QueryRowContext(ctx, s.db.q(`SELECT expires_at FROM leases WHERE name = ?`), name).Scan(&until)
		if errors.Is(err, sql.ErrNoRows) {
			continue
		}
		if err != nil {
			return s.db.errorf("acquire lease %s: %w", name, err)
		}
		return domain.LeaseHeld(name, time.Unix(0, until).Sub(now))
	}
	return domain.Errorf(domain.ECONFLICT, "%s is taken and given up by other processes too fast to get hold of", name)
}

// ReleaseLease gives the lease up if holder has it; otherwise it does
// nothing.
func (s *LeaseStore) ReleaseLease(ctx context.Context, name, holder string) error {
	if _, err := s.db.exec(ctx, s.db.db, `DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder); err != nil {
		return s.db.errorf("release lease %s: %w", name, err)
	}
	return nil
}
