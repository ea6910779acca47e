-- +goose Up
-- Files uploaded to accounts by a manual upload (domain.UploadRecord), as
-- SQLite's 0006_uploads: one row per library file, account and remote
-- path. uploaded_at is nanoseconds since the Unix epoch in UTC. The rows of
-- a removed account go with it.
CREATE TABLE uploads (
	file_id     BIGINT NOT NULL REFERENCES files (id) ON DELETE CASCADE,
	account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
	remote_path TEXT NOT NULL,
	remote_dir  TEXT NOT NULL,
	size        BIGINT NOT NULL,
	sha1        TEXT NOT NULL,
	source_sha1 TEXT NOT NULL,
	upload_size TEXT NOT NULL,
	uploaded_at BIGINT NOT NULL,
	PRIMARY KEY (file_id, account_id, remote_path)
);

-- UploadsIn, and removing an account's rows.
CREATE INDEX uploads_folder ON uploads (account_id, remote_dir);
