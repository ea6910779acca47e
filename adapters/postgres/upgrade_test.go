package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"github.com/photosync/photosync/adapters/postgres"
	"github.com/photosync/photosync/adapters/postgres/pgtest"
	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
)

// TestUpgradeFromBeforeGoose: a database made by photosync's own migration
// runner opens with goose's, data and all.
func TestUpgradeFromBeforeGoose(t *testing.T) {
	sqlstoretest.TestUpgrade(t, postgres.Dialect, func(t *testing.T) (*sql.DB, func() (*sqlstore.DB, error)) {
		url := pgtest.NewDatabase(t)
		raw, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		return raw, func() (*sqlstore.DB, error) { return postgres.Open(context.Background(), url, postgres.Options{}) }
	})
}
