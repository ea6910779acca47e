package postgres_test

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"testing"

	"github.com/photosync/photosync/adapters/postgres"
	"github.com/photosync/photosync/adapters/postgres/pgtest"
	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
	"github.com/photosync/photosync/domain"
)

// TestConcurrentOpensMigrateOnce: instances that start at once on a new
// database all open it, and the schema is applied once.
func TestConcurrentOpensMigrateOnce(t *testing.T) {
	url := pgtest.NewDatabase(t)
	const n = 5
	dbs := make([]*postgres.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { dbs[i], errs[i] = postgres.Open(context.Background(), url, postgres.Options{MaxConns: 2}) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("Open %d: %v", i, err)
		}
		defer dbs[i].Close()
	}
	var rows, latest int
	err := dbs[0].SQL().QueryRow(`SELECT COUNT(*), MAX(version_id) FROM goose_db_version WHERE version_id > 0`).Scan(&rows, &latest)
	if err != nil || rows != postgres.SchemaVersion || latest != postgres.SchemaVersion {
		t.Fatalf("goose_db_version: %d rows up to %d (%v); want each of the %d versions once", rows, latest, err, postgres.SchemaVersion)
	}
}

// TestNewerSchemaRefused: a database migrated by a newer photosync is not
// touched.
func TestNewerSchemaRefused(t *testing.T) {
	url := pgtest.NewDatabase(t)
	db := openURL(t, url)
	if _, err := db.SQL().Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES ($1, true)`, postgres.SchemaVersion+1); err != nil {
		t.Fatal(err)
	}
	_, err := postgres.Open(context.Background(), url, postgres.Options{})
	if domain.ErrorCode(err) != domain.EINTERNAL || !strings.Contains(err.Error(), "newer than this photosync") {
		t.Fatalf("Open = %v, want EINTERNAL about a newer schema", err)
	}
}

// TestOpenHidesThePassword: a URL that cannot be read or reached is not
// repeated in the error, and the password in it not at all.
func TestOpenHidesThePassword(t *testing.T) {
	for _, url := range []string{
		"postgres://user:s3cret-pw@127.0.0.1:1/db?sslmode=disable&connect_timeout=5",
		"postgres://user:s3cret-pw@127.0.0.1:notaport/db",
	} {
		_, err := postgres.Open(context.Background(), url, postgres.Options{})
		if err == nil || strings.Contains(err.Error(), "s3cret-pw") {
			t.Errorf("Open = %v; want an error without the password", err)
		}
	}
}

// TestLeaseStoreAcrossHandles: two pools on one database, as two machines
// have, see one lease; a dead holder's lease expires.
func TestLeaseStoreAcrossHandles(t *testing.T) {
	url := pgtest.NewDatabase(t)
	sqlstoretest.TestLeaseStoreAcrossHandles(t, func(t *testing.T) *postgres.DB { return openURL(t, url) })
}

// TestLeaseStoreRace: many pools race for one lease; exactly one wins,
// round after round.
func TestLeaseStoreRace(t *testing.T) {
	url := pgtest.NewDatabase(t)
	sqlstoretest.TestLeaseStoreRace(t, func(t *testing.T) *postgres.DB { return openURL(t, url) })
}

// TestConcurrentAccountUpdates: read-modify-write updates from two pools
// do not lose each other's changes.
func TestConcurrentAccountUpdates(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	a, b := sqlstore.NewAccountStore(openURL(t, url)), sqlstore.NewAccountStore(openURL(t, url))
	acc := domain.NewAccount()
	acc.Name, acc.URL = "one", "https://dav.example.com/"
	if err := a.CreateAccount(ctx, &acc); err != nil {
		t.Fatal(err)
	}
	const per = 25
	var wg sync.WaitGroup
	for _, s := range []*sqlstore.AccountStore{a, b} {
		wg.Go(func() {
			for range per {
				if _, err := s.UpdateAccount(ctx, acc.ID, func(x *domain.Account) error { x.ErrorCount++; return nil }); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	got, err := a.Account(ctx, acc.ID)
	if err != nil || got.ErrorCount != 2*per {
		t.Fatalf("ErrorCount = %d (%v), want %d: an update was lost", got.ErrorCount, err, 2*per)
	}
}

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
