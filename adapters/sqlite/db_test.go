package sqlite_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/domain"
)

func TestOpenCreatesPrivateFiles(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix file modes")
	}
	dir := filepath.Join(t.TempDir(), "data", "state")
	path := filepath.Join(dir, "photosync.db")
	db := openPath(t, path)
	// A write, so that the -wal file exists.
	if err := sqlite.NewSettingStore(db).SetSetting(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{
		{filepath.Dir(dir), 0o700},
		{dir, 0o700},
		{path, 0o600},
		{path + "-wal", 0o600},
		{path + "-shm", 0o600},
	} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if got := fi.Mode().Perm(); got != c.mode {
			t.Errorf("%s has mode %v, want %v", c.path, got, c.mode)
		}
	}
}

func TestOpenPathWithURICharacters(t *testing.T) {
	// Characters that mean something in a file: URI must stay part of the
	// file name.
	dir := filepath.Join(t.TempDir(), "a b?c=d#e%41")
	path := filepath.Join(dir, "photo sync.db")
	db := openPath(t, path)
	if err := sqlite.NewSettingStore(db).SetSetting(context.Background(), "k", "v"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not where it was asked to be: %v", err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "photo sync.db") {
			t.Errorf("unexpected file %s beside the database", e.Name())
		}
	}
}

func TestPragmasOnEveryConnection(t *testing.T) {
	db := openDB(t)
	ctx := context.Background()
	// Hold several connections at once, so that the pool must open new
	// ones, each of which must run the pragmas.
	var conns []*sql.Conn
	for range 3 {
		c, err := db.SQL().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		conns = append(conns, c)
	}
	want := map[string]string{
		"journal_mode": "wal",
		"foreign_keys": "1",
		"busy_timeout": "10000",
		"synchronous":  "1", // NORMAL
	}
	for i, c := range conns {
		for pragma, w := range want {
			var got string
			if err := c.QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
				t.Fatalf("PRAGMA %s: %v", pragma, err)
			}
			if strings.ToLower(got) != w {
				t.Errorf("connection %d: PRAGMA %s is %q, want %q", i, pragma, got, w)
			}
		}
	}
}

func TestReopenKeepsDataAndSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "photosync.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	a := domain.NewAccount()
	a.Name, a.URL = "Home", "https://dav.example.org/"
	if err := sqlite.NewAccountStore(db).CreateAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	for range 2 {
		db := openPath(t, path)
		got, err := sqlite.NewAccountStore(db).Account(ctx, a.ID)
		if err != nil {
			t.Fatalf("Account after reopening: %v", err)
		}
		if got.Name != a.Name {
			t.Errorf("Account after reopening is named %q, want %q", got.Name, a.Name)
		}
		checkVersions(t, db, sqlite.SchemaVersion)
	}
}

// checkVersions fails unless goose_db_version lists versions 1 to n, each
// once.
func checkVersions(t *testing.T, db *sqlite.DB, n int) {
	t.Helper()
	rows, err := db.SQL().Query(`SELECT version_id FROM goose_db_version WHERE version_id > 0 ORDER BY version_id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var got []int
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			t.Fatal(err)
		}
		got = append(got, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	ok := len(got) == n
	for i, v := range got {
		ok = ok && v == i+1
	}
	if !ok {
		t.Errorf("goose_db_version lists versions %v, want 1 to %d", got, n)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "photosync.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	future := sqlite.SchemaVersion + 1
	_, err = db.SQL().Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (?, 1)`, future)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = sqlite.Open(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("Open accepted a database from a newer photosync")
	}
	if code := domain.ErrorCode(err); code != domain.EINTERNAL {
		t.Errorf("Open returned code %s, want EINTERNAL", code)
	}
	want := fmt.Sprintf("database schema version %d is newer than this photosync (%d)", future, sqlite.SchemaVersion)
	if got := domain.ErrorMessage(err); got != want {
		t.Errorf("Open returned message %q, want %q", got, want)
	}
}

func TestConcurrentUpdatesFromTwoProcesses(t *testing.T) {
	// Two DBs on one file stand for two processes, such as the server and
	// a cron job running the CLI: BEGIN IMMEDIATE and busy_timeout must
	// queue their writes rather than fail or lose one.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "photosync.db")
	stores := []*sqlite.AccountStore{
		sqlite.NewAccountStore(openPath(t, path)),
		sqlite.NewAccountStore(openPath(t, path)),
	}
	a := domain.NewAccount()
	a.Name, a.URL = "Home", "https://dav.example.org/"
	if err := stores[0].CreateAccount(ctx, &a); err != nil {
		t.Fatal(err)
	}
	const perWorker = 20
	var wg sync.WaitGroup
	for i := range 6 {
		s := stores[i%2]
		wg.Go(func() {
			for range perWorker {
				_, err := s.UpdateAccount(ctx, a.ID, func(x *domain.Account) error {
					x.ErrorCount++
					return nil
				})
				if err != nil {
					t.Errorf("UpdateAccount: %v", err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := stores[1].Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ErrorCount != 6*perWorker {
		t.Fatalf("ErrorCount is %d, want %d", got.ErrorCount, 6*perWorker)
	}
}

func TestInternalErrorsHideSQL(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "photosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	accounts := sqlite.NewAccountStore(db)
	db.Close()
	_, err = accounts.Account(ctx, 1)
	if code := domain.ErrorCode(err); code != domain.EINTERNAL {
		t.Errorf("Account on a closed database returned %v (code %s), want EINTERNAL", err, code)
	}
	if msg := domain.ErrorMessage(err); msg != "internal error" {
		t.Errorf("a person would read %q, want %q", msg, "internal error")
	}
	if !strings.HasPrefix(err.Error(), "sqlite: get account 1: ") {
		t.Errorf("the error for the log is %q, want it to name the operation", err)
	}
}
