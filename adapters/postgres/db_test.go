package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/postgres"
	"github.com/photosync/photosync/adapters/postgres/pgtest"
	"github.com/photosync/photosync/adapters/sqlstore"
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
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	first, second := sqlstore.NewLeaseStore(openURL(t, url)), sqlstore.NewLeaseStore(openURL(t, url))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const ttl = 5 * time.Minute
	if err := first.AcquireLease(ctx, "sync:3", "host-a", now, ttl); err != nil {
		t.Fatalf("first AcquireLease: %v", err)
	}
	err := second.AcquireLease(ctx, "sync:3", "host-b", now.Add(48*time.Second), ttl)
	if domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != "sync:3 is held by another process for another 4m12s" {
		t.Fatalf("second AcquireLease = %v, want the ECONFLICT naming 4m12s left", err)
	}
	if err := first.AcquireLease(ctx, "sync:3", "host-a", now.Add(4*time.Minute), ttl); err != nil {
		t.Fatalf("renewal: %v", err)
	}
	if err := second.AcquireLease(ctx, "sync:3", "host-b", now.Add(8*time.Minute), ttl); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("AcquireLease before the renewed expiry = %v, want ECONFLICT", err)
	}
	if err := second.AcquireLease(ctx, "sync:3", "host-b", now.Add(9*time.Minute), ttl); err != nil {
		t.Fatalf("AcquireLease after the expiry: %v", err)
	}
	if err := first.AcquireLease(ctx, "sync:3", "host-a", now.Add(10*time.Minute), ttl); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("the old holder's AcquireLease = %v, want ECONFLICT", err)
	}
}

// TestLeaseStoreRace: many pools race for one lease; exactly one wins,
// round after round.
func TestLeaseStoreRace(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabase(t)
	const n = 6
	stores := make([]*sqlstore.LeaseStore, n)
	for i := range stores {
		stores[i] = sqlstore.NewLeaseStore(openURL(t, url))
	}
	now := time.Now()
	for round := range 10 {
		name := fmt.Sprintf("sync:%d", round)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() { errs[i] = s.AcquireLease(ctx, name, fmt.Sprintf("host-%d", i), now, time.Minute) })
		}
		wg.Wait()
		var won []int
		for i, err := range errs {
			switch {
			case err == nil:
				won = append(won, i)
			case domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), name):
				t.Errorf("round %d, host %d: %v", round, i, err)
			}
		}
		if len(won) != 1 {
			t.Errorf("round %d: hosts %v got the lease, want exactly one", round, won)
		}
	}
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
