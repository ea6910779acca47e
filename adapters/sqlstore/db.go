// Package sqlstore is photosync's one implementation of the store ports
// over database/sql, shared by the sqlite and postgres adapters. Those keep
// only what is theirs: the connection and its settings, a Dialect naming
// what their SQL spells differently, and their migrations.
//
// Queries are written once, with ? placeholders and TRUE/FALSE for boolean
// literals; the dialect rewrites them ($1, $2, ... for PostgreSQL, 1 and 0
// for SQLite, whose partial indexes are written with integers).
//
// Times are stored as 64-bit integer nanoseconds since the Unix epoch
// (UTC), the zero time as NULL, and come back in UTC: PostgreSQL's
// timestamptz keeps only microseconds, and the stores keep nanoseconds.
// Durations are stored as integers in the unit their column name ends with
// (timeout_ms, sync_interval_s).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
)

// A Dialect is what one database spells or does differently.
type Dialect struct {
	// Name starts every error message of the stores ("sqlite: get
	// account 1: ...").
	Name string
	// Numbered placeholders ($1, $2, ...) instead of ?.
	Numbered bool
	// IntBooleans writes the literals TRUE and FALSE as 1 and 0.
	IntBooleans bool
	// ForUpdate is appended to the SELECT that reads a row an update
	// then writes in the same transaction: " FOR UPDATE" where a
	// transaction does not lock the database as it begins.
	ForUpdate string
	// LockTx, when set, makes the transactions that pass one key wait for
	// each other (PostgreSQL: pg_advisory_xact_lock). Without it, every
	// write transaction is alone already (SQLite: BEGIN IMMEDIATE).
	LockTx func(ctx context.Context, tx *sql.Tx, key int64) error
	// In returns the condition "is one of list" (a []int64 or []string)
	// to follow a column, with one placeholder, and the value to bind to
	// it: any number of values is one parameter.
	In func(list any) (cond string, arg any, err error)
	// IsUnique and IsForeignKey recognise a violated UNIQUE (or PRIMARY
	// KEY) and FOREIGN KEY constraint in a driver's error.
	IsUnique, IsForeignKey func(error) bool
	// Goose is the dialect's name for github.com/pressly/goose/v3
	// ("sqlite3", "postgres"); Migrations holds its NNNN_what.sql files
	// at the root.
	Goose      string
	Migrations fs.FS
	// TableExists is a query that answers whether the table named by its
	// one parameter exists.
	TableExists string
}

// DB is an open photosync database with its dialect. The stores made from
// it share its connection pool.
type DB struct {
	db *sql.DB
	d  *Dialect

	rewritten sync.Map // query as written -> query for the dialect
}

// New returns a DB on an open pool whose schema is up to date (see
// Migrate).
func New(db *sql.DB, d *Dialect) *DB {
	return &DB{db: db, d: d}
}

// SQL returns the connection pool.
func (db *DB) SQL() *sql.DB { return db.db }

// Close closes the database. Stores made from it must not be used after.
func (db *DB) Close() error { return db.db.Close() }

// q returns query in the dialect's spelling.
func (db *DB) q(query string) string {
	if v, ok := db.rewritten.Load(query); ok {
		return v.(string)
	}
	out := rewrite(query, db.d)
	db.rewritten.Store(query, out)
	return out
}

// rewrite numbers the placeholders and spells the boolean literals of
// query for d. Queries hold no ? and no TRUE or FALSE in string literals.
func rewrite(query string, d *Dialect) string {
	if d.IntBooleans {
		query = strings.NewReplacer(" TRUE", " 1", " FALSE", " 0", "(TRUE", "(1", "(FALSE", "(0").Replace(query)
	}
	if !d.Numbered {
		return query
	}
	var b strings.Builder
	n := 0
	for _, c := range query {
		if c == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

// errorf returns an error for the log, named after the dialect.
func (db *DB) errorf(format string, args ...any) error {
	return fmt.Errorf(db.d.Name+": "+format, args...)
}

// querier is what *sql.DB and *sql.Tx have in common, so that one query
// function serves both inside and outside a transaction.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// queryAll runs query and returns its rows read by scan, an empty slice
// when there are none.
func queryAll[T any](ctx context.Context, db *DB, q querier, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := q.QueryContext(ctx, db.q(query), args...)
	if err != nil {
		return nil, db.errorf("%s: %w", what, err)
	}
	defer rows.Close()
	list := []T{}
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, db.errorf("%s: %w", what, err)
		}
		list = append(list, v)
	}
	if err := rows.Err(); err != nil {
		return nil, db.errorf("%s: %w", what, err)
	}
	return list, nil
}

// queryOne runs query and reads its one row by scan: ENOTFOUND "<what>
// not found" when there is none.
func queryOne[T any](ctx context.Context, db *DB, q querier, what string, scan func(scanner) (T, error), query string, args ...any) (T, error) {
	v, err := scan(q.QueryRowContext(ctx, db.q(query), args...))
	if errors.Is(err, sql.ErrNoRows) {
		var none T
		return none, domain.Errorf(domain.ENOTFOUND, "%s not found", what)
	}
	if err != nil {
		return v, db.errorf("get %s: %w", what, err)
	}
	return v, nil
}

// inTx runs fn in a transaction and commits it when fn returns nil. In
// SQLite the transaction begins with BEGIN IMMEDIATE (see the adapter's
// connection string), taking the write lock up front.
func (db *DB) inTx(ctx context.Context, what string, fn func(tx *sql.Tx) error) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return db.errorf("%s: %w", what, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return db.errorf("%s: %w", what, err)
	}
	return nil
}

// The range of times that fit in int64 nanoseconds: 1677 to 2262.
var (
	minTime = time.Unix(0, math.MinInt64)
	maxTime = time.Unix(0, math.MaxInt64)
)

// timeValue returns t for an integer time column: nanoseconds since the
// Unix epoch, or nil (NULL) for the zero time.
func timeValue(t time.Time) (any, error) {
	if t.IsZero() {
		return nil, nil
	}
	if t.Before(minTime) || t.After(maxTime) {
		return nil, fmt.Errorf("time %v is outside the range that can be stored", t)
	}
	return t.UnixNano(), nil
}

// timeValues returns timeValue of each time, or the first error named
// after its column.
func timeValues(names []string, ts ...time.Time) ([]any, error) {
	out := make([]any, len(ts))
	for i, t := range ts {
		v, err := timeValue(t)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", names[i], err)
		}
		out[i] = v
	}
	return out, nil
}

// timeOf returns the time stored in an integer time column, in UTC.
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

// placeholders returns n comma-separated ?.
func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

// exec runs a statement and returns how many rows it changed.
func (db *DB) exec(ctx context.Context, q querier, query string, args ...any) (int64, error) {
	res, err := q.ExecContext(ctx, db.q(query), args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Rebind returns query, written with ? placeholders and TRUE/FALSE, in the
// dialect's spelling, for code that runs its own SQL on SQL().
func (db *DB) Rebind(query string) string { return db.q(query) }
