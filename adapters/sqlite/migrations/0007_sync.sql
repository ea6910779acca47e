-- +goose Up
-- The state of each account's sync (domain.SyncPair, domain.RemoteFolder,
-- domain.SyncFailure, domain.SyncRun) and named leases. Times are
-- nanoseconds since the Unix epoch in UTC, NULL for none. Booleans are 0
-- or 1. Everything of an account goes with it.

-- Pairs: files known to be the same on both sides, one per remote path.
-- sha1 is lower-case hex, '' when unknown.
CREATE TABLE sync_pairs (
	account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	remote_path     TEXT NOT NULL,
	local_path      TEXT NOT NULL, -- slash-separated, relative to the library
	size            INTEGER NOT NULL,
	local_mod_time  INTEGER,
	remote_mod_time INTEGER,
	etag            TEXT NOT NULL,
	sha1            TEXT NOT NULL,
	synced_at       INTEGER,
	local_deleted   INTEGER NOT NULL CHECK (local_deleted IN (0, 1)),
	remote_deleted  INTEGER NOT NULL CHECK (remote_deleted IN (0, 1)),
	PRIMARY KEY (account_id, remote_path)
) STRICT, WITHOUT ROWID;

-- Finding the pair of a library file.
CREATE INDEX sync_pairs_local ON sync_pairs (account_id, local_path);

-- Remote folders as the last complete run listed them: the folder's ETag
-- (as its parent's listing gave it; '' for the sync folder itself) and its
-- direct children, so that a folder whose ETag has not changed need not
-- be listed again on a server that propagates folder ETags.
CREATE TABLE sync_folders (
	account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	path       TEXT NOT NULL,
	etag       TEXT NOT NULL,
	PRIMARY KEY (account_id, path)
) STRICT, WITHOUT ROWID;

CREATE TABLE sync_folder_files (
	account_id INTEGER NOT NULL,
	folder     TEXT NOT NULL,
	path       TEXT NOT NULL,
	name       TEXT NOT NULL,
	is_dir     INTEGER NOT NULL CHECK (is_dir IN (0, 1)),
	size       INTEGER NOT NULL,
	mod_time   INTEGER,
	etag       TEXT NOT NULL,
	checksum   TEXT NOT NULL,
	PRIMARY KEY (account_id, folder, path),
	FOREIGN KEY (account_id, folder) REFERENCES sync_folders (account_id, path) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

-- Failed attempts at one file, counted across runs. direction is 'down'
-- or 'up'; failed is 1 once the retry limit is reached.
CREATE TABLE sync_failures (
	account_id      INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	direction       TEXT NOT NULL CHECK (direction IN ('down', 'up')),
	local_path      TEXT NOT NULL,
	remote_path     TEXT NOT NULL,
	attempts        INTEGER NOT NULL,
	last_error      TEXT NOT NULL,
	last_attempt_at INTEGER,
	next_attempt_at INTEGER,
	failed          INTEGER NOT NULL CHECK (failed IN (0, 1)),
	PRIMARY KEY (account_id, direction, local_path, remote_path)
) STRICT, WITHOUT ROWID;

-- The failed files of an account, for GET .../files?state=failed.
CREATE INDEX sync_failures_failed ON sync_failures (account_id) WHERE failed = 1;

-- Runs of a sync. errors is a JSON array of {"path": ..., "message": ...},
-- the first domain.MaxJobErrors. job_id is not a foreign key: jobs keep
-- their own history. AUTOINCREMENT: an ID is never reused.
CREATE TABLE sync_runs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	job_id      INTEGER NOT NULL,
	dry_run     INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
	started_at  INTEGER,
	finished_at INTEGER,
	downloaded  INTEGER NOT NULL,
	uploaded    INTEGER NOT NULL,
	bytes_down  INTEGER NOT NULL,
	bytes_up    INTEGER NOT NULL,
	skipped     INTEGER NOT NULL,
	failed      INTEGER NOT NULL,
	errors      TEXT NOT NULL CHECK (json_valid(errors)),
	error       TEXT NOT NULL,
	complete    INTEGER NOT NULL CHECK (complete IN (0, 1))
) STRICT;

-- An account's runs, newest first.
CREATE INDEX sync_runs_account ON sync_runs (account_id, id);

-- Named leases: one holder at a time until expires_at, across processes.
CREATE TABLE leases (
	name       TEXT PRIMARY KEY,
	holder     TEXT NOT NULL,
	expires_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
