-- +goose Up
-- Runs of an index, upload or sync with their progress (domain.Job).
-- Times are nanoseconds since the Unix epoch in UTC, NULL for none.
-- account_id is 0 for an index, and not a foreign key: a job's history
-- outlives the account it ran for. errors is a JSON array of
-- {"path": ..., "message": ...}, the first domain.MaxJobErrors file errors
-- (the count goes on in failed). AUTOINCREMENT: an ID is never reused, so
-- that an old link or log line cannot point at another job.
CREATE TABLE jobs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT NOT NULL,
	account_id  INTEGER NOT NULL,
	state       TEXT NOT NULL,
	files_total INTEGER NOT NULL,
	files_done  INTEGER NOT NULL,
	bytes_total INTEGER NOT NULL,
	bytes_done  INTEGER NOT NULL,
	uploaded    INTEGER NOT NULL,
	downloaded  INTEGER NOT NULL,
	skipped     INTEGER NOT NULL,
	failed      INTEGER NOT NULL,
	errors      TEXT NOT NULL CHECK (json_valid(errors)),
	error       TEXT NOT NULL,
	created_at  INTEGER NOT NULL,
	started_at  INTEGER,
	finished_at INTEGER
) STRICT;

-- For listings of one account's or one kind's jobs, newest first.
CREATE INDEX jobs_account ON jobs (account_id, id);
CREATE INDEX jobs_kind ON jobs (kind, id);
