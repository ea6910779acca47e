// Package sqlstoretest checks that a database made before the stores
// moved to goose upgrades in place, for the sqlite and postgres adapters'
// tests.
package sqlstoretest

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

// Fresh makes an empty database and returns a handle on it without
// photosync's schema, and open, which opens it as the adapter does (Open:
// the migrations run).
type Fresh func(t *testing.T) (raw *sql.DB, open func() (*sqlstore.DB, error))

// LegacyMigrate builds the schema as photosync did before goose, up to
// version upTo: each migration file of d run whole in a transaction of its
// own and recorded in schema_migrations (version, name, applied_at), the
// table and the statements of that code.
func LegacyMigrate(t *testing.T, raw *sql.DB, d *sqlstore.Dialect, upTo int) {
	t.Helper()
	ctx := context.Background()
	ddl, insert := `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
	if d.Goose == "sqlite3" {
		ddl = strings.ReplaceAll(ddl, "BIGINT", "INTEGER") + " STRICT"
		insert = `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
	}
	if _, err := raw.ExecContext(ctx, ddl); err != nil {
		t.Fatal(err)
	}
	names, err := fs.Glob(d.Migrations, "*.sql")
	if err != nil || len(names) < upTo {
		t.Fatalf("migrations %v (%v): fewer than %d", names, err, upTo)
	}
	for v, name := range names[:upTo] {
		text, err := fs.ReadFile(d.Migrations, name)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, string(text)); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if _, err := tx.ExecContext(ctx, insert, v+1, name, 1); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
}

// TestUpgrade opens databases made by LegacyMigrate with the adapter's
// Open: their data stays, goose records every version, a partial schema
// is completed, a newer one refused, and the contract suites of the
// accounts, the library (booleans, partial indexes) and the sync state
// (foreign keys) pass on the upgraded database.
func TestUpgrade(t *testing.T, d *sqlstore.Dialect, fresh Fresh) {
	ctx := context.Background()
	latest, err := sqlstore.SchemaVersion(d.Migrations)
	if err != nil {
		t.Fatal(err)
	}
	legacy := func(t *testing.T, upTo int) (*sql.DB, func() (*sqlstore.DB, error)) {
		raw, open := fresh(t)
		LegacyMigrate(t, raw, d, upTo)
		return raw, open
	}
	mustOpen := func(t *testing.T, open func() (*sqlstore.DB, error)) *sqlstore.DB {
		t.Helper()
		db, err := open()
		if err != nil {
			t.Fatalf("Open on a database made before goose: %v", err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	upgraded := func(t *testing.T) *sqlstore.DB {
		_, open := legacy(t, int(latest))
		return mustOpen(t, open)
	}

	t.Run("KeepsData", func(t *testing.T) {
		raw, open := legacy(t, int(latest))
		insert := `INSERT INTO settings (key, value) VALUES ('legacy', 'kept')`
		if _, err := raw.ExecContext(ctx, insert); err != nil {
			t.Fatal(err)
		}
		for range 2 { // the second Open finds the versions adopted
			db := mustOpen(t, open)
			if v, err := sqlstore.NewSettingStore(db).Setting(ctx, "legacy"); err != nil || v != "kept" {
				t.Errorf("setting after the upgrade = %q, %v; want %q", v, err, "kept")
			}
			checkVersions(t, db, latest)
		}
		var n int
		if err := raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || int64(n) != latest {
			t.Errorf("schema_migrations holds %d rows (%v) after the upgrade, want the %d it had", n, err, latest)
		}
	})
	t.Run("GoesOn", func(t *testing.T) {
		_, open := legacy(t, int(latest)-3)
		db := mustOpen(t, open)
		checkVersions(t, db, latest)
		if _, err := sqlstore.NewUploadStore(db).ExpiredUploads(ctx, time.Now()); err != nil {
			t.Errorf("the last migration's column after the upgrade: %v", err)
		}
	})
	t.Run("RefusesNewer", func(t *testing.T) {
		raw, open := legacy(t, int(latest))
		q := `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future.sql', 0)`
		if d.Goose == "sqlite3" {
			q = strings.Replace(q, "$1", "?", 1)
		}
		if _, err := raw.ExecContext(ctx, q, latest+1); err != nil {
			t.Fatal(err)
		}
		db, err := open()
		if err == nil {
			db.Close()
			t.Fatal("Open accepted a database from a newer photosync")
		}
		want := fmt.Sprintf("database schema version %d is newer than this photosync (%d)", latest+1, latest)
		if domain.ErrorCode(err) != domain.EINTERNAL || domain.ErrorMessage(err) != want {
			t.Errorf("Open = %v, want EINTERNAL %q", err, want)
		}
	})
	t.Run("AccountStore", func(t *testing.T) {
		porttest.TestAccountStore(t, func(t *testing.T) ports.AccountStore { return sqlstore.NewAccountStore(upgraded(t)) })
	})
	t.Run("LibraryStore", func(t *testing.T) {
		porttest.TestLibraryStore(t, func(t *testing.T) ports.LibraryStore { return sqlstore.NewLibraryStore(upgraded(t)) })
	})
	t.Run("SyncStore", func(t *testing.T) {
		porttest.TestSyncStore(t, func(t *testing.T) porttest.SyncFixture {
			db := upgraded(t)
			return porttest.SyncFixture{Store: sqlstore.NewSyncStore(db), AccountIDs: CreateAccounts(t, db, "one", "two")}
		})
	})
}

// checkVersions fails unless goose's table records versions 1 to n, each
// once.
func checkVersions(t *testing.T, db *sqlstore.DB, n int64) {
	t.Helper()
	var rows, last int64
	err := db.SQL().QueryRow(`SELECT COUNT(*), MAX(version_id) FROM `+sqlstore.VersionTable+` WHERE version_id > 0`).Scan(&rows, &last)
	if err != nil || rows != n || last != n {
		t.Errorf("%s: %d versions up to %d (%v); want each of the %d once", sqlstore.VersionTable, rows, last, err, n)
	}
}
