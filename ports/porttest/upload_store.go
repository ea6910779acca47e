package porttest

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// UploadFixture is a new, empty UploadStore with the library files and
// accounts its records may name (a store with foreign keys needs them to
// exist): at least three files and two accounts.
type UploadFixture struct {
	Store      ports.UploadStore
	FileIDs    []int64
	AccountIDs []int64
}

// TestUploadStore runs the UploadStore contract. newFixture is called once
// per subtest.
func TestUploadStore(t *testing.T, newFixture func(t *testing.T) UploadFixture) {
	// Microseconds, in a zone other than UTC: stores keep the instant.
	at := time.Date(2026, 3, 29, 2, 30, 0, 123456000, time.FixedZone("CEST", 2*60*60))

	setup := func(t *testing.T) (ports.UploadStore, []int64, []int64) {
		t.Helper()
		fx := newFixture(t)
		if len(fx.FileIDs) < 3 || len(fx.AccountIDs) < 2 {
			t.Fatalf("the fixture has %d files and %d accounts, want at least 3 and 2", len(fx.FileIDs), len(fx.AccountIDs))
		}
		return fx.Store, fx.FileIDs, fx.AccountIDs
	}

	t.Run("RecordAndRead", func(t *testing.T) {
		s, files, accounts := setup(t)
		ctx := context.Background()
		r := uploadRecord(files[0], accounts[0], "/Photos/IMG_1.jpg", at)
		mustRecordUpload(t, s, r)
		got, err := s.UploadsOf(ctx, []int64{files[0], files[1]})
		if err != nil {
			t.Fatalf("UploadsOf: %v", err)
		}
		if len(got) != 1 || len(got[files[0]]) != 1 {
			t.Fatalf("UploadsOf = %v, want one record of file %d", got, files[0])
		}
		if _, ok := got[files[1]]; ok {
			t.Errorf("UploadsOf lists file %d, which was never uploaded", files[1])
		}
		checkUploadRecord(t, got[files[0]][0], r)
		in, err := s.UploadsIn(ctx, accounts[0], "/Photos")
		if err != nil {
			t.Fatalf("UploadsIn: %v", err)
		}
		if len(in) != 1 {
			t.Fatalf("UploadsIn = %v, want one record", in)
		}
		checkUploadRecord(t, in[0], r)
	})

	t.Run("SamePathReplaces", func(t *testing.T) {
		s, files, accounts := setup(t)
		ctx := context.Background()
		mustRecordUpload(t, s, uploadRecord(files[0], accounts[0], "/Photos/IMG_1.jpg", at))
		again := uploadRecord(files[0], accounts[0], "/Photos/IMG_1.jpg", at.Add(time.Hour))
		again.Size, again.SHA1, again.SourceSHA1, again.UploadSize = 77, uploadSHA("new"), uploadSHA("new source"), domain.SizeFit720
		mustRecordUpload(t, s, again)
		got, err := s.UploadsOf(ctx, []int64{files[0]})
		if err != nil {
			t.Fatalf("UploadsOf: %v", err)
		}
		if len(got[files[0]]) != 1 {
			t.Fatalf("UploadsOf = %v, want the one replaced record", got)
		}
		checkUploadRecord(t, got[files[0]][0], again)
	})

	t.Run("RecordsApart", func(t *testing.T) {
		s, files, accounts := setup(t)
		ctx := context.Background()
		recs := []domain.UploadRecord{
			uploadRecord(files[0], accounts[0], "/Photos/IMG_1.jpg", at),
			uploadRecord(files[0], accounts[0], "/Other/IMG_1.jpg", at),       // another folder
			uploadRecord(files[0], accounts[1], "/Photos/IMG_1.jpg", at),      // another account
			uploadRecord(files[1], accounts[0], "/Photos/IMG_1 (1).jpg", at),  // another file
			uploadRecord(files[2], accounts[0], "/Photos/2024/IMG_2.jpg", at), // a subfolder
			uploadRecord(files[2], accounts[0], "/IMG_2.jpg", at),             // the root
		}
		for _, r := range recs {
			mustRecordUpload(t, s, r)
		}
		got, err := s.UploadsOf(ctx, files[:3])
		if err != nil {
			t.Fatalf("UploadsOf: %v", err)
		}
		checkUploadRecords(t, "UploadsOf file 0", got[files[0]], recs[0], recs[1], recs[2])
		checkUploadRecords(t, "UploadsOf file 1", got[files[1]], recs[3])
		checkUploadRecords(t, "UploadsOf file 2", got[files[2]], recs[4], recs[5])

		for _, tc := range []struct {
			account int64
			dir     string
			want    []domain.UploadRecord
		}{
			{accounts[0], "/Photos", []domain.UploadRecord{recs[0], recs[3]}},
			{accounts[1], "/Photos", []domain.UploadRecord{recs[2]}},
			{accounts[0], "/Photos/2024", []domain.UploadRecord{recs[4]}},
			{accounts[0], "/", []domain.UploadRecord{recs[5]}},
			{accounts[0], "/Nothing", nil},
		} {
			in, err := s.UploadsIn(ctx, tc.account, tc.dir)
			if err != nil {
				t.Fatalf("UploadsIn(%d, %s): %v", tc.account, tc.dir, err)
			}
			checkUploadRecords(t, fmt.Sprintf("UploadsIn(%d, %s)", tc.account, tc.dir), in, tc.want...)
		}
	})

	t.Run("NoFiles", func(t *testing.T) {
		s, _, _ := setup(t)
		got, err := s.UploadsOf(context.Background(), nil)
		if err != nil || len(got) != 0 {
			t.Fatalf("UploadsOf(nil) = %v, %v; want an empty map", got, err)
		}
	})

	t.Run("ManyFiles", func(t *testing.T) {
		// More IDs than SQLite takes as parameters of one statement.
		s, files, accounts := setup(t)
		mustRecordUpload(t, s, uploadRecord(files[1], accounts[0], "/a.jpg", at))
		ids := make([]int64, 0, 40000)
		for id := int64(1_000_000); len(ids) < cap(ids)-1; id++ {
			if !slices.Contains(files, id) {
				ids = append(ids, id)
			}
		}
		ids = append(ids, files[1])
		got, err := s.UploadsOf(context.Background(), ids)
		if err != nil || len(got) != 1 || len(got[files[1]]) != 1 {
			t.Fatalf("UploadsOf(40000 ids) = %v, %v; want the one record", got, err)
		}
	})

	t.Run("Expiry", func(t *testing.T) {
		s, files, accounts := setup(t)
		ctx := context.Background()
		expiring := func(file, account int64, path string, after time.Duration) domain.UploadRecord {
			r := uploadRecord(file, account, path, at)
			if after > 0 {
				r.ExpiresAt = at.Add(after)
			}
			return r
		}
		recs := []domain.UploadRecord{
			expiring(files[0], accounts[0], "/Photos/a.jpg", time.Hour),
			expiring(files[1], accounts[0], "/Photos/b.jpg", 0), // never
			expiring(files[2], accounts[1], "/Photos/c.jpg", 2*time.Hour),
			expiring(files[2], accounts[0], "/Photos/c.jpg", 30*time.Minute),
		}
		for _, r := range recs {
			mustRecordUpload(t, s, r)
		}
		expired := func(now time.Time, want ...domain.UploadRecord) {
			t.Helper()
			got, err := s.ExpiredUploads(ctx, now)
			if err != nil {
				t.Fatalf("ExpiredUploads(%v): %v", now, err)
			}
			if len(got) != len(want) {
				t.Fatalf("ExpiredUploads(%v) = %d records %v, want %d %v", now, len(got), got, len(want), want)
			}
			for i := range got { // in order: by account, then by expiry
				checkUploadRecord(t, got[i], want[i])
			}
		}
		expired(at)
		expired(at.Add(30*time.Minute - time.Nanosecond))
		expired(at.Add(time.Hour), recs[3], recs[0])
		expired(at.Add(24*time.Hour), recs[3], recs[0], recs[2])

		// The expiry reads back with the record.
		in, err := s.UploadsIn(ctx, accounts[1], "/Photos")
		if err != nil || len(in) != 1 {
			t.Fatalf("UploadsIn = %v, %v; want one record", in, err)
		}
		checkUploadRecord(t, in[0], recs[2])

		// A record replaced without an expiry no longer expires.
		kept := recs[3]
		kept.ExpiresAt = time.Time{}
		mustRecordUpload(t, s, kept)
		expired(at.Add(24*time.Hour), recs[0], recs[2])

		for range 2 { // the second time there is nothing to delete
			if err := s.DeleteUpload(ctx, files[0], accounts[0], "/Photos/a.jpg"); err != nil {
				t.Fatalf("DeleteUpload: %v", err)
			}
		}
		expired(at.Add(24*time.Hour), recs[2])
		got, err := s.UploadsOf(ctx, files[:3])
		if err != nil {
			t.Fatalf("UploadsOf: %v", err)
		}
		checkUploadRecords(t, "UploadsOf after DeleteUpload", append(got[files[0]], append(got[files[1]], got[files[2]]...)...),
			recs[1], recs[2], kept)
	})

	t.Run("Invalid", func(t *testing.T) {
		s, files, accounts := setup(t)
		for _, r := range []domain.UploadRecord{
			uploadRecord(files[0], accounts[0], "Photos/a.jpg", at),
			uploadRecord(files[0], accounts[0], "/", at),
			uploadRecord(files[0], accounts[0], "/a/../b.jpg", at),
			uploadRecord(0, accounts[0], "/a.jpg", at),
			uploadRecord(files[0], 0, "/a.jpg", at),
		} {
			checkCode(t, fmt.Sprintf("RecordUpload(%+v)", r), s.RecordUpload(context.Background(), r), domain.EINVALID)
		}
	})
}

