package postgres_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/postgres"
	"github.com/photosync/photosync/adapters/postgres/pgtest"
	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

// TestMain runs every test of the package on one throwaway PostgreSQL
// server, with a database of each test's own.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

func TestAccountStore(t *testing.T) {
	porttest.TestAccountStore(t, func(t *testing.T) ports.AccountStore { return sqlstore.NewAccountStore(openDB(t)) })
}

func TestSessionStore(t *testing.T) {
	porttest.TestSessionStore(t, func(t *testing.T) ports.SessionStore { return sqlstore.NewSessionStore(openDB(t)) })
}

func TestSettingStore(t *testing.T) {
	porttest.TestSettingStore(t, func(t *testing.T) ports.SettingStore { return sqlstore.NewSettingStore(openDB(t)) })
}

func TestJobStore(t *testing.T) {
	porttest.TestJobStore(t, func(t *testing.T) ports.JobStore { return sqlstore.NewJobStore(openDB(t)) })
}

func TestLibraryStore(t *testing.T) {
	porttest.TestLibraryStore(t, func(t *testing.T) ports.LibraryStore { return sqlstore.NewLibraryStore(openDB(t)) })
}

func TestLeaseStore(t *testing.T) {
	porttest.TestLeaseStore(t, func(t *testing.T) ports.LeaseStore { return sqlstore.NewLeaseStore(openDB(t)) })
}

func TestSyncStore(t *testing.T) {
	porttest.TestSyncStore(t, func(t *testing.T) porttest.SyncFixture {
		db := openDB(t)
		return porttest.SyncFixture{Store: sqlstore.NewSyncStore(db), AccountIDs: sqlstoretest.CreateAccounts(t, db, "one", "two")}
	})
}

func TestUploadStore(t *testing.T) {
	porttest.TestUploadStore(t, func(t *testing.T) porttest.UploadFixture {
		db := openDB(t)
		files, accounts := uploadFixture(t, db)
		return porttest.UploadFixture{Store: sqlstore.NewUploadStore(db), FileIDs: files, AccountIDs: accounts}
	})
}

// openDB opens a new, empty database, closed at the end of the test.
func openDB(t *testing.T) *postgres.DB {
	t.Helper()
	return openURL(t, pgtest.NewDatabase(t))
}

func openURL(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	return sqlstoretest.Opened(t, db, err)
}

// uploadFixture stores three library files and two accounts.
func uploadFixture(t *testing.T, db *postgres.DB) (files, accounts []int64) {
	t.Helper()
	accounts = sqlstoretest.CreateAccounts(t, db, "one", "two")
	var photos []domain.Photo
	for i := range 3 {
		f := domain.LibraryFile{Path: fmt.Sprintf("a/IMG_%d.jpg", i), Kind: domain.KindImage, Role: domain.RolePrimary,
			Size: 4096, SHA1: strings.Repeat("a", 40), TakenSource: domain.TakenFromMTime}
		photos = append(photos, domain.Photo{Key: fmt.Sprintf("a/img_%d", i), Folder: "a", Name: fmt.Sprintf("IMG_%d", i), Files: []domain.LibraryFile{f}})
	}
	if err := sqlstore.NewLibraryStore(db).SaveIndex(context.Background(), photos, nil, nil, time.Now()); err != nil {
		t.Fatalf("SaveIndex: %v", err)
	}
	for _, p := range photos {
		files = append(files, p.Files[0].ID)
	}
	return files, accounts
}
