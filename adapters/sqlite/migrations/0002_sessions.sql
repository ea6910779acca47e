-- +goose Up
-- Signed-in sessions by the SHA-256 hash of their token (domain.Session).
-- Times are nanoseconds since the Unix epoch in UTC.
CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	created_at INTEGER NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- For DeleteExpiredSessions.
CREATE INDEX sessions_expires_at ON sessions (expires_at);
