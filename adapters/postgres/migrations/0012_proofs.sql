-- +goose Up
-- Proof of backup (domain.Proof), as SQLite's 0010_proofs: per account
-- and remote path, the SHA-1 last proven on the server, how ('server_hash',
-- 'read_back', '' never) and when, when a verify last found the file
-- present with its size, and what the last verify found wrong ('' for
-- nothing). Times are nanoseconds since the Unix epoch in UTC, NULL for
-- none.
CREATE TABLE proofs (
	account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	remote_path TEXT NOT NULL,
	size        BIGINT NOT NULL,
	sha1        TEXT NOT NULL,
	method      TEXT NOT NULL CHECK (method IN ('', 'server_hash', 'read_back')),
	proven_at   BIGINT,
	checked_at  BIGINT,
	problem     TEXT NOT NULL,
	PRIMARY KEY (account_id, remote_path)
);
