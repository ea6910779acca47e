package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/domain"
)

// TestSyncStoreBatches: saving the state of 20,000 remote files is one
// transaction per call (the rows of a failed call are all gone), and quick.
func TestSyncStoreBatches(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	account := createAccounts(t, db, "one")[0]
	s := sqlstore.NewSyncStore(db)
	const n = 20000
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	pairs := make([]domain.SyncPair, n)
	for i := range n {
		p := fmt.Sprintf("/Photos/%03d/IMG_%05d.jpg", i/100, i)
		pairs[i] = domain.SyncPair{LocalPath: "nextcloud" + p, RemotePath: p, Size: int64(i), LocalModTime: at, RemoteModTime: at,
			ETag: fmt.Sprintf(`"%d"`, i), SHA1: strings.Repeat("a", 40), SyncedAt: at}
	}
	start := time.Now()
	if err := s.SavePairs(ctx, account, pairs, nil); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("SavePairs of %d rows took %v", n, d)
	}
	t.Logf("SavePairs of %d rows: %v", n, time.Since(start))
	// The last row of a second call is refused by the database (a NUL in
	// text): nothing of the call is kept.
	more := []domain.SyncPair{{LocalPath: "x.jpg", RemotePath: "/x.jpg"}, {LocalPath: "y\x00.jpg", RemotePath: "/y.jpg"}}
	if err := s.SavePairs(ctx, account, more, []string{pairs[0].RemotePath}); err == nil {
		t.Fatal("SavePairs with a NUL in a path succeeded")
	}
	got, err := s.Pairs(ctx, account)
	if err != nil || len(got) != n || got[0].RemotePath != pairs[0].RemotePath {
		t.Fatalf("Pairs = %d pairs (%v) after a failed call; want the %d of before", len(got), err, n)
	}
}

// TestSyncStoreAccounts: state needs its account and goes with it.
func TestSyncStoreAccounts(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	ids := createAccounts(t, db, "one", "two")
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
		err := db.SQL().QueryRow(`SELECT COUNT(*) FILTER (WHERE account_id = $1), COUNT(*) FILTER (WHERE account_id = $2) FROM `+table,
			ids[0], ids[1]).Scan(&left, &other)
		if err != nil || left != 0 || other != 1 {
			t.Errorf("%s after removing account %d: %d of its rows and %d of the other's (%v); want 0 and 1", table, ids[0], left, other, err)
		}
	}
}
