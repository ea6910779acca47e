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
	created, err := timeValue(sess.CreatedAt)
	if err != nil {
		return fmt.Errorf("postgres: create session: created_at: %w", err)
	}
	expires, err := timeValue(sess.ExpiresAt)
	if err != nil {
		return fmt.Errorf("postgres: create session: expires_at: %w", err)
	}
	_, err = s.db.db.ExecContext(ctx, `INSERT INTO sessions (token_hash, created_at, expires_at) VALUES ($1, $2, $3)`,
		sess.TokenHash, created, expires)
	if isUniqueViolation(err) {
		return domain.Errorf(domain.ECONFLICT, "a session with this token exists already")
	}
	if err != nil {
		return fmt.Errorf("postgres: create session: %w", err)
	}
	return nil
}

// Session returns a session, expired or not. ENOTFOUND when there is none.
func (s *SessionStore) Session(ctx context.Context, tokenHash string) (domain.Session, error) {
	var created, expires sql.NullInt64
	err := s.db.db.QueryRowContext(ctx, `SELECT created_at, expires_at FROM sessions WHERE token_hash = $1`, tokenHash).
		Scan(&created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return domain.Session{}, domain.Errorf(domain.ENOTFOUND, "session not found")
	}
	if err != nil {
		return domain.Session{}, fmt.Errorf("postgres: get session: %w", err)
	}
	return domain.Session{TokenHash: tokenHash, CreatedAt: timeOf(created), ExpiresAt: timeOf(expires)}, nil
}

// DeleteSession removes a session; a missing one is no error.
func (s *SessionStore) DeleteSession(ctx context.Context, tokenHash string) error {
	if _, err := s.db.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, tokenHash); err != nil {
		return fmt.Errorf("postgres: delete session: %w", err)
	}
	return nil
}

// DeleteExpiredSessions removes sessions that expired at or before now, as
// domain.Session.Expired tells.
func (s *SessionStore) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	n, err := timeValue(now)
	if err != nil {
		return fmt.Errorf("postgres: delete expired sessions: %w", err)
	}
	if _, err := s.db.db.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, n); err != nil {
		return fmt.Errorf("postgres: delete expired sessions: %w", err)
	}
	return nil
}
