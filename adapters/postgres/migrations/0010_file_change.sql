-- +goose Up
-- A library file's status change time (ctime, nanoseconds since the Unix
-- epoch in UTC) and inode when indexed: with size and modification time
-- they tell whether the file changed (domain.LibraryFile.Unchanged). An
-- edit whose modification time was put back still changes them. NULL for
-- files indexed before, and where the system does not say.
ALTER TABLE files ADD COLUMN changed_at BIGINT;
ALTER TABLE files ADD COLUMN inode BIGINT;
