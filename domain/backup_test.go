package domain_test

import (
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func sumOf(c byte) string { return strings.Repeat(string(c), 40) }

func TestComputeBackupStates(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	taken := func(y int) time.Time { return time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC) }
	lib := []domain.LibraryFile{
		{ID: 1, Path: "2020/a.jpg", Kind: domain.KindImage, Size: 10, SHA1: sumOf('a'), TakenAt: taken(2020)},
		{ID: 2, Path: "2020/b.jpg", Kind: domain.KindImage, Size: 20, SHA1: sumOf('b'), TakenAt: taken(2020)},
		{ID: 3, Path: "2021/c.jpg", Kind: domain.KindImage, Size: 30, SHA1: sumOf('c'), TakenAt: taken(2021)},
		{ID: 4, Path: "2021/d.jpg", Kind: domain.KindImage, Size: 40, SHA1: sumOf('d'), TakenAt: taken(2021)},
		{ID: 5, Path: "2021/e.jpg", Kind: domain.KindImage, Size: 50, SHA1: sumOf('e'), TakenAt: taken(2021)},
		{ID: 6, Path: "2021/f.mp4", Kind: domain.KindVideo, Size: 60, SHA1: sumOf('f'), TakenAt: taken(2021)},
		{ID: 7, Path: "2021/g.jpg", Kind: domain.KindImage, Size: 0, Problem: domain.ProblemEmpty},
		{ID: 8, Path: "2022/h.jpg", Kind: domain.KindImage, Size: 80, SHA1: sumOf('8'), TakenAt: taken(2022)},
		{ID: 9, Path: "2022/gone.jpg", Kind: domain.KindImage, Size: 90, Missing: true},
		{ID: 10, Path: "other/manual.jpg", Kind: domain.KindImage, Size: 100, SHA1: sumOf('9'), TakenAt: taken(2019)},
	}
	pair := func(lp string, size int64, s string) domain.SyncPair {
		return domain.SyncPair{AccountID: 1, LocalPath: lp, RemotePath: "/Backup/" + lp, Size: size, SHA1: s, SyncedAt: at}
	}
	in := domain.BackupInput{
		Settings: domain.SyncSettings{AccountID: 1, Folder: "/Backup", Upload: true},
		Library:  lib,
		Pairs:    []domain.SyncPair{pair("2020/a.jpg", 10, sumOf('a')), pair("2020/b.jpg", 20, sumOf('b')), pair("2021/c.jpg", 30, sumOf('c'))},
		Failures: []domain.SyncFailure{{AccountID: 1, Direction: domain.SyncUp, LocalPath: "2021/d.jpg", RemotePath: "/Backup/2021/d.jpg",
			Attempts: 3, LastError: "the server stored different content", Failed: true}},
		Uploads: []domain.UploadRecord{{FileID: 10, AccountID: 1, RemotePath: "/Up/manual.jpg", Size: 100, SHA1: sumOf('9'), SourceSHA1: sumOf('9')}},
		Proofs: []domain.Proof{
			{AccountID: 1, RemotePath: "/Backup/2020/a.jpg", Size: 10, SHA1: sumOf('a'), Method: domain.ProofServerHash, ProvenAt: at},
			{AccountID: 1, RemotePath: "/Backup/2021/c.jpg", Size: 30, SHA1: sumOf('c'), Method: domain.ProofReadBack, ProvenAt: at,
				Problem: domain.GapTruncated + " (3 of 30 bytes)"},
			{AccountID: 1, RemotePath: "/Up/manual.jpg", Size: 100, SHA1: sumOf('9'), Method: domain.ProofReadBack, ProvenAt: at.Add(-time.Hour)},
		},
	}
	st := domain.ComputeBackup(in)
	want := map[string]domain.BackupState{
		"2020/a.jpg": domain.BackupVerified, "2020/b.jpg": domain.BackupUnverified, "2021/c.jpg": domain.BackupFailed,
		"2021/d.jpg": domain.BackupFailed, "2021/e.jpg": domain.BackupPending, "2021/f.mp4": domain.BackupExcluded,
		"2021/g.jpg": domain.BackupExcluded, "2022/h.jpg": domain.BackupPending, "other/manual.jpg": domain.BackupVerified,
	}
	if len(st.All) != len(want) {
		t.Fatalf("%d files, want %d: %+v", len(st.All), len(want), st.All)
	}
	for _, f := range st.All {
		if f.State != want[f.Path] {
			t.Errorf("%s: %s (%s), want %s", f.Path, f.State, f.Reason, want[f.Path])
		}
	}
	if st.Verified != 2 || st.Unverified != 1 || st.Pending != 2 || st.Failed != 2 || st.Excluded != 2 || st.Files != 7 {
		t.Errorf("counts %+v files %d", st.BackupCount, st.Files)
	}
	if st.Bytes != 10+20+30+40+50+80+100 {
		t.Errorf("bytes %d", st.Bytes)
	}
	if !st.LastVerifiedAt.Equal(at) || !st.OldestVerifiedAt.Equal(at.Add(-time.Hour)) {
		t.Errorf("last %v oldest %v", st.LastVerifiedAt, st.OldestVerifiedAt)
	}
	gaps := st.Gaps()
	if len(gaps) != 4 || gaps[0].Path != "2021/c.jpg" || gaps[0].Reason != domain.GapTruncated+" (3 of 30 bytes)" ||
		gaps[1].Reason != "the server stored different content" {
		t.Errorf("gaps %+v", gaps)
	}
	if len(st.ByYear) != 5 || st.ByYear[2].Year != 2020 || st.ByYear[2].Verified != 1 || st.ByYear[2].Unverified != 1 {
		t.Errorf("by year %+v", st.ByYear)
	}
	// Video switched on: f.mp4 becomes pending; upload off: only the manual upload counts.
	in.Settings.Video = true
	if st := domain.ComputeBackup(in); st.Pending != 3 {
		t.Errorf("with video: pending %d, want 3", st.Pending)
	}
	in.Settings.Upload = false
	if st := domain.ComputeBackup(in); st.Files != 1 || st.Verified != 1 {
		t.Errorf("upload off: %+v", st.BackupCount)
	}
	// The library changed since the pair: pending again.
	in.Settings.Upload = true
	in.Library[0].SHA1 = sumOf('0')
	for _, f := range domain.ComputeBackup(in).All {
		if f.Path == "2020/a.jpg" && f.State != domain.BackupPending {
			t.Errorf("changed library file: %s", f.State)
		}
	}
}

