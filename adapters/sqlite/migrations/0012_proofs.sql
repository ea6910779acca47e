-- +goose Up
-- Proof of backup (domain.Proof): per account and remote path, the SHA-1
-- of the content last proven on the server, how (method: 'server_hash',
-- the hash the server computed of what it stored; 'read_back', our hash
-- of the bytes read back; '' never proven) and when (proven_at), when a
-- verify last found the file present with its size (checked_at), and
-- what the last verify found wrong (problem: '' for nothing). Times are
-- nanoseconds since the Unix epoch in UTC, NULL for none. The rows of a
-- removed account go with it.
CREATE TABLE proofs (
	account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	remote_path TEXT NOT NULL,
	size        INTEGER NOT NULL,
	sha1        TEXT NOT NULL,
	method      TEXT NOT NULL CHECK (method IN ('', 'server_hash', 'read_back')),
	proven_at   INTEGER,
	checked_at  INTEGER,
	problem     TEXT NOT NULL,
	PRIMARY KEY (account_id, remote_path)
) STRICT, WITHOUT ROWID;
