package domain_test

import (
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

// The pair of these tests: /Photos/a.jpg came down to nextcloud/a.jpg
// holding "v1".
const (
	pairR = "/Photos/a.jpg"
	pairL = "nextcloud/a.jpg"
)

var pairV1 = []domain.SyncPair{spair(pairR, pairL, "v1")}

// conflictAt is the name a conflict copy gets at syncNow.
const conflictAt = " (conflict 2024-06-01 120000)"

func TestPlanSyncChanges(t *testing.T) {
	remoteV1, localV1 := rfile(pairR, "v1"), lfile(pairL, "v1")
	remoteV2, localV3 := rfile(pairR, "v2x"), lfile(pairL, "v3xx")
	runPlanCases(t, []planCase{
		{
			name:   "nothing changed: no action",
			remote: []domain.RemoteFile{remoteV1}, local: []domain.LibraryFile{localV1}, pairs: pairV1, want: nil,
		},
		{
			name:   "remote changed, library not: the library copy is updated",
			remote: []domain.RemoteFile{remoteV2}, local: []domain.LibraryFile{localV1}, pairs: pairV1,
			want: []string{"update_local /Photos/a.jpg -> nextcloud/a.jpg"},
		},
		{
			name:   "library changed, remote not: uploaded again",
			remote: []domain.RemoteFile{remoteV1}, local: []domain.LibraryFile{localV3}, pairs: pairV1,
			want: []string{"upload_again nextcloud/a.jpg -> /Photos/a.jpg"},
		},
		{
			name:   "both changed, two-way: both kept, the remote version as a conflict copy",
			remote: []domain.RemoteFile{remoteV2}, local: []domain.LibraryFile{localV3}, pairs: pairV1,
			want: []string{"keep_both /Photos/a.jpg -> nextcloud/a" + conflictAt + ".jpg, nextcloud/a.jpg -> /Photos/a.jpg"},
		},
		{
			name: "both changed, download only: the remote version comes down as a conflict copy", settings: downOnly,
			remote: []domain.RemoteFile{remoteV2}, local: []domain.LibraryFile{localV3}, pairs: pairV1,
			want: []string{"download /Photos/a.jpg -> nextcloud/a" + conflictAt + ".jpg (changed on both sides: the server's version is saved beside the library's)"},
		},
		{
			name: "both changed, upload only: the library version goes up as a conflict copy", settings: upOnly,
			remote: []domain.RemoteFile{remoteV2}, local: []domain.LibraryFile{localV3}, pairs: pairV1,
			want: []string{
				"forget /Photos/a.jpg (changed on both sides: the pair moves to the library's version saved beside the server's)",
				"upload nextcloud/a.jpg -> /Photos/a" + conflictAt + ".jpg (changed on both sides: the library's version is saved beside the server's)",
			},
		},
		{
			name: "remote changed with download off: nothing", settings: upOnly,
			remote: []domain.RemoteFile{remoteV2}, local: []domain.LibraryFile{localV1}, pairs: pairV1, want: nil,
		},
		{
			name: "library changed with upload off: nothing", settings: downOnly,
			remote: []domain.RemoteFile{remoteV1}, local: []domain.LibraryFile{localV3}, pairs: pairV1, want: nil,
		},
		{
			name:   "no ETag: a later modification time is a change",
			remote: []domain.RemoteFile{noETag(modified(rfile(pairR, "v2"), time.Hour))}, local: []domain.LibraryFile{localV1},
			pairs: []domain.SyncPair{pairNoETag(spair(pairR, pairL, "v1"))},
			want:  []string{"update_local /Photos/a.jpg -> nextcloud/a.jpg"},
		},
		{
			name:   "no ETag: the same modification time to the second is no change",
			remote: []domain.RemoteFile{noETag(modified(rfile(pairR, "v2"), 500*time.Millisecond))}, local: []domain.LibraryFile{localV1},
			pairs: []domain.SyncPair{pairNoETag(spair(pairR, pairL, "v1"))},
			want:  nil,
		},
		{
			name:   "an ETag spelled weak and unquoted is the same ETag",
			remote: []domain.RemoteFile{withETag(modified(rfile(pairR, "v1"), time.Hour), "W/"+etagOf("v1")[1:13])},
			local:  []domain.LibraryFile{localV1}, pairs: pairV1, want: nil,
		},
		{
			name:   "a new ETag with the same checksum is no change",
			remote: []domain.RemoteFile{withETag(withSum(rfile(pairR, "v1"), "v1"), `"other"`)},
			local:  []domain.LibraryFile{localV1}, pairs: pairV1, want: nil,
		},
		{
			name:   "another checksum with the same size and ETag is a change",
			remote: []domain.RemoteFile{withETag(withSum(rfile(pairR, "v2"), "v2"), etagOf("v1"))},
			local:  []domain.LibraryFile{localV1}, pairs: pairV1,
			want: []string{"update_local /Photos/a.jpg -> nextcloud/a.jpg"},
		},
		{
			name:   "a library file touched with the same content is no change",
			remote: []domain.RemoteFile{remoteV1}, local: []domain.LibraryFile{lmodified(localV1, time.Hour)}, pairs: pairV1, want: nil,
		},
		{
			name:   "a library file not read yet: its modification time tells",
			remote: []domain.RemoteFile{remoteV1}, local: []domain.LibraryFile{unread(lmodified(localV1, time.Hour))}, pairs: pairV1,
			want: []string{"upload_again nextcloud/a.jpg -> /Photos/a.jpg"},
		},
		{
			name:   "a library file not read yet, same size and modification time: no change",
			remote: []domain.RemoteFile{remoteV1}, local: []domain.LibraryFile{unread(localV1)}, pairs: pairV1, want: nil,
		},
		{
			name:   "a changed library file with a problem is not sent",
			remote: []domain.RemoteFile{remoteV1}, local: []domain.LibraryFile{withProblem(localV3, domain.ProblemCorrupt)}, pairs: pairV1,
			want: []string{"skip up nextcloud/a.jpg (the library file has a problem (corrupt or truncated): not synced until it is fixed)"},
		},
		{
			name:   "a remote change over a library file with a problem waits for the fix",
			remote: []domain.RemoteFile{remoteV2}, local: []domain.LibraryFile{withProblem(localV1, domain.ProblemUnreadable)}, pairs: pairV1,
			want: []string{"skip down /Photos/a.jpg (the library file has a problem (cannot be read): not synced until it is fixed)"},
		},
		{
			name:   "a deletion flag is inert while the file is back: compared as usual",
			remote: []domain.RemoteFile{remoteV1}, local: []domain.LibraryFile{localV3},
			pairs: []domain.SyncPair{flagged(spair(pairR, pairL, "v1"), true, false)},
			want:  []string{"upload_again nextcloud/a.jpg -> /Photos/a.jpg"},
		},
	})
}

func TestPlanSyncDeletions(t *testing.T) {
	remoteV1, localV1 := rfile(pairR, "v1"), lfile(pairL, "v1")
	runPlanCases(t, []planCase{
		{
			name:   "deleted in the library (missing in the index): remembered, not downloaded",
			remote: []domain.RemoteFile{remoteV1}, local: []domain.LibraryFile{gone(pairL)}, pairs: pairV1,
			want: []string{"remember_deletion down /Photos/a.jpg"},
		},
		{
			name:   "deleted in the library (not in the index): remembered, not downloaded",
			remote: []domain.RemoteFile{remoteV1}, pairs: pairV1,
			want: []string{"remember_deletion down /Photos/a.jpg"},
		},
		{
			name:   "a remembered library deletion: nothing, even when the remote file changes",
			remote: []domain.RemoteFile{rfile(pairR, "v2x")}, pairs: []domain.SyncPair{flagged(spair(pairR, pairL, "v1"), true, false)},
			want: nil,
		},
		{
			name:  "deleted on the server: remembered, not uploaded",
			local: []domain.LibraryFile{localV1}, pairs: pairV1,
			want: []string{"remember_deletion up /Photos/a.jpg"},
		},
		{
			name:  "a remembered server deletion: nothing, even when the library file changes",
			local: []domain.LibraryFile{lfile(pairL, "v3xx")}, pairs: []domain.SyncPair{flagged(spair(pairR, pairL, "v1"), false, true)},
			want: nil,
		},
		{
			name: "deletions are remembered whatever the directions", settings: downOnly,
			local: []domain.LibraryFile{localV1}, pairs: pairV1,
			want: []string{"remember_deletion up /Photos/a.jpg"},
		},
		{
			name: "gone on both sides: the pair is forgotten", local: []domain.LibraryFile{gone(pairL)}, pairs: pairV1,
			want: []string{"forget /Photos/a.jpg (gone on both sides)"},
		},
		{
			name:  "gone on both sides with a deletion remembered: forgotten too",
			pairs: []domain.SyncPair{flagged(spair(pairR, pairL, "v1"), true, false)},
			want:  []string{"forget /Photos/a.jpg (gone on both sides)"},
		},
		{
			name:   "restored in the library: downloaded to where it was",
			remote: []domain.RemoteFile{rfile("/Photos/x.jpg", "X")}, pairs: []domain.SyncPair{restored(spair("/Photos/x.jpg", "x.jpg", "X"))},
			want: []string{"download /Photos/x.jpg -> x.jpg (restored)"},
		},
		{
			name:  "restored on the server: uploaded to where it was",
			local: []domain.LibraryFile{localV1}, pairs: []domain.SyncPair{restored(spair(pairR, pairL, "v1"))},
			want: []string{"upload nextcloud/a.jpg -> /Photos/a.jpg (restored)"},
		},
		{
			name: "a restore waits for its direction to be on", settings: upOnly,
			remote: []domain.RemoteFile{remoteV1}, pairs: []domain.SyncPair{restored(spair(pairR, pairL, "v1"))},
			want: nil,
		},
		{
			name:   "a restore never writes outside the library",
			remote: []domain.RemoteFile{remoteV1}, pairs: []domain.SyncPair{restored(spair(pairR, "../x.jpg", "v1"))},
			want: []string{`skip down /Photos/a.jpg (unsafe library path: the library path "../x.jpg" is not clean)`},
		},
		{
			name:   "the pairs of an earlier sync folder are left alone; their library paths stay reserved",
			remote: []domain.RemoteFile{rfile("/Photos/b.jpg", "BB")}, local: []domain.LibraryFile{lfile("a.jpg", "A")},
			pairs: []domain.SyncPair{spair("/Old/a.jpg", "a.jpg", "A"), spair("/Old/b.jpg", "nextcloud/b.jpg", "B")},
			want:  []string{"download /Photos/b.jpg -> nextcloud/b (1).jpg", "upload a.jpg -> /Photos/a.jpg"},
		},
		{
			name: "a deleted RAW file with RAW off: left as it is", settings: noRaw,
			remote: []domain.RemoteFile{rfile("/Photos/c.dng", "D")}, pairs: []domain.SyncPair{spair("/Photos/c.dng", "nextcloud/c.dng", "D")},
			want: nil,
		},
	})
}

func modified(r domain.RemoteFile, d time.Duration) domain.RemoteFile {
	r.ModTime = r.ModTime.Add(d)
	return r
}

func lmodified(f domain.LibraryFile, d time.Duration) domain.LibraryFile {
	f.ModTime = f.ModTime.Add(d)
	return f
}

func noETag(r domain.RemoteFile) domain.RemoteFile { return withETag(r, "") }

func withETag(r domain.RemoteFile, etag string) domain.RemoteFile {
	r.ETag = etag
	return r
}

func pairNoETag(p domain.SyncPair) domain.SyncPair {
	p.ETag = ""
	return p
}

func unread(f domain.LibraryFile) domain.LibraryFile {
	f.SHA1 = ""
	return f
}

func flagged(p domain.SyncPair, localDeleted, remoteDeleted bool) domain.SyncPair {
	p.LocalDeleted, p.RemoteDeleted = localDeleted, remoteDeleted
	return p
}

// restored is a pair as the restore use case leaves it: flags cleared and
// SyncedAt zero.
func restored(p domain.SyncPair) domain.SyncPair {
	p.LocalDeleted, p.RemoteDeleted, p.SyncedAt = false, false, time.Time{}
	return p
}