func TestProofValidate(t *testing.T) {
	ok := domain.Proof{AccountID: 1, RemotePath: "/a.jpg", Size: 1, SHA1: "0123456789abcdef0123456789abcdef01234567",
		Method: domain.ProofReadBack, ProvenAt: time.Unix(1, 0)}
	if err := ok.Validate(); err != nil {
		t.Fatal(err)
	}
	for name, p := range map[string]domain.Proof{
		"account": {RemotePath: "/a.jpg"}, "path": {AccountID: 1, RemotePath: "a/../b"},
		"method":  {AccountID: 1, RemotePath: "/a.jpg", Method: "guess", SHA1: ok.SHA1, ProvenAt: ok.ProvenAt},
		"no time": {AccountID: 1, RemotePath: "/a.jpg", Method: domain.ProofReadBack, SHA1: ok.SHA1},
		"sha1":    {AccountID: 1, RemotePath: "/a.jpg", Method: domain.ProofReadBack, SHA1: "XYZ", ProvenAt: ok.ProvenAt},
	} {
		if domain.ErrorCode(p.Validate()) != domain.EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, p.Validate())
		}
	}
}

// A pair recorded without a SHA-1 is judged by the library's, when the
// sizes agree.
func TestComputeBackupPairWithoutSHA1(t *testing.T) {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	in := domain.BackupInput{
		Settings: domain.SyncSettings{AccountID: 1, Folder: "/B", Upload: true},
		Library:  []domain.LibraryFile{{ID: 1, Path: "a.jpg", Kind: domain.KindImage, Size: 5, SHA1: sumOf('a')}},
		Pairs:    []domain.SyncPair{{AccountID: 1, LocalPath: "a.jpg", RemotePath: "/B/a.jpg", Size: 5, SyncedAt: at}},
		Proofs:   []domain.Proof{{AccountID: 1, RemotePath: "/B/a.jpg", Size: 5, SHA1: sumOf('a'), Method: domain.ProofReadBack, ProvenAt: at}},
	}
	if st := domain.ComputeBackup(in); st.Verified != 1 {
		t.Errorf("%+v", st.All)
	}
	in.Proofs[0].SHA1 = sumOf('b')
	if st := domain.ComputeBackup(in); st.Unverified != 1 {
		t.Errorf("a proof of other content: %+v", st.All)
	}
}
