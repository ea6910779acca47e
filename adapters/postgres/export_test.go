package postgres

import "database/sql"

// SQL returns the connection pool, for tests that look under the stores.
func (db *DB) SQL() *sql.DB { return db.db }
