-- +goose Up
-- Files uploaded to accounts by a manual upload (domain.UploadRecord):
-- one row per library file, account and remote path; an upload of the
-- same file to the same path replaces its row. remote_dir is the folder
-- part of remote_path, for the listing of one remote folder. size and sha1
-- are of the bytes sent (the resized copy for fit_N), source_sha1 of the
-- library file. uploaded_at is nanoseconds since the Unix epoch in UTC.
-- The rows of a removed account go with it; library files are never
-- deleted (a file gone from disk is only marked missing).
CREATE TABLE uploads (
	file_id     INTEGER NOT NULL REFERENCES files (id) ON DELETE CASCADE,
	account_id  INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	remote_path TEXT NOT NULL,
	remote_dir  TEXT NOT NULL,
	size        INTEGER NOT NULL,
	sha1        TEXT NOT NULL,
	source_sha1 TEXT NOT NULL,
	upload_size TEXT NOT NULL,
	uploaded_at INTEGER NOT NULL,
	PRIMARY KEY (file_id, account_id, remote_path)
) STRICT, WITHOUT ROWID;

-- UploadsIn, and removing an account's rows.
CREATE INDEX uploads_folder ON uploads (account_id, remote_dir);
