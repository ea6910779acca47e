package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/domain"
)

// importTables are the tables Import copies, each after those it refers
// to. leases is left out: a lease is only good for the process that took
// it, and none of those runs on the copy.
var importTables = []string{
	"accounts", "sessions", "settings", "photos", "files", "jobs", "uploads",
	"sync_pairs", "sync_folders", "sync_folder_files", "sync_failures", "sync_runs", "proofs",
}

// identityTables have an identity column id, set past the copied IDs.
var identityTables = []string{"accounts", "photos", "files", "jobs", "sync_runs"}

// TableCount is how many rows Import copied into one table.
type TableCount struct {
	Table string
	Rows  int64
}

// Import copies a photosync SQLite database, open as src (through
// database/sql, with the tables of the sqlite adapter at the same schema
// version as this package's), into db, in one transaction: a failure
// leaves db as it was. IDs are kept, so that links and job numbers stay
// the same, and each identity goes on past the highest ID the source ever
// gave (SQLite's sqlite_sequence), so that no ID is given twice. Sealed
// passwords are copied as they are: they open with the same secret key.
//
// ECONFLICT when db holds data already, unless replace is true: then its
// rows are removed first, in the same transaction. EINVALID when the
// schema versions of the two differ.
func Import(ctx context.Context, db *DB, src *sql.DB, replace bool) ([]TableCount, error) {
	version, err := sqlstore.AppliedVersion(ctx, src, "sqlite3")
	if err != nil {
		return nil, fmt.Errorf("postgres: import: read the source's schema version: %w", err)
	}
	if version != int64(SchemaVersion) {
		return nil, domain.Errorf(domain.EINVALID, "the SQLite database has schema version %d and PostgreSQL's is %d: open the SQLite database with this photosync first", version, SchemaVersion)
	}
	// One read transaction on the source: a consistent snapshot even if
	// a photosync still writes to it.
	rtx, err := src.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("postgres: import: %w", err)
	}
	defer rtx.Rollback()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("postgres: import: %w", err)
	}
	defer tx.Rollback()

	if err := checkEmpty(ctx, tx, replace); err != nil {
		return nil, err
	}
	var counts []TableCount
	for _, table := range importTables {
		n, err := copyTable(ctx, rtx, tx, table)
		if err != nil {
			return nil, fmt.Errorf("postgres: import %s: %w", table, err)
		}
		counts = append(counts, TableCount{Table: table, Rows: n})
	}
	for _, table := range identityTables {
		if err := continueIdentity(ctx, rtx, tx, table); err != nil {
			return nil, fmt.Errorf("postgres: import %s: %w", table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("postgres: import: %w", err)
	}
	return counts, nil
}

// checkEmpty refuses a database with rows in any table Import writes,
// or, with replace, empties them and restarts their identities.
func checkEmpty(ctx context.Context, tx *sql.Tx, replace bool) error {
	tables := append(append([]string{}, importTables...), "leases")
	if replace {
		_, err := tx.ExecContext(ctx, `TRUNCATE `+strings.Join(tables, ", ")+` RESTART IDENTITY`)
		if err != nil {
			return fmt.Errorf("postgres: import: empty the database: %w", err)
		}
		return nil
	}
	var held []string
	for _, table := range tables {
		var any bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+table+`)`).Scan(&any); err != nil {
			return fmt.Errorf("postgres: import: %w", err)
		}
		if any {
			held = append(held, table)
		}
	}
	if len(held) > 0 {
		return domain.Errorf(domain.ECONFLICT, "the PostgreSQL database holds photosync data already (in %s); copying would mix two installations: use --force to replace it", strings.Join(held, ", "))
	}
	return nil
}

// copyTable copies the rows of one table, column by column as PostgreSQL
// has them; SQLite's 0 and 1 become booleans where PostgreSQL has them.
func copyTable(ctx context.Context, from, to *sql.Tx, table string) (int64, error) {
	cols, bools, err := columns(ctx, to, table)
	if err != nil {
		return 0, err
	}
	rows, err := from.QueryContext(ctx, `SELECT `+strings.Join(cols, ", ")+` FROM `+table)
	if err != nil {
		return 0, fmt.Errorf("read: %w", err)
	}
	defer rows.Close()
	stmt, err := to.PrepareContext(ctx, `INSERT INTO `+table+` (`+strings.Join(cols, ", ")+`) VALUES (`+params(len(cols))+`)`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	values := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range values {
		ptrs[i] = &values[i]
	}
	var n int64
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return n, fmt.Errorf("read: %w", err)
		}
		for i, v := range values {
			if bools[i] {
				b, ok := v.(int64)
				if !ok || (b != 0 && b != 1) {
					return n, fmt.Errorf("column %s holds %v, not 0 or 1", cols[i], v)
				}
				values[i] = b == 1
			}
		}
		if _, err := stmt.ExecContext(ctx, values...); err != nil {
			return n, fmt.Errorf("write: %w", err)
		}
		n++
	}
	if err := rows.Err(); err != nil {
		return n, fmt.Errorf("read: %w", err)
	}
	return n, nil
}

// columns returns the columns of a table in order, and which of them are
// booleans.
func columns(ctx context.Context, tx *sql.Tx, table string) ([]string, []bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT column_name, data_type FROM information_schema.columns
		WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`, table)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var cols []string
	var bools []bool
	for rows.Next() {
		var name, typ string
		if err := rows.Scan(&name, &typ); err != nil {
			return nil, nil, err
		}
		cols, bools = append(cols, name), append(bools, typ == "boolean")
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	if len(cols) == 0 {
		return nil, nil, errors.New("no such table in PostgreSQL")
	}
	return cols, bools, nil
}

// continueIdentity sets a table's identity past the highest ID SQLite
// gave: the larger of the highest ID left and sqlite_sequence's, which
// remembers IDs of deleted rows too.
func continueIdentity(ctx context.Context, from, to *sql.Tx, table string) error {
	var last int64
	err := from.QueryRowContext(ctx, `SELECT MAX(n) FROM (
		SELECT COALESCE(MAX(id), 0) AS n FROM `+table+`
		UNION ALL SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = ?)`, table).Scan(&last)
	if err != nil {
		return fmt.Errorf("read the last ID: %w", err)
	}
	if last < 1 {
		return nil
	}
	_, err = to.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence($1, 'id'), $2)`, table, last)
	return err
}

// params returns the placeholders $1 to $n, comma-separated.
func params(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "$%d", i+1)
	}
	return b.String()
}
