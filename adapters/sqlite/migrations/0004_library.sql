-- +goose Up
-- The library index (domain.Photo, domain.LibraryFile). Times are
-- nanoseconds since the Unix epoch in UTC, NULL for none. Rows are never
-- deleted by an index run: a file gone from disk is marked missing and
-- keeps its ID, so that the record of its uploads still points at it.
-- AUTOINCREMENT: an ID is never given to another photo or file.

-- Photos: stacks of files in one folder with the same stem. key is
-- folder + "/" + the stem in lower case. folder_lower and name_lower are
-- folder and name lower-cased by photosync (strings.ToLower, which folds
-- beyond ASCII where SQLite's lower() does not) for the text filter.
CREATE TABLE photos (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	key          TEXT NOT NULL UNIQUE,
	folder       TEXT NOT NULL,
	name         TEXT NOT NULL,
	folder_lower TEXT NOT NULL,
	name_lower   TEXT NOT NULL,
	taken_at     INTEGER -- the primary file's; NULL: unknown
) STRICT;

-- Photos lists newest taken first, then by ID, dateless ones last.
CREATE INDEX photos_taken_at ON photos (taken_at IS NULL, taken_at DESC, id);

-- Files: one row per path ever indexed. photo_id is NULL for a file with a
-- problem (empty, unreadable, corrupt, an orphaned sidecar).
CREATE TABLE files (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	photo_id     INTEGER REFERENCES photos (id) ON DELETE SET NULL,
	path         TEXT NOT NULL UNIQUE, -- slash-separated, relative to the library
	kind         TEXT NOT NULL,
	role         TEXT NOT NULL,        -- '' for a file in no photo
	size         INTEGER NOT NULL,
	mod_time     INTEGER,
	sha1         TEXT NOT NULL,        -- lower-case hex; '' when never read
	taken_at     INTEGER,
	taken_source TEXT NOT NULL,
	orientation  INTEGER NOT NULL,
	width        INTEGER NOT NULL,
	height       INTEGER NOT NULL,
	problem      TEXT NOT NULL,        -- '' or a domain.Problem* text with detail
	missing      INTEGER NOT NULL CHECK (missing IN (0, 1)),
	indexed_at   INTEGER NOT NULL      -- the index run that saved the row last
) STRICT;

-- The files of a page of photos, and the kind filter.
CREATE INDEX files_photo ON files (photo_id, missing, kind);

-- Problems.
CREATE INDEX files_problems ON files (path) WHERE problem <> '' AND missing = 0;
