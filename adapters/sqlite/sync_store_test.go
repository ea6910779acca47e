package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	msqlite "modernc.org/sqlite"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports/porttest"
)

func TestSyncStore(t *testing.T) {
	porttest.TestSyncStore(t, func(t *testing.T) porttest.SyncFixture {
		db := openDB(t)
		return porttest.SyncFixture{Store: sqlite.NewSyncStore(db), AccountIDs: sqlstoretest.CreateAccounts(t, db, "one", "two")}
	})
}

// countCommits limits db to one connection and counts the transactions
// committed on it.
func countCommits(t *testing.T, db *sqlite.DB) *atomic.Int64 {
	t.Helper()
	var n atomic.Int64
	db.SQL().SetMaxOpenConns(1)
	conn, err := db.SQL().Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		h, ok := dc.(interface{ RegisterCommitHook(msqlite.CommitHookFn) })
		if !ok {
			return fmt.Errorf("the driver's connection %T has no commit hook", dc)
		}
		h.RegisterCommitHook(func() int32 { n.Add(1); return 0 })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return &n
}

// TestSyncStoreBatches: saving the state of 20,000 remote files is one
// commit per call, and quick.
func TestSyncStoreBatches(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	account := sqlstoretest.CreateAccounts(t, db, "one")[0]
	s := sqlite.NewSyncStore(db)
	commits := countCommits(t, db)

	const n = 20000
	at := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	pairs := make([]domain.SyncPair, n)
	failures := make([]domain.SyncFailure, n)
	folders := make([]domain.RemoteFolder, 0, n/100)
	for i := range n {
		dir := fmt.Sprintf("/Photos/%03d", i/100)
		p := fmt.Sprintf("%s/IMG_%05d.jpg", dir, i)
		pairs[i] = domain.SyncPair{LocalPath: "nextcloud" + p, RemotePath: p, Size: int64(i), LocalModTime: at, RemoteModTime: at,
			ETag: fmt.Sprintf(`"%d"`, i), SHA1: strings.Repeat("a", 40), SyncedAt: at}
		failures[i] = domain.SyncFailure{Direction: domain.SyncDown, LocalPath: pairs[i].LocalPath, RemotePath: p, Attempts: 1, LastAttemptAt: at}
		if i%100 == 0 {
			folders = append(folders, domain.RemoteFolder{Path: dir, ETag: fmt.Sprintf(`"d%d"`, i)})
		}
		folders[len(folders)-1].Files = append(folders[len(folders)-1].Files,
			domain.RemoteFile{Path: p, Name: p[len(dir)+1:], Size: int64(i), ModTime: at, ETag: pairs[i].ETag})
	}
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"SavePairs", func() error { return s.SavePairs(ctx, account, pairs, nil) }},
		{"SavePairs again", func() error { return s.SavePairs(ctx, account, pairs, nil) }},
		{"ReplaceFolders", func() error { return s.ReplaceFolders(ctx, account, folders) }},
		{"ReplaceFolders again", func() error { return s.ReplaceFolders(ctx, account, folders) }},
		{"SaveFailures", func() error { return s.SaveFailures(ctx, account, failures, nil) }},
		{"SaveFailures clearing", func() error { return s.SaveFailures(ctx, account, nil, failures) }},
	} {
		// What the batches cost is measured in `make bench`, not timed
		// here: a test asserts the one transaction.
		before := commits.Load()
		if err := step.run(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if got := commits.Load() - before; got != 1 {
			t.Errorf("%s of %d rows committed %d transactions, want 1", step.name, n, got)
		}
	}
	got, err := s.Folders(ctx, account)
	if err != nil || len(got) != n/100 || len(got[0].Files) != 100 {
		t.Fatalf("Folders = %d folders, %v; want %d of 100 files", len(got), err, n/100)
	}
	if ps, err := s.Pairs(ctx, account); err != nil || len(ps) != n {
		t.Fatalf("Pairs = %d pairs, %v; want %d", len(ps), err, n)
	}
}

// TestSyncStoreAccounts: state needs its account and goes with it.
func TestSyncStoreAccounts(t *testing.T) { sqlstoretest.TestSyncStoreAccounts(t, openDB(t)) }

// TestSyncStoreUsesIndex: finding the pair of a library file does not scan.
func TestSyncStoreUsesIndex(t *testing.T) {
	rows, err := openDB(t).SQL().Query(`EXPLAIN QUERY PLAN SELECT remote_path FROM sync_pairs WHERE account_id = 1 AND local_path = 'a.jpg'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan += detail + "; "
	}
	if !strings.Contains(plan, "sync_pairs_local") {
		t.Fatalf("plan %q does not use sync_pairs_local", plan)
	}
}

// TestSyncStoreReadsStoredChecksums: the checksum column keeps the text
// it always kept ("SHA1:<hex>", "" for none), so a listing saved by an
// earlier photosync reads back as a domain.Checksum, and one saved now is
// stored in that form.
func TestSyncStoreReadsStoredChecksums(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	account := sqlstoretest.CreateAccounts(t, db, "one")[0]
	const sum = "a9993e364706816aba3e25717850c26c9cd0d89d"
	for _, q := range []string{
		`INSERT INTO sync_folders (account_id, path, etag) VALUES (?, '/P', 'e')`,
		`INSERT INTO sync_folder_files (account_id, folder, path, name, is_dir, size, mod_time, etag, checksum)
			VALUES (?, '/P', '/P/a.jpg', 'a.jpg', 0, 3, NULL, 'x', 'SHA1:` + sum + `'),
			(?, '/P', '/P/b.jpg', 'b.jpg', 0, 3, NULL, 'y', '')`,
	} {
		args := []any{account}
		if strings.Count(q, "?") == 2 {
			args = append(args, account)
		}
		if _, err := db.SQL().ExecContext(ctx, q, args...); err != nil {
			t.Fatal(err)
		}
	}
	s := sqlite.NewSyncStore(db)
	folders, err := s.Folders(ctx, account)
	if err != nil || len(folders) != 1 || len(folders[0].Files) != 2 {
		t.Fatalf("Folders = %+v, %v", folders, err)
	}
	if a, b := folders[0].Files[0].Checksum, folders[0].Files[1].Checksum; a != domain.SHA1Checksum(sum) || !b.IsZero() {
		t.Fatalf("checksums read back: %+v and %+v, want SHA1:%s and none", a, b, sum)
	}
	if err := s.ReplaceFolders(ctx, account, folders); err != nil {
		t.Fatal(err)
	}
	var stored string
	if err := db.SQL().QueryRowContext(ctx, `SELECT checksum FROM sync_folder_files WHERE path = '/P/a.jpg'`).Scan(&stored); err != nil || stored != "SHA1:"+sum {
		t.Fatalf("the column holds %q, %v; want SHA1:%s", stored, err, sum)
	}
	bad := folders
	bad[0].Files[0].Checksum = domain.Checksum{Algo: domain.AlgoSHA1, Hex: "abc"}
	if err := s.ReplaceFolders(ctx, account, bad); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("saving a malformed checksum: %v, want EINVALID", err)
	}
}
