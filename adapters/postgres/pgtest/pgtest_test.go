package pgtest_test

import (
	"database/sql"
	"os"
	"testing"

	"github.com/photosync/photosync/adapters/postgres/pgtest"
)

func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestNewDatabase: each test gets a database of its own on one server.
func TestNewDatabase(t *testing.T) {
	first, second := pgtest.NewDatabase(t), pgtest.NewDatabase(t)
	if first == second {
		t.Fatalf("two tests got one database: %s", first)
	}
	db, err := sql.Open("pgx", first)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE t (x int)`); err != nil {
		t.Fatal(err)
	}
	other, err := sql.Open("pgx", second)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var n int
	if err := other.QueryRow(`SELECT COUNT(*) FROM pg_tables WHERE tablename = 't'`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("the second database sees %d tables named t (%v), want 0", n, err)
	}
	var fsync string
	if err := db.QueryRow(`SHOW fsync`).Scan(&fsync); err != nil || fsync != "off" {
		t.Fatalf("fsync = %q, %v; want off", fsync, err)
	}
}

// TestStart: a cluster of the test's own listens apart from the shared one.
func TestStart(t *testing.T) {
	c := pgtest.Start(t)
	db, err := sql.Open("pgx", c.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(); err != nil {
		t.Fatalf("%s: %v", c, err)
	}
}
