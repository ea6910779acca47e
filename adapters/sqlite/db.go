// Package sqlite keeps photosync's state in an embedded SQLite database, one
// file in the data folder, through the pure-Go driver modernc.org/sqlite.
//
// Open the database with Open, then make one store per port from it:
// NewAccountStore, NewSessionStore, NewSettingStore. All stores share the
// DB's single connection pool.
//
// Times are stored as INTEGER nanoseconds since the Unix epoch (UTC), the
// zero time as NULL; they come back in UTC. Durations are stored as INTEGER
// in the unit their column name ends with (timeout_ms, sync_interval_s).
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// busyTimeout is how long a statement waits for another connection or
// process to release its lock before it fails with SQLITE_BUSY.
const busyTimeout = 10 * time.Second

// DB is an open photosync database.
type DB struct {
	db *sql.DB
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
	if err := migrate(ctx, sqldb, migrations); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	return &DB{db: sqldb}, nil
}

// Close closes the database. Stores made from it must not be used after.
func (db *DB) Close() error {
	return db.db.Close()
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

// querier is what *sql.DB and *sql.Tx have in common, so that one query
// function serves both inside and outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// isUniqueViolation reports whether err is a violated UNIQUE or PRIMARY KEY
// constraint.
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// The range of times that fit in int64 nanoseconds: 1677 to 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// timeValue returns t for an INTEGER time column: nanoseconds since the Unix
// epoch, or nil (NULL) for the zero time.
func timeValue(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return nil, fmt.Errorf("time %v is outside the range that can be stored", t)
	}
	return t.UnixNano(), nil
}

// timeOf returns the time stored in an INTEGER time column, in UTC.
func timeOf(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.Unix(0, n.Int64).UTC()
}

// now returns the current time as it reads back from the database: in UTC,
// without a monotonic clock reading.
func now() time.Time {
	return time.Now().UTC()
}
