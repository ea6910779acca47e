package postgres

import (
	"cmp"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/photosync/photosync/domain"
)

// migrationFiles holds the schema, one file per change, named
// NNNN_what.sql and numbered from 0001 without gaps, version for version
// the same changes as the sqlite adapter's migrations, so that a database
// of one can be copied into the other (see Import). A released migration
// is never edited: a change to the schema is a new file, in both adapters.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations is the embedded schema, checked when the package loads.
var migrations = mustLoadMigrations(migrationFiles, "migrations")

// SchemaVersion is the version of the newest embedded migration: the
// schema version a database has once Open returned.
var SchemaVersion = len(migrations)

// A migration is one numbered change to the schema.
type migration struct {
	version int
	name    string
	sql     string
}

func mustLoadMigrations(fsys fs.FS, dir string) []migration {
	ms, err := loadMigrations(fsys, dir)
	if err != nil {
		panic(err)
	}
	return ms
}

// loadMigrations reads the .sql files in dir, ordered by version. It
// refuses files with no version, two files with one version, and gaps.
func loadMigrations(fsys fs.FS, dir string) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("postgres: migrations: %w", err)
	}
	var ms []migration
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".sql") {
			continue
		}
		prefix, _, _ := strings.Cut(name, "_")
		v, err := strconv.Atoi(prefix)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("postgres: migration %s: the name does not start with a version such as 0001_", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("postgres: migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	slices.SortFunc(ms, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("postgres: migration %s: want version %d next", m.name, i+1)
		}
	}
	return ms, nil
}

// migrationLock is the key of the advisory lock that lets one process at
// a time migrate a database (any number, so long as every photosync uses
// the same one): "photosync" in ASCII.
const migrationLock = 0x70686f746f73796e

// migrate applies the migrations the database has not seen yet and
// records each in schema_migrations, all in one transaction that first
// takes the advisory lock migrationLock. Processes that start at once
// queue on the lock; the first applies what is missing, the others then
// find nothing left to do. PostgreSQL's DDL is transactional, so a
// migration that fails leaves the schema as it was.
//
// The lock is pg_advisory_xact_lock, the transaction's, rather than
// pg_advisory_lock, the session's: it is let go at COMMIT or ROLLBACK
// however the process ends, and it works through poolers in transaction
// mode (pgbouncer, RDS Proxy), which hand a session's statements to
// different server connections.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, int64(migrationLock)); err != nil {
		return fmt.Errorf("wait for other processes' migrations: %w", err)
	}
	_, err = tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    BIGINT PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at BIGINT NOT NULL
)`)
	if err != nil {
		return err
	}
	var current int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	latest := len(ms)
	if current > latest {
		return domain.Errorf(domain.EINTERNAL, "database schema version %d is newer than this photosync (%d)", current, latest)
	}
	if current == latest {
		return nil // nothing to do: let the lock go without writing
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.sql); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`,
			m.version, m.name, now().UnixNano())
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return tx.Commit()
}
