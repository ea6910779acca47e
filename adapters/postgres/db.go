// Package postgres keeps photosync's state in a PostgreSQL database shared
// by any number of photosync processes on any number of machines, through
// pgx's database/sql driver (github.com/jackc/pgx/v5/stdlib).
//
// Open the database with Open, then make one store per port from it, as
// with the sqlite adapter: the tables, the embedded migrations and the
// behaviour are the same, so that the same contract suites pass and
// `photosync migrate-store` can copy one into the other row by row.
//
// Times are stored as BIGINT nanoseconds since the Unix epoch (UTC), the
// zero time as NULL, as in SQLite: timestamptz keeps only microseconds,
// and the stores keep times to the nanosecond. Durations are stored as
// BIGINT in the unit their column name ends with (timeout_ms,
// sync_interval_s); booleans as BOOLEAN.
//
// Why database/sql and not pgxpool: the stores read like their SQLite
// twins (sql.ErrNoRows, *sql.Tx, one querier for both), the pool is the
// standard library's, and migrate-store reads SQLite and writes PostgreSQL
// through the same interface.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// DB is an open photosync database on a PostgreSQL server.
type DB struct {
	db *sql.DB
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
	sqldb.SetMaxOpenConns(opts.MaxConns)
	sqldb.SetMaxIdleConns(opts.MaxConns)
	// Connections through a proxy or a load balancer can be cut while
	// idle; a fresh one now and then costs little.
	sqldb.SetConnMaxIdleTime(5 * time.Minute)
	if err := sqldb.PingContext(ctx); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("postgres: connect: %w", redact(err))
	}
	if err := migrate(ctx, sqldb, migrations); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return &DB{db: sqldb}, nil
}

// Close closes the database. Stores made from it must not be used after.
func (db *DB) Close() error {
	return db.db.Close()
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

// querier is what *sql.DB and *sql.Tx have in common, so that one query
// function serves both inside and outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// PostgreSQL's error codes (SQLSTATE) that the stores translate.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// isUniqueViolation reports whether err is a violated UNIQUE or PRIMARY
// KEY constraint.
func isUniqueViolation(err error) bool { return pgCode(err) == uniqueViolation }

// isForeignKeyViolation reports whether err is a violated FOREIGN KEY
// constraint.
func isForeignKeyViolation(err error) bool { return pgCode(err) == foreignKeyViolation }

// The range of times that fit in int64 nanoseconds: 1677 to 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// timeValue returns t for a BIGINT time column: nanoseconds since the Unix
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

// timeOf returns the time stored in a BIGINT time column, in UTC.
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

// params returns the placeholders $from to $(from+n-1), comma-separated.
func params(from, n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i))
	}
	return b.String()
}
