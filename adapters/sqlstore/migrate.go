package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/database"

	"github.com/photosync/photosync/domain"
)

// VersionTable is the table in which goose records the applied
// migrations: one row per version, and a row for version 0 made with the
// table.
const VersionTable = goose.DefaultTablename

// legacyTable is where photosync recorded its migrations before goose
// (version, name, applied_at), up to schema version 9. A database that has
// it and no VersionTable is adopted: its versions are copied into
// VersionTable, and goose goes on from there. The table stays as it was,
// so that an older photosync opening the database finds the versions it
// knows.
const legacyTable = "schema_migrations"

// SchemaVersion returns the version of the newest migration in fsys: the
// schema version of a database once Migrate returned. The files are
// NNNN_what.sql numbered from 1 without gaps: one file per change, never
// edited once released.
func SchemaVersion(fsys fs.FS) (int64, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return 0, err
	}
	var versions []int64
	for _, name := range names {
		v, err := goose.NumericComponent(name)
		if err != nil {
			return 0, fmt.Errorf("migration %s: the name does not start with a version such as 0001_: %w", name, err)
		}
		versions = append(versions, v)
	}
	slices.Sort(versions)
	for i, v := range versions {
		if v != int64(i+1) {
			return 0, fmt.Errorf("migration version %d: want version %d next (no gaps, no duplicates)", v, i+1)
		}
	}
	return int64(len(versions)), nil
}

// Migrate brings the schema of db up to date with d.Migrations through
// goose, each migration in its own transaction, after adopting a database
// made before goose (see legacyTable). It refuses a database whose schema
// is newer than the migrations with an EINTERNAL error, touching nothing.
//
// Processes that start at once on one database: in PostgreSQL the adapter
// holds an advisory lock around Migrate. In SQLite each migration's
// transaction takes the write lock (BEGIN IMMEDIATE) and a migration that
// another process applied meanwhile fails on its own tables; Migrate then
// looks again and goes on as long as the schema moves forward.
func Migrate(ctx context.Context, db *sql.DB, d *Dialect) error {
	latest, err := SchemaVersion(d.Migrations)
	if err != nil {
		return err
	}
	if err := adoptLegacy(ctx, db, d, latest); err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.Dialect(d.Goose), db, d.Migrations, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	current, err := p.GetDBVersion(ctx)
	for err == nil {
		if current > latest {
			return newerSchema(current, latest)
		}
		if current == latest {
			return nil
		}
		_, upErr := p.Up(ctx)
		if pe := (*goose.PartialError)(nil); errors.As(upErr, &pe) && pe.Failed != nil && pe.Failed.Source != nil {
			upErr = fmt.Errorf("%s: %w", pe.Failed.Source.Path, pe.Err) // name the file that failed
		}
		next, err := p.GetDBVersion(ctx)
		if err != nil {
			return err
		}
		if next <= current { // no migration went through: it fails on its own
			return cmp.Or(upErr, fmt.Errorf("the schema stays at version %d of %d", current, latest))
		}
		current = next
	}
	return err
}

func newerSchema(current, latest int64) error {
	return domain.Errorf(domain.EINTERNAL, "database schema version %d is newer than this photosync (%d)", current, latest)
}

// adoptLegacy copies the versions of legacyTable into VersionTable when
// the database has the one and not the other, in one transaction that
// looks again before it writes.
func adoptLegacy(ctx context.Context, db *sql.DB, d *Dialect, latest int64) error {
	legacy, err := tableExists(ctx, db, d, legacyTable)
	if err != nil || !legacy {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if adopted, err := tableExists(ctx, tx, d, VersionTable); err != nil || adopted {
		return err
	}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM `+legacyTable+` ORDER BY version`)
	if err != nil {
		return fmt.Errorf("read %s: %w", legacyTable, err)
	}
	versions := []int64{0}
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return fmt.Errorf("read %s: %w", legacyTable, err)
		}
		versions = append(versions, v)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("read %s: %w", legacyTable, err)
	}
	if last := versions[len(versions)-1]; last > latest {
		return newerSchema(last, latest)
	}
	store, err := database.NewStore(database.Dialect(d.Goose), VersionTable)
	if err != nil {
		return err
	}
	if err := store.CreateVersionTable(ctx, tx); err != nil {
		return fmt.Errorf("adopt %s: %w", legacyTable, err)
	}
	for _, v := range versions {
		if err := store.Insert(ctx, tx, database.InsertRequest{Version: v}); err != nil {
			return fmt.Errorf("adopt %s: version %d: %w", legacyTable, v, err)
		}
	}
	return tx.Commit()
}

// tableExists reports whether the table exists (Dialect.TableExists).
func tableExists(ctx context.Context, q database.DBTxConn, d *Dialect, table string) (bool, error) {
	var ok bool
	err := q.QueryRowContext(ctx, rewrite(d.TableExists, d), table).Scan(&ok)
	return ok, err
}

// AppliedVersion returns the schema version of a photosync database of
// the goose dialect (sqlite3, postgres) open as db: the highest version
// applied, 0 for none.
func AppliedVersion(ctx context.Context, db *sql.DB, gooseDialect string) (int64, error) {
	store, err := database.NewStore(database.Dialect(gooseDialect), VersionTable)
	if err != nil {
		return 0, err
	}
	return store.GetLatestVersion(ctx, db)
}

// Sub returns the migrations in dir of fsys, for a Dialect.
func Sub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, path.Clean(dir))
	if err != nil {
		panic(err) // only for an invalid dir, a constant
	}
	return sub
}
