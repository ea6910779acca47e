package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
)

// TestUpgradeFromBeforeGoose: a database file made by photosync's own
// migration runner opens with goose's, data and all.
func TestUpgradeFromBeforeGoose(t *testing.T) {
	sqlstoretest.TestUpgrade(t, sqlite.Dialect, func(t *testing.T) (*sql.DB, func() (*sqlstore.DB, error)) {
		path := filepath.Join(t.TempDir(), "photosync.db")
		raw, err := sql.Open("sqlite", path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		return raw, func() (*sqlstore.DB, error) { return sqlite.Open(context.Background(), path) }
	})
}

// TestConcurrentOpensMigrateOnce: processes that open a new file at once
// all succeed, and each migration is recorded once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "photosync.db")
	const n = 4
	dbs := make([]*sqlite.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = sqlite.Open(context.Background(), path) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	checkVersions(t, dbs[0], sqlite.SchemaVersion)
}
