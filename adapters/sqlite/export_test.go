package sqlite

import (
	"context"
	"database/sql"
	"io/fs"

	"github.com/photosync/photosync/adapters/sqlstore"
)

// SchemaVersion is the version of the newest embedded migration.
var SchemaVersion = func() int {
	v, err := sqlstore.SchemaVersion(Dialect.Migrations)
	if err != nil {
		panic(err)
	}
	return int(v)
}()

// Migrate runs the migrations in dir of fsys on db, as Open runs the
// embedded ones.
func Migrate(ctx context.Context, db *sql.DB, fsys fs.FS, dir string) error {
	d := *Dialect
	d.Migrations = sqlstore.Sub(fsys, dir)
	return sqlstore.Migrate(ctx, db, &d)
}
