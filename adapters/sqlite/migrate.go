package sqlite

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
// NNNN_what.sql and numbered from 0001 without gaps. A released migration is
// never edited: a change to the schema is a new file.
//
// Each migration runs in one transaction with foreign keys on. PRAGMA
// foreign_keys cannot change inside a transaction, so a migration that
// rebuilds a table referenced by others uses PRAGMA defer_foreign_keys.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrations is the embedded schema, checked when the package loads.
var migrations = mustLoadMigrations(migrationFiles, "migrations")

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
		return nil, fmt.Errorf("sqlite: migrations: %w", err)
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
			return nil, fmt.Errorf("sqlite: migration %s: the name does not start with a version such as 0001_", name)
		}
		b, err := fs.ReadFile(fsys, path.Join(dir, name))
		if err != nil {
			return nil, fmt.Errorf("sqlite: migration %s: %w", name, err)
		}
		ms = append(ms, migration{version: v, name: name, sql: string(b)})
	}
	// fs.ReadDir sorts by name and the versions have leading zeros, but
	// 10000 would sort before 9999: sort by number.
	slices.SortFunc(ms, func(a, b migration) int { return cmp.Compare(a.version, b.version) })
	for i, m := range ms {
		if m.version != i+1 {
			return nil, fmt.Errorf("sqlite: migration %s: want version %d next", m.name, i+1)
		}
	}
	return ms, nil
}

// migrate applies the migrations the database has not seen yet, each in
// its own transaction, and records each in schema_migrations. Two processes
// that start at once are safe: BEGIN IMMEDIATE lets one in at a time, and
// each checks again inside its transaction whether the version is applied.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	_, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at INTEGER NOT NULL
) STRICT`)
	if err != nil {
		return err
	}
	var current int
	if err := db.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
		return err
	}
	latest := len(ms)
	if current > latest {
		return domain.Errorf(domain.EINTERNAL, "database schema version %d is newer than this photosync (%d)", current, latest)
	}
	for _, m := range ms[current:] {
		if err := apply(ctx, db, m); err != nil {
			return fmt.Errorf("%s: %w", m.name, err)
		}
	}
	return nil
}

func apply(ctx context.Context, db *sql.DB, m migration) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var done bool
	err = tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = ?)`, m.version).Scan(&done)
	if err != nil || done {
		return err
	}
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, now().UnixNano())
	if err != nil {
		return err
	}
	return tx.Commit()
}
