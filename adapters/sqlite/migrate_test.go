package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
)

// rawDB opens a database file without photosync's schema.
func rawDB(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "raw.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func files(m map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, text := range m {
		fsys["m/"+name] = &fstest.MapFile{Data: []byte("-- +goose Up\n" + text)}
	}
	return fsys
}

func TestMigrateRefusesBadSets(t *testing.T) {
	for name, set := range map[string]map[string]string{
		"gap":        {"0001_a.sql": "CREATE TABLE a (x);", "0003_c.sql": "CREATE TABLE c (x);"},
		"duplicate":  {"0001_a.sql": "CREATE TABLE a (x);", "001_b.sql": "CREATE TABLE b (x);"},
		"no version": {"0001_a.sql": "CREATE TABLE a (x);", "b.sql": "CREATE TABLE b (x);"},
		"zero":       {"0000_a.sql": "CREATE TABLE a (x);"},
	} {
		t.Run(name, func(t *testing.T) {
			db := rawDB(t)
			if err := sqlite.Migrate(context.Background(), db, files(set), "m"); err == nil {
				t.Fatal("Migrate accepted the set")
			}
			var n int
			if err := db.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name IN ('a', 'b', 'c')`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			if n > 0 {
				t.Errorf("Migrate refused the set but created %d tables", n)
			}
		})
	}
}

func TestMigrateAppliesOnlyNewVersions(t *testing.T) {
	ctx := context.Background()
	db := rawDB(t)
	set := map[string]string{
		"0001_a.sql": "CREATE TABLE a (x INTEGER);\nINSERT INTO a VALUES (1);",
		"0002_b.sql": "CREATE TABLE b (x INTEGER);",
	}
	if err := sqlite.Migrate(ctx, db, files(set), "m"); err != nil {
		t.Fatal(err)
	}
	// A release adds a migration; the old ones must not run again (the
	// CREATE TABLE would fail, the INSERT would double the row).
	set["0003_c.sql"] = "ALTER TABLE a ADD COLUMN y TEXT NOT NULL DEFAULT 'new';"
	for range 2 {
		if err := sqlite.Migrate(ctx, db, files(set), "m"); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	var y string
	if err := db.QueryRow(`SELECT count(*), max(y) FROM a`).Scan(&n, &y); err != nil {
		t.Fatal(err)
	}
	if n != 1 || y != "new" {
		t.Errorf("table a has %d rows with y = %q, want 1 row with y = \"new\"", n, y)
	}
}

func TestFailedMigrationRollsBack(t *testing.T) {
	ctx := context.Background()
	db := rawDB(t)
	set := map[string]string{
		"0001_a.sql": "CREATE TABLE a (x INTEGER);",
		// The first statement works, the second does not.
		"0002_b.sql": "CREATE TABLE b (x INTEGER);\nINSERT INTO missing VALUES (1);",
	}
	err := sqlite.Migrate(ctx, db, files(set), "m")
	if err == nil || !strings.Contains(err.Error(), "0002_b.sql") {
		t.Fatalf("Migrate returned %v, want an error naming 0002_b.sql", err)
	}
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name IN ('a', 'b') ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	if strings.Join(tables, ",") != "a" {
		t.Errorf("after a failed migration 2 the database has tables %v, want only a", tables)
	}
	var v int
	if err := db.QueryRow(`SELECT max(version_id) FROM goose_db_version`).Scan(&v); err != nil {
		t.Fatal(err)
	}
	if v != 1 {
		t.Errorf("goose_db_version records version %d, want 1", v)
	}
}

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
