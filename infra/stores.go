package infra

import (
	"context"
	"fmt"

	"github.com/google/wire"

	"github.com/photosync/photosync/adapters/postgres"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/sqlstore"
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
	Proofs   ports.ProofStore
}

// StoreSet provides every store port on the configured database.
var StoreSet = wire.NewSet(provideStores, StoreFields)

// StoreFields hands the fields of Stores to the rest of the graph.
var StoreFields = wire.FieldsOf(new(Stores),
	"Accounts", "Sessions", "Settings", "Jobs", "Library", "Uploads", "Sync", "Leases", "Proofs")

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
	return storesOn(db), func() { db.Close() }, nil
}

// PostgresStores connects to the PostgreSQL database at url, which the
// error does not repeat: it may hold a password.
func PostgresStores(ctx context.Context, url string, opts postgres.Options) (Stores, func(), error) {
	db, err := postgres.Open(ctx, url, opts)
	if err != nil {
		return Stores{}, nil, fmt.Errorf("open the database of PHOTOSYNC_DATABASE_URL: %w", err)
	}
	return storesOn(db), func() { db.Close() }, nil
}

// storesOn makes the shared SQL stores on an open database of either kind.
func storesOn(db *sqlstore.DB) Stores {
	return Stores{
		Accounts: sqlstore.NewAccountStore(db),
		Sessions: sqlstore.NewSessionStore(db),
		Settings: sqlstore.NewSettingStore(db),
		Jobs:     sqlstore.NewJobStore(db),
		Library:  sqlstore.NewLibraryStore(db),
		Uploads:  sqlstore.NewUploadStore(db),
		Sync:     sqlstore.NewSyncStore(db),
		Leases:   sqlstore.NewLeaseStore(db),
		Proofs:   sqlstore.NewProofStore(db),
	}
}
