package sqlite

import (
	"context"
	"database/sql"
	"io/fs"
)

// SchemaVersion is the version of the newest embedded migration.
var SchemaVersion = len(migrations)

// SQL returns the connection pool, for tests that look under the stores.
func (db *DB) SQL() *sql.DB { return db.db }

// Migrate runs the migrations in dir of fsys on db.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS, dir string) error {
	ms, err := loadMigrations(fsys, dir)
	if err != nil {
		return err
	}
	return migrate(ctx, db, ms)
}
