-- +goose Up
-- Connected WebDAV servers with their upload and sync settings
-- (domain.Account). Booleans are 0 or 1. Times are nanoseconds since the
-- Unix epoch in UTC, NULL for none. AUTOINCREMENT: the ID of a removed
-- account is never given to a new one, so that an old link, job or log
-- line cannot point at the wrong server.
CREATE TABLE accounts (
	id                  INTEGER PRIMARY KEY AUTOINCREMENT,
	name                TEXT NOT NULL UNIQUE,
	url                 TEXT NOT NULL,
	type                TEXT NOT NULL,
	username            TEXT NOT NULL,
	user_id             TEXT NOT NULL,
	secret              BLOB,             -- the password sealed by a SecretBox; NULL for none
	ca_cert             TEXT NOT NULL,    -- PEM, '' for none
	timeout_ms          INTEGER NOT NULL,
	retry_limit         INTEGER NOT NULL,

	upload_enabled      INTEGER NOT NULL CHECK (upload_enabled IN (0, 1)),
	upload_folder       TEXT NOT NULL,
	upload_size         TEXT NOT NULL,

	sync_enabled        INTEGER NOT NULL CHECK (sync_enabled IN (0, 1)),
	sync_folder         TEXT NOT NULL,
	sync_interval_s     INTEGER NOT NULL, -- 0: only when started by hand
	sync_download       INTEGER NOT NULL CHECK (sync_download IN (0, 1)),
	sync_upload         INTEGER NOT NULL CHECK (sync_upload IN (0, 1)),
	sync_preserve_names INTEGER NOT NULL CHECK (sync_preserve_names IN (0, 1)),
	sync_raw            INTEGER NOT NULL CHECK (sync_raw IN (0, 1)),
	sync_video          INTEGER NOT NULL CHECK (sync_video IN (0, 1)),

	status              TEXT NOT NULL,
	last_sync_at        INTEGER,          -- NULL: never synced
	last_error          TEXT NOT NULL,
	error_count         INTEGER NOT NULL,

	created_at          INTEGER NOT NULL,
	updated_at          INTEGER NOT NULL
) STRICT;
