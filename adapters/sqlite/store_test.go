package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func TestAccountStore(t *testing.T) {
	porttest.TestAccountStore(t, func(t *testing.T) ports.AccountStore {
		return sqlite.NewAccountStore(openDB(t))
	})
}

func TestSessionStore(t *testing.T) {
	porttest.TestSessionStore(t, func(t *testing.T) ports.SessionStore {
		return sqlite.NewSessionStore(openDB(t))
	})
}

func TestSettingStore(t *testing.T) {
	porttest.TestSettingStore(t, func(t *testing.T) ports.SettingStore {
		return sqlite.NewSettingStore(openDB(t))
	})
}

// openDB opens a new database in a temporary folder, closed at the end of
// the test.
func openDB(t *testing.T) *sqlite.DB {
	t.Helper()
	return openPath(t, filepath.Join(t.TempDir(), "photosync.db"))
}

func openPath(t *testing.T, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	return sqlstoretest.Opened(t, db, err)
}
