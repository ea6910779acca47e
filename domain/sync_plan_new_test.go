package domain_test

import (
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestPlanSyncNamesAndLinks(t *testing.T) {
	runPlanCases(t, []planCase{
		{
			name: "hostile remote names are skipped with a reason, the rest downloads",
			remote: []domain.RemoteFile{
				rfile("/Photos/a/../../x.jpg", "X"), rfile(`/Photos/a\..\y.jpg`, "Y"), rfile("/Other/z.jpg", "Z"),
				rfile("/Photos/a\x00b.jpg", "N"), rfile("/Photos/ok.jpg", "OK"),
			},
			want: []string{
				`skip down /Other/z.jpg (unsafe remote name: the remote path "/Other/z.jpg" is not below the sync folder /Photos)`,
				`skip down /Photos/a` + "\x00" + `b.jpg (unsafe remote name: the path "/Photos/a\x00b.jpg" contains control characters)`,
				`skip down /Photos/a/../../x.jpg (unsafe remote name: the path "/Photos/a/../../x.jpg" must not contain ..)`,
				`skip down /Photos/a\..\y.jpg (unsafe remote name: the path "/Photos/a\\..\\y.jpg" contains a backslash)`,
				"download /Photos/ok.jpg -> nextcloud/ok.jpg",
			},
		},
		{
			name: "hostile remote names are not worth a word when nothing comes down", settings: upOnly,
			remote: []domain.RemoteFile{rfile("/Photos/a/../../x.jpg", "X"), rfile("/Other/z.jpg", "Z")},
			want:   nil,
		},
		{
			name:   "a hostile name of a file that would not move anyway is not reported",
			remote: []domain.RemoteFile{rfile("/Photos/a/../../x.txt", "X"), rfile("/Photos/../.hidden.jpg", "H")},
			want:   nil,
		},
		{
			name:   "two remote names that differ in case only: the second is numbered",
			remote: []domain.RemoteFile{rfile("/Photos/IMG_1.JPG", "A"), rfile("/Photos/img_1.jpg", "BB")},
			want:   []string{"download /Photos/IMG_1.JPG -> nextcloud/IMG_1.JPG", "download /Photos/img_1.jpg -> nextcloud/img_1 (1).jpg"},
		},
		{
			name:   "a download path taken by other content: numbered, nothing overwritten",
			remote: []domain.RemoteFile{rfile("/Photos/a.jpg", "A")}, local: []domain.LibraryFile{lfile("nextcloud/a.jpg", "LOCAL")},
			want: []string{"download /Photos/a.jpg -> nextcloud/a (1).jpg", "upload nextcloud/a.jpg -> /Photos/nextcloud/a.jpg"},
		},
		{
			name:   "a download path holding the same file (a run stopped before recording it): linked, nothing sent",
			remote: []domain.RemoteFile{withSum(rfile("/Photos/a.jpg", "A"), "A")}, local: []domain.LibraryFile{lfile("nextcloud/a.jpg", "A")},
			want: []string{"link /Photos/a.jpg = nextcloud/a.jpg"},
		},
		{
			name:   "the same size and modification time without a hash of the server's bytes: never taken for the same file",
			remote: []domain.RemoteFile{rfile("/Photos/a.jpg", "A")}, local: []domain.LibraryFile{lfile("nextcloud/a.jpg", "A")},
			want: []string{"download /Photos/a.jpg -> nextcloud/a (1).jpg", "upload nextcloud/a.jpg -> /Photos/nextcloud/a.jpg"},
		},
		{
			name:   "same size but another modification time and no checksum: not taken for the same file",
			remote: []domain.RemoteFile{modified(rfile("/Photos/a.jpg", "A"), time.Hour)}, local: []domain.LibraryFile{lfile("nextcloud/a.jpg", "B")},
			want: []string{"download /Photos/a.jpg -> nextcloud/a (1).jpg", "upload nextcloud/a.jpg -> /Photos/nextcloud/a.jpg"},
		},
		{
			name:   "the same size and modification time but another checksum: not the same file",
			remote: []domain.RemoteFile{withSum(rfile("/Photos/a.jpg", "A"), "A")}, local: []domain.LibraryFile{lfile("nextcloud/a.jpg", "B")},
			want: []string{"download /Photos/a.jpg -> nextcloud/a (1).jpg", "upload nextcloud/a.jpg -> /Photos/nextcloud/a.jpg"},
		},
		{
			name:   "a checksum proves the same content under a name that differs in case: linked",
			remote: []domain.RemoteFile{withSum(rfile("/Photos/IMG_2.JPG", "C"), "C")},
			local:  []domain.LibraryFile{lmodified(lfile("nextcloud/img_2.jpg", "C"), time.Hour)},
			want:   []string{"link /Photos/IMG_2.JPG = nextcloud/img_2.jpg"},
		},
		{
			name:   "the library has the file at the same path (an upload not recorded): linked, neither side sent",
			remote: []domain.RemoteFile{withSum(rfile("/Photos/2020/a.jpg", "A"), "A")}, local: []domain.LibraryFile{lfile("2020/a.jpg", "A")},
			want: []string{"link /Photos/2020/a.jpg = 2020/a.jpg"},
		},
		{
			name: "the same, with normalised names", settings: normalised,
			remote: []domain.RemoteFile{withSum(rfile("/Photos/2020/a.jpg", "A"), "A")}, local: []domain.LibraryFile{lfile("2020/a.jpg", "A")},
			want: []string{"link /Photos/2020/a.jpg = 2020/a.jpg"},
		},
		{
			name:   "a library name in NFD is the server's name in NFC: linked when the content is the same",
			remote: []domain.RemoteFile{withSum(rfile("/Photos/Caf\u00e9.jpg", "A"), "A")}, local: []domain.LibraryFile{lfile("Cafe\u0301.jpg", "A")},
			want: []string{"link /Photos/Caf\u00e9.jpg = Cafe\u0301.jpg"},
		},
		{
			name: "a library name in NFD goes up in NFC", settings: upOnly,
			local: []domain.LibraryFile{lfile("Cafe\u0301.jpg", "A")},
			want:  []string{"upload Cafe\u0301.jpg -> /Photos/Caf\u00e9.jpg"},
		},
		{
			name:   "another file on the server at the upload path: numbered, nothing overwritten",
			remote: []domain.RemoteFile{rfile("/Photos/a.jpg", "A")}, local: []domain.LibraryFile{lfile("a.jpg", "LOCAL")},
			want: []string{"download /Photos/a.jpg -> nextcloud/a.jpg", "upload a.jpg -> /Photos/a (1).jpg"},
		},
		{
			name: "an upload finds its content under a numbered name on the server (Nextcloud checksum): linked", settings: upOnly,
			remote: []domain.RemoteFile{rfile("/Photos/a.jpg", "OTHER"), withSum(modified(rfile("/Photos/a (1).jpg", "MINE"), time.Hour), "MINE")},
			local:  []domain.LibraryFile{lfile("a.jpg", "MINE")},
			want:   []string{"link /Photos/a (1).jpg = a.jpg"},
		},
		{
			name:  "the remote path of a remembered server deletion is not reused",
			local: []domain.LibraryFile{lfile("a.jpg", "A"), lfile("old/a.jpg", "O")},
			pairs: []domain.SyncPair{flagged(spair("/Photos/a.jpg", "old/a.jpg", "O"), false, true)},
			want:  []string{"upload a.jpg -> /Photos/a (1).jpg"},
		},
		{
			name:  "a library name the server cannot take is skipped with a reason",
			local: []domain.LibraryFile{lfile(`a\b.jpg`, "AB"), lfile("c\x7f.jpg", "C"), lfile("ok.jpg", "OK")},
			want: []string{
				`skip up a\b.jpg (the server cannot take this name: the path "/Photos/a\\b.jpg" contains a backslash)`,
				`skip up c` + "\x7f" + `.jpg (the server cannot take this name: the path "/Photos/c\x7f.jpg" contains control characters)`,
				"upload ok.jpg -> /Photos/ok.jpg",
			},
		},
		{
			name: "a library name the server cannot take is said even when the index could not read the file",
			local: []domain.LibraryFile{func() domain.LibraryFile {
				f := lfile(`a\b.jpg`, "")
				f.Problem = `cannot be read: "a\\b.jpg" is not a path in the library`
				return f
			}(), func() domain.LibraryFile { f := lfile("bad.jpg", ""); f.Problem = "cannot be read: gone"; return f }()},
			want: []string{`skip up a\b.jpg (the server cannot take this name: the path "/Photos/a\\b.jpg" contains a backslash)`},
		},
		{
			name:   "conflict copies are never transferred as new files",
			remote: []domain.RemoteFile{rfile("/Photos/b (conflict 2024-01-02 030405).jpg", "B")},
			local:  []domain.LibraryFile{lfile("nextcloud/a (conflict 2024-01-02 030405).jpg", "A")},
			want:   nil,
		},
		{
			name: "a hostile download folder: nothing comes down, each file says why", settings: func(s *domain.SyncSettings) { s.DownloadFolder = "../up" },
			remote: []domain.RemoteFile{rfile("/Photos/a.jpg", "A")},
			want:   []string{`skip down /Photos/a.jpg (no place in the library: the download folder "../up" is not a clean folder of the library)`},
		},
	})
}

func TestPlanSyncFailures(t *testing.T) {
	failed := domain.SyncFailure{AccountID: 1, Attempts: 5, LastError: "the server answered 500", Failed: true,
		LastAttemptAt: syncNow.Add(-time.Hour)}
	down := func(f domain.SyncFailure, rp string) domain.SyncFailure {
		f.Direction, f.RemotePath = domain.SyncDown, rp
		return f
	}
	up := func(f domain.SyncFailure, lp string) domain.SyncFailure {
		f.Direction, f.LocalPath = domain.SyncUp, lp
		return f
	}
	backoff := func(f domain.SyncFailure, next time.Duration) domain.SyncFailure {
		f.Failed, f.Attempts, f.NextAttemptAt = false, 2, syncNow.Add(next)
		return f
	}
	newFiles := []domain.RemoteFile{rfile("/Photos/a.jpg", "A"), rfile("/Photos/b.jpg", "BB")}
	both := []domain.RemoteFile{rfile(pairR, "v2x")}
	bothL := []domain.LibraryFile{lfile(pairL, "v3xx")}
	runPlanCases(t, []planCase{
		{
			name: "failed: skipped until retried by hand, the others go on", remote: newFiles,
			failures: []domain.SyncFailure{down(failed, "/Photos/a.jpg")},
			want: []string{
				"skip down /Photos/a.jpg (failed 5 times: the server answered 500 — retry it by hand)",
				"download /Photos/b.jpg -> nextcloud/b.jpg",
			},
		},
		{
			name: "backing off: skipped until the next try", remote: newFiles,
			failures: []domain.SyncFailure{down(backoff(failed, time.Hour), "/Photos/a.jpg")},
			want: []string{
				"skip down /Photos/a.jpg (next try after 2024-06-01T13:00:00Z)",
				"download /Photos/b.jpg -> nextcloud/b.jpg",
			},
		},
		{
			name: "backoff over: planned again", remote: newFiles,
			failures: []domain.SyncFailure{down(backoff(failed, -time.Minute), "/Photos/a.jpg")},
			want:     []string{"download /Photos/a.jpg -> nextcloud/a.jpg", "download /Photos/b.jpg -> nextcloud/b.jpg"},
		},
		{
			name:   "uploads are matched by library path, in their own direction",
			remote: []domain.RemoteFile{rfile("/Photos/y.jpg", "Y")},
			local:  []domain.LibraryFile{lfile("x.jpg", "X"), lfile("y.jpg", "YY")},
			failures: []domain.SyncFailure{
				up(failed, "x.jpg"),
				down(failed, "/Photos/x.jpg"), // a download failure does not hold back an upload
			},
			want: []string{
				"download /Photos/y.jpg -> nextcloud/y.jpg",
				"skip up x.jpg (failed 5 times: the server answered 500 — retry it by hand)",
				"upload y.jpg -> /Photos/y (1).jpg",
			},
		},
		{
			name: "a local update held back", remote: both, local: []domain.LibraryFile{lfile(pairL, "v1")}, pairs: pairV1,
			failures: []domain.SyncFailure{down(backoff(failed, time.Minute), pairR)},
			want:     []string{"skip down /Photos/a.jpg (next try after 2024-06-01T12:01:00Z)"},
		},
		{
			name: "keep both held back by a failure of its upload", remote: both, local: bothL, pairs: pairV1,
			failures: []domain.SyncFailure{up(failed, pairL)},
			want:     []string{"skip down /Photos/a.jpg (failed 5 times: the server answered 500 — retry it by hand)"},
		},
		{
			name: "an upload-only conflict held back keeps its pair", settings: upOnly, remote: both, local: bothL, pairs: pairV1,
			failures: []domain.SyncFailure{up(backoff(failed, time.Hour), pairL)},
			want:     []string{"skip up nextcloud/a.jpg (next try after 2024-06-01T13:00:00Z)"},
		},
		{
			name: "the failure that holds back longest wins", remote: newFiles[:1],
			failures: []domain.SyncFailure{down(backoff(failed, time.Hour), "/Photos/a.jpg"), down(failed, "/Photos/a.jpg"),
				down(backoff(failed, -time.Hour), "/Photos/a.jpg")},
			want: []string{"skip down /Photos/a.jpg (failed 5 times: the server answered 500 — retry it by hand)"},
		},
	})
}
