package ports

import (
	"context"
	"time"

	"github.com/photosync/photosync/domain"
)

// SessionStore keeps signed-in sessions by the hash of their token.
type SessionStore interface {
	// CreateSession stores a session. ECONFLICT when the hash exists.
	CreateSession(ctx context.Context, s domain.Session) error
	// Session returns a session. ENOTFOUND when there is none.
	Session(ctx context.Context, tokenHash string) (domain.Session, error)
	// DeleteSession removes a session; a missing one is no error.
	DeleteSession(ctx context.Context, tokenHash string) error
	// DeleteExpiredSessions removes sessions that expired before now.
	DeleteExpiredSessions(ctx context.Context, now time.Time) error
}
