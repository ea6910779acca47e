-- +goose Up
-- Small named values of the installation, such as the hash of a generated
-- admin password.
CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT, WITHOUT ROWID;