func uploadRecord(file, account int64, path string, at time.Time) domain.UploadRecord {
	return domain.UploadRecord{
		FileID: file, AccountID: account, RemotePath: path, Size: 4096,
		SHA1: uploadSHA(path), SourceSHA1: uploadSHA(path), UploadSize: domain.SizeOriginal, UploadedAt: at,
	}
}

// uploadSHA returns the SHA-1 of s in lower-case hex.
func uploadSHA(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

func mustRecordUpload(t *testing.T, s ports.UploadStore, r domain.UploadRecord) {
	t.Helper()
	if err := s.RecordUpload(context.Background(), r); err != nil {
		t.Fatalf("RecordUpload(%+v): %v", r, err)
	}
}

func checkUploadRecord(t *testing.T, got, want domain.UploadRecord) {
	t.Helper()
	if !got.UploadedAt.Equal(want.UploadedAt) {
		t.Errorf("UploadedAt = %v, want %v", got.UploadedAt, want.UploadedAt)
	}
	if !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, want.ExpiresAt)
	}
	got.UploadedAt, want.UploadedAt = time.Time{}, time.Time{}
	got.ExpiresAt, want.ExpiresAt = time.Time{}, time.Time{}
	if got != want {
		t.Errorf("record = %+v, want %+v", got, want)
	}
}

func checkUploadRecords(t *testing.T, what string, got []domain.UploadRecord, want ...domain.UploadRecord) {
	t.Helper()
	key := func(r domain.UploadRecord) string { return fmt.Sprintf("%d/%d%s", r.FileID, r.AccountID, r.RemotePath) }
	sortRecs := func(rs []domain.UploadRecord) []domain.UploadRecord {
		rs = slices.Clone(rs)
		slices.SortFunc(rs, func(a, b domain.UploadRecord) int { return strings.Compare(key(a), key(b)) })
		return rs
	}
	g, w := sortRecs(got), sortRecs(want)
	if len(g) != len(w) {
		t.Errorf("%s = %d records %v, want %d %v", what, len(g), g, len(w), w)
		return
	}
	for i := range g {
		checkUploadRecord(t, g[i], w[i])
	}
}
