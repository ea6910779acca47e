package infra

import (
	"context"
	"fmt"

	"github.com/google/wire"

	"github.com/photosync/photosync/adapters/postgres"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/ports"
)

// Stores are the store ports on the database the configuration names:
// the embedded SQLite file in the data folder, or PostgreSQL when
// PHOTOSYNC_DATABASE_URL is set. Wire picks providers when it generates
// code, not when photosync starts, so one provider (provideStores) makes
// the choice and StoreSet hands its fields to the rest of the graph.
type Stores struct {
	Accounts ports.AccountStore
	Sessions ports.SessionStore
	Settings ports.SettingStore
	Jobs     ports.JobStore
	Library  ports.LibraryStore
	Uploads  ports.UploadStore
	Sync     ports.SyncStore
	Leases   ports.LeaseStore
}

// StoreSet provides every store port on the configured database.
var StoreSet = wire.NewSet(provideStores, StoreFields)

// StoreFields hands the fields of Stores to the rest of the graph.
var StoreFields = wire.FieldsOf(new(Stores),
	"Accounts", "Sessions", "Settings", "Jobs", "Library", "Uploads", "Sync", "Leases")

// provideStores opens the configured database; the cleanup closes it.
func provideStores(ctx context.Context, cfg Config) (Stores, func(), error) {
	if cfg.DatabaseURL != "" {
		return PostgresStores(ctx, cfg.DatabaseURL, postgres.Options{})
	}
	return SQLiteStores(ctx, cfg.DatabasePath(), sqlite.JournalWAL)
}

// SQLiteStores opens the SQLite database file at path; the cleanup closes
// it.
func SQLiteStores(ctx context.Context, path string, journal sqlite.Journal) (Stores, func(), error) {
	db, err := sqlite.OpenJournal(ctx, path, journal)
	if err != nil {
		return Stores{}, nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return Stores{
		Accounts: sqlite.NewAccountStore(db),
		Sessions: sqlite.NewSessionStore(db),
		Settings: sqlite.NewSettingStore(db),
		Jobs:     sqlite.NewJobStore(db),
		Library:  sqlite.NewLibraryStore(db),
		Uploads:  sqlite.NewUploadStore(db),
		Sync:     sqlite.NewSyncStore(db),
		Leases:   sqlite.NewLeaseStore(db),
	}, func() { db.Close() }, nil
}

// PostgresStores connects to the PostgreSQL database at url, which the
// error does not repeat: it may hold a password.
func PostgresStores(ctx context.Context, url string, opts postgres.Options) (Stores, func(), error) {
	db, err := postgres.Open(ctx, url, opts)
	if err != nil {
		return Stores{}, nil, fmt.Errorf("open the database of PHOTOSYNC_DATABASE_URL: %w", err)
	}
	return Stores{
		Accounts: postgres.NewAccountStore(db),
		Sessions: postgres.NewSessionStore(db),
		Settings: postgres.NewSettingStore(db),
		Jobs:     postgres.NewJobStore(db),
		Library:  postgres.NewLibraryStore(db),
		Uploads:  postgres.NewUploadStore(db),
		Sync:     postgres.NewSyncStore(db),
		Leases:   postgres.NewLeaseStore(db),
	}, func() { db.Close() }, nil
}
