package sqlstoretest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/domain"
)

// Handle opens one more handle (a pool of its own) on a test's database,
// as another process would, closed at the end of the test.
type Handle func(t *testing.T) *sqlstore.DB

// TestLeaseStoreAcrossHandles: two handles on one database, as two
// processes or machines have, see one lease; a dead holder's lease
// expires; a released one is free.
func TestLeaseStoreAcrossHandles(t *testing.T, open Handle) {
	ctx := context.Background()
	first, second := sqlstore.NewLeaseStore(open(t)), sqlstore.NewLeaseStore(open(t))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const ttl = 5 * time.Minute

	if err := first.AcquireLease(ctx, "sync:3", "process-1", now, ttl); err != nil {
		t.Fatalf("first AcquireLease: %v", err)
	}
	err := second.AcquireLease(ctx, "sync:3", "process-2", now.Add(48*time.Second), ttl)
	if domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != "sync:3 is held by another process for another 4m12s" {
		t.Fatalf("second AcquireLease = %v (%s), want the ECONFLICT naming 4m12s left", err, domain.ErrorCode(err))
	}
	// The holder renews through its own handle; the other still waits.
	if err := first.AcquireLease(ctx, "sync:3", "process-1", now.Add(4*time.Minute), ttl); err != nil {
		t.Fatalf("renewal: %v", err)
	}
	if err := second.AcquireLease(ctx, "sync:3", "process-2", now.Add(8*time.Minute), ttl); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("AcquireLease before the renewed expiry = %v, want ECONFLICT", err)
	}
	// A holder that died: its lease expires and the other takes over.
	if err := second.AcquireLease(ctx, "sync:3", "process-2", now.Add(9*time.Minute), ttl); err != nil {
		t.Fatalf("AcquireLease after the expiry: %v", err)
	}
	if err := first.AcquireLease(ctx, "sync:3", "process-1", now.Add(10*time.Minute), ttl); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("the old holder's AcquireLease = %v, want ECONFLICT", err)
	}
	if err := second.ReleaseLease(ctx, "sync:3", "process-2"); err != nil {
		t.Fatalf("ReleaseLease: %v", err)
	}
	if err := first.AcquireLease(ctx, "sync:3", "process-1", now.Add(10*time.Minute), ttl); err != nil {
		t.Fatalf("AcquireLease after the release: %v", err)
	}
}

// TestLeaseStoreRace: many handles race for one lease; exactly one wins,
// round after round.
func TestLeaseStoreRace(t *testing.T, open Handle) {
	ctx := context.Background()
	const n = 6
	stores := make([]*sqlstore.LeaseStore, n)
	for i := range stores {
		stores[i] = sqlstore.NewLeaseStore(open(t))
	}
	now := time.Now()
	for round := range 10 {
		name := fmt.Sprintf("sync:%d", round)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() { errs[i] = s.AcquireLease(ctx, name, fmt.Sprintf("process-%d", i), now, time.Minute) })
		}
		wg.Wait()
		var won []int
		for i, err := range errs {
			switch {
			case err == nil:
				won = append(won, i)
			case domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), name):
				t.Errorf("round %d, process %d: %v", round, i, err)
			}
		}
		if len(won) != 1 {
			t.Errorf("round %d: processes %v got the lease, want exactly one", round, won)
		}
	}
}

// TestSyncStoreAccounts: sync state needs its account and goes with it.
func TestSyncStoreAccounts(t *testing.T, db *sqlstore.DB) {
	ctx := context.Background()
	ids := CreateAccounts(t, db, "one", "two")
	s := sqlstore.NewSyncStore(db)
	missing := ids[1] + 100
	pair := domain.SyncPair{LocalPath: "a.jpg", RemotePath: "/a.jpg"}
	folder := domain.RemoteFolder{Path: "/", Files: []domain.RemoteFile{{Path: "/a.jpg", Name: "a.jpg"}}}
	failure := domain.SyncFailure{Direction: domain.SyncUp, LocalPath: "a.jpg"}
	for name, err := range map[string]error{
		"SavePairs":      s.SavePairs(ctx, missing, []domain.SyncPair{pair}, nil),
		"ReplaceFolders": s.ReplaceFolders(ctx, missing, []domain.RemoteFolder{folder}),
		"SaveFailures":   s.SaveFailures(ctx, missing, []domain.SyncFailure{failure}, nil),
		"CreateRun":      s.CreateRun(ctx, &domain.SyncRun{AccountID: missing}),
	} {
		if domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("%s for a missing account = %v, want ENOTFOUND", name, err)
		}
	}
	for _, id := range ids {
		if err := s.SavePairs(ctx, id, []domain.SyncPair{pair}, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.ReplaceFolders(ctx, id, []domain.RemoteFolder{folder}); err != nil {
			t.Fatal(err)
		}
		if err := s.SaveFailures(ctx, id, []domain.SyncFailure{failure}, nil); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateRun(ctx, &domain.SyncRun{AccountID: id}); err != nil {
			t.Fatal(err)
		}
	}
	if err := sqlstore.NewAccountStore(db).DeleteAccount(ctx, ids[0]); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	for _, table := range []string{"sync_pairs", "sync_folders", "sync_folder_files", "sync_failures", "sync_runs"} {
		var left, other int
		err := db.SQL().QueryRow(db.Rebind(`SELECT COUNT(*) FILTER (WHERE account_id = ?), COUNT(*) FILTER (WHERE account_id = ?) FROM `+table),
			ids[0], ids[1]).Scan(&left, &other)
		if err != nil || left != 0 || other != 1 {
			t.Errorf("%s after removing account %d: %d of its rows and %d of the other's (%v); want 0 and 1", table, ids[0], left, other, err)
		}
	}
}

// Opened returns db, the result of an adapter's Open, closed at the end
// of the test; it fails the test on err.
func Opened(t *testing.T, db *sqlstore.DB, err error) *sqlstore.DB {
	t.Helper()
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() {
		if err := db.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return db
}

// CreateAccounts stores an account per name and returns their IDs.
func CreateAccounts(t *testing.T, db *sqlstore.DB, names ...string) []int64 {
	t.Helper()
	var ids []int64
	for _, name := range names {
		a := domain.NewAccount()
		a.Name, a.URL = name, "https://dav.example.com/"
		if err := sqlstore.NewAccountStore(db).CreateAccount(context.Background(), &a); err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		ids = append(ids, a.ID)
	}
	return ids
}
