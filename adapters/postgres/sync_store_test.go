package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
	"github.com/photosync/photosync/domain"
)

// TestSyncStoreBatches: saving the state of 20,000 remote files is one
// transaction per call (the rows of a failed call are all gone), and quick.
func TestSyncStoreBatches(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	account := sqlstoretest.CreateAccounts(t, db, "one")[0]
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
func TestSyncStoreAccounts(t *testing.T) { sqlstoretest.TestSyncStoreAccounts(t, openDB(t)) }
