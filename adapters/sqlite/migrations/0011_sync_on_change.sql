-- +goose Up
-- "Back up new photos at once" (domain.Account.SyncOnChange): `serve`
-- starts an upload run as soon as the library watcher has seen new or
-- changed files, for an account whose sync uploads. On by default, for
-- the accounts there already too.
ALTER TABLE accounts ADD COLUMN sync_on_change INTEGER NOT NULL DEFAULT 1 CHECK (sync_on_change IN (0, 1));
