package domain

import "time"

// SessionTTL is how long a sign-in lasts.
const SessionTTL = 30 * 24 * time.Hour

// Session is a signed-in browser or API client. Only the SHA-256 hash of its
// token is kept, so a copy of the database does not let anyone in.
type Session struct {
	TokenHash string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Expired reports whether the session has run out at now.
func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }
