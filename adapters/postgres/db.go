// Package postgres keeps photosync's state in a PostgreSQL database shared
// by any number of photosync processes on any number of machines, through
// pgx's database/sql driver (github.com/jackc/pgx/v5/stdlib).
//
// Open the database with Open, then make one store per port from it with
// package sqlstore, as with the sqlite adapter: the stores are the same
// code on this package's Dialect, the tables the same version for version
// (migrations/*.sql, applied by goose), so that the same contract suites
// pass and `photosync migrate-store` can copy one into the other row by
// row (Import). Times are BIGINT nanoseconds, booleans BOOLEAN.
//
// Why database/sql and not pgxpool: the stores are shared with SQLite
// (sql.ErrNoRows, *sql.Tx), the pool is the standard library's, and
// migrate-store reads SQLite and writes PostgreSQL through the same
// interface.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver

	"github.com/photosync/photosync/adapters/sqlstore"
)

// DB is an open photosync database on a PostgreSQL server.
type DB = sqlstore.DB

// migrations holds the schema, one goose migration per change, named
// NNNN_what.sql and numbered from 0001 without gaps, version for version
// the same changes as the sqlite adapter's migrations, so that a database
// of one can be copied into the other (see Import). A released migration
// is never edited: a change to the schema is a new file, in both adapters.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is what PostgreSQL spells or does differently for the shared
// stores.
var Dialect = &sqlstore.Dialect{
	Name:      "postgres",
	Numbered:  true,
	ForUpdate: " FOR UPDATE",
	LockTx: func(ctx context.Context, tx *sql.Tx, key int64) error {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, key)
		return err
	},
	In:           func(list any) (string, any, error) { return `= ANY (?)`, list, nil },
	IsUnique:     func(err error) bool { return pgCode(err) == "23505" },
	IsForeignKey: func(err error) bool { return pgCode(err) == "23503" },
	Goose:        "postgres",
	Migrations:   sqlstore.Sub(migrations, "migrations"),
	TableExists:  `SELECT to_regclass(?) IS NOT NULL`,
}

// SchemaVersion is the version of the newest embedded migration: the
// schema version a database has once Open returned.
var SchemaVersion = func() int {
	v, err := sqlstore.SchemaVersion(Dialect.Migrations)
	if err != nil {
		panic(err)
	}
	return int(v)
}()

// pgCode returns PostgreSQL's error code (SQLSTATE) of err, "" for none.
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// Options tune the connection pool.
type Options struct {
	// MaxConns bounds the connections of this process; 10 when 0. A
	// Lambda function, of which many instances run at once, wants few.
	MaxConns int
}

// Open connects to the database at url (postgres://user:password@host/db),
// brings its schema up to date and returns it. It refuses a database
// written by a newer photosync with an EINTERNAL error. Any number of
// processes may open one database at once: one of them migrates, the
// others wait for it. The url is not repeated in errors: it may hold a
// password.
func Open(ctx context.Context, url string, opts Options) (*DB, error) {
	if url == "" {
		return nil, errors.New("postgres: open: no database URL")
	}
	sqldb, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", redact(err))
	}
	if opts.MaxConns <= 0 {
		opts.MaxConns = 10
	}
	// Connections through a proxy or a load balancer can be cut while
	// idle; a fresh one now and then costs little.
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("postgres: connect: %w", redact(err))
	}
	// Migrating takes two connections, one for the lock; the bound
	// applies after.
	if err := migrate(ctx, sqldb); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	sqldb.SetMaxOpenConns(opts.MaxConns)
	sqldb.SetMaxIdleConns(opts.MaxConns)
	return sqlstore.New(sqldb, Dialect), nil
}

// migrationLock is the key of the advisory lock that lets one process at
// a time migrate a database (any number, so long as every photosync uses
// the same one): "photosync" in ASCII.
const migrationLock = 0x70686f746f73796e

// migrate runs sqlstore.Migrate while a transaction of its own holds the
// advisory lock migrationLock. Processes that start at once queue on the
// lock; the first applies what is missing, the others then find nothing
// left to do. PostgreSQL's DDL is transactional, so a migration that
// fails leaves the schema as it was.
//
// The lock is pg_advisory_xact_lock, the transaction's, rather than
// pg_advisory_lock, the session's: it is let go at COMMIT or ROLLBACK
// however the process ends, and it works through poolers in transaction
// mode (pgbouncer, RDS Proxy), which hand a session's statements to
// different server connections.
func migrate(ctx context.Context, db *sql.DB) error {
	lock, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer lock.Rollback()
	if err := Dialect.LockTx(ctx, lock, migrationLock); err != nil {
		return fmt.Errorf("wait for other processes' migrations: %w", err)
	}
	return sqlstore.Migrate(ctx, db, Dialect)
}

// redact drops what a driver error may say about the connection string.
// pgx's parse errors quote it whole, password included.
func redact(err error) error {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		return errors.New("the database URL cannot be read; it must look like postgres://user:password@host:5432/database")
	}
	return err
}
