// Package sqlite keeps photosync's state in an embedded SQLite database, one
// file in the data folder, through the pure-Go driver modernc.org/sqlite.
//
// Open the database with Open, then make one store per port from it
// (NewAccountStore, ...): the stores are the shared ones of package
// sqlstore, on this package's Dialect. All stores share the DB's
// connection pool. The schema is migrations/*.sql, applied by goose
// (see sqlstore.Migrate): STRICT tables, booleans as INTEGER 0 or 1.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/photosync/photosync/adapters/sqlstore"
)

// busyTimeout is how long a statement waits for another connection or
// process to release its lock before it fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// DB is an open photosync database.
type DB = sqlstore.DB

// migrations holds the schema, one goose migration per change, named
// NNNN_what.sql and numbered from 0001 without gaps. A released migration
// is never edited: a change to the schema is a new file.
//
// Each migration runs in one transaction with foreign keys on. PRAGMA
// foreign_keys cannot change inside a transaction, so a migration that
// rebuilds a table referenced by others uses PRAGMA defer_foreign_keys.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is what SQLite spells or does differently for the shared stores.
var Dialect = &sqlstore.Dialect{
	Name:        "sqlite",
	IntBooleans: true, // the partial indexes say "missing = 0", "failed = 1"
	// Every read-write transaction begins with BEGIN IMMEDIATE (see dsn):
	// it holds the write lock, so no row lock (ForUpdate) or LockTx.
	In: func(list any) (string, any, error) {
		b, err := json.Marshal(list) // one JSON array: any number of values
		return `IN (SELECT value FROM json_each(?))`, string(b), err
	},
	IsUnique: func(err error) bool {
		return isCode(err, sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	IsForeignKey: func(err error) bool { return isCode(err, sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY) },
	Goose:        "sqlite3",
	Migrations:   sqlstore.Sub(migrations, "migrations"),
	TableExists:  `SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?)`,
}

func isCode(err error, codes ...int) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && slices.Contains(codes, e.Code())
}

// Journal is SQLite's journal mode (PRAGMA journal_mode).
type Journal string

// Journal modes. JournalWAL, the default, lets readers go on while one
// connection writes, but needs shared memory between the processes that
// open the file, which network file systems (NFS, Amazon EFS) do not give:
// there use JournalDelete, which relies on file locks only.
const (
	JournalWAL    Journal = "wal"
	JournalDelete Journal = "delete"
)

// ParseJournal reads a journal mode by name: "wal", or "delete" for a
// database on a network file system. The empty string is JournalWAL.
func ParseJournal(s string) (Journal, error) {
	switch Journal(strings.ToLower(strings.TrimSpace(s))) {
	case "", JournalWAL:
		return JournalWAL, nil
	case JournalDelete:
		return JournalDelete, nil
	}
	return "", fmt.Errorf("sqlite: journal mode %q is not wal or delete", s)
}

// Open opens the database file at path, creating it with mode 0600 (and its
// folder with mode 0700) when it does not exist, and brings its schema up to
// date. It refuses a database written by a newer photosync with an EINTERNAL
// error. Several processes may open the same file. It uses JournalWAL.
func Open(ctx context.Context, path string) (*DB, error) {
	return OpenJournal(ctx, path, JournalWAL)
}

// OpenJournal is Open with a journal mode of choice: JournalDelete for a
// database on a network file system such as Amazon EFS.
func OpenJournal(ctx context.Context, path string, journal Journal) (*DB, error) {
	if journal != JournalWAL && journal != JournalDelete {
		return nil, fmt.Errorf("sqlite: open %s: journal mode %q is not wal or delete", path, journal)
	}
	if path == "" {
		return nil, errors.New("sqlite: open: no database path")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// SQLite creates files with mode 0644, but the database holds sealed
	// passwords and session hashes: create it first with 0600. SQLite gives
	// the -wal and -shm files the mode of the database file.
	f, err := os.OpenFile(abs, os.O_RDONLY|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	f.Close()

	sqldb, err := sql.Open("sqlite", dsn(abs, journal))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := sqlstore.Migrate(ctx, sqldb, Dialect); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	return sqlstore.New(sqldb, Dialect), nil
}

// dsn returns the driver's name for the database file at the absolute path.
// The pragmas run on every new connection of the pool, busy_timeout first.
// _txlock=immediate makes every read-write transaction start with BEGIN
// IMMEDIATE: it takes the write lock up front, waiting under busy_timeout,
// instead of failing with SQLITE_BUSY when a transaction that has read
// tries to write while another connection writes.
// synchronous(FULL) goes with the rollback journal: NORMAL is only safe
// with WAL.
func dsn(path string, journal Journal) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	if journal == JournalDelete {
		q.Add("_pragma", "journal_mode(DELETE)")
		q.Add("_pragma", "synchronous(FULL)")
	} else {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	q.Set("_txlock", "immediate")
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	// A file: URI, so that ?, # and % in the path are escaped rather than
	// taken for the start of the parameters.
	u := url.URL{Scheme: "file", Path: p, RawQuery: q.Encode()}
	return u.String()
}
