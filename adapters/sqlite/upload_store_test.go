package sqlite_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports/porttest"
)

func TestUploadStore(t *testing.T) {
	porttest.TestUploadStore(t, func(t *testing.T) porttest.UploadFixture {
		db := openDB(t)
		files, accounts := uploadFixture(t, db)
		return porttest.UploadFixture{Store: sqlite.NewUploadStore(db), FileIDs: files, AccountIDs: accounts}
	})
}

// uploadFixture stores three library files and two accounts.
func uploadFixture(t *testing.T, db *sqlite.DB) (files, accounts []int64) {
	t.Helper()
	ctx := context.Background()
	as := sqlite.NewAccountStore(db)
	for _, name := range []string{"one", "two"} {
		a := domain.NewAccount()
		a.Name, a.URL = name, "https://dav.example.com/"
		if err := as.CreateAccount(ctx, &a); err != nil {
			t.Fatalf("CreateAccount: %v", err)
		}
		accounts = append(accounts, a.ID)
	}
	var photos []domain.Photo
	for i := range 3 {
		f := domain.LibraryFile{Path: fmt.Sprintf("a/IMG_%d.jpg", i), Kind: domain.KindImage, Role: domain.RolePrimary,
			Size: 4096, SHA1: strings.Repeat("a", 40), TakenSource: domain.TakenFromMTime}
		photos = append(photos, domain.Photo{Key: fmt.Sprintf("a/img_%d", i), Folder: "a", Name: fmt.Sprintf("IMG_%d", i), Files: []domain.LibraryFile{f}})
	}
	if err := sqlite.NewLibraryStore(db).SaveIndex(ctx, photos, nil, nil, time.Now()); err != nil {
		t.Fatalf("SaveIndex: %v", err)
	}
	for _, p := range photos {
		files = append(files, p.Files[0].ID)
	}
	return files, accounts
}

// TestUploadStoreReferences: a record needs its file and account, and goes
// with its account.
func TestUploadStoreReferences(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	files, accounts := uploadFixture(t, db)
	s := sqlite.NewUploadStore(db)
	rec := domain.UploadRecord{FileID: files[0], AccountID: accounts[0], RemotePath: "/Photos/IMG_0.jpg", Size: 4096,
		SHA1: strings.Repeat("b", 40), SourceSHA1: strings.Repeat("b", 40), UploadSize: domain.SizeOriginal, UploadedAt: time.Now()}
	if err := s.RecordUpload(ctx, rec); err != nil {
		t.Fatalf("RecordUpload: %v", err)
	}
	for _, bad := range []domain.UploadRecord{
		func() domain.UploadRecord { r := rec; r.FileID = files[2] + 100; return r }(),
		func() domain.UploadRecord { r := rec; r.AccountID = accounts[1] + 100; return r }(),
	} {
		if err := s.RecordUpload(ctx, bad); domain.ErrorCode(err) != domain.ENOTFOUND {
			t.Errorf("RecordUpload(%+v) = %v, want ENOTFOUND", bad, err)
		}
	}
	if err := sqlite.NewAccountStore(db).DeleteAccount(ctx, accounts[0]); err != nil {
		t.Fatalf("DeleteAccount: %v", err)
	}
	got, err := s.UploadsOf(ctx, files)
	if err != nil || len(got) != 0 {
		t.Fatalf("UploadsOf after the account was removed = %v, %v; want nothing", got, err)
	}
}

// TestUploadStoreUsesIndex: listing one folder's uploads does not scan.
func TestUploadStoreUsesIndex(t *testing.T) {
	rows, err := openDB(t).SQL().Query(`EXPLAIN QUERY PLAN SELECT file_id FROM uploads WHERE account_id = 1 AND remote_dir = '/Photos'`)
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
	if !strings.Contains(plan, "uploads_folder") {
		t.Fatalf("plan %q does not use uploads_folder", plan)
	}
}

// TestUploadStoreExpiryUsesIndex: the scheduler's look for expired uploads
// on every tick does not scan the table.
func TestUploadStoreExpiryUsesIndex(t *testing.T) {
	rows, err := openDB(t).SQL().Query(`EXPLAIN QUERY PLAN SELECT file_id FROM uploads WHERE expires_at IS NOT NULL AND expires_at <= 5`)
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
	if !strings.Contains(plan, "uploads_expiry") {
		t.Fatalf("plan %q does not use uploads_expiry", plan)
	}
}
