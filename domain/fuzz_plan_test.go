package domain_test

import (
	"path"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

// FuzzDownloadPath maps hostile remote paths to library paths: the result
// is always a clean relative path inside the download folder, whatever the
// server names its files, or EINVALID.
func FuzzDownloadPath(f *testing.F) {
	for _, s := range [][2]string{
		{"/Photos", "/Photos/a.jpg"}, {"/Photos", "/Photos/../etc/passwd"}, {"/Photos", "/Photos/a/../../b.jpg"},
		{"/", "/x.jpg"}, {"/Photos", "/Photos"}, {"/Photos", "/PhotosX/a.jpg"}, {"/Photos", "/Photos/a\x00.jpg"},
		{"/Photos", "/Photos/a\\..\\b.jpg"}, {"/Photos", "/Photos//a.jpg"}, {"/Photos", "/Photos/%2e%2e/a.jpg"},
		{"Photos/", "Photos/sub/b.jpg"}, {"/Photos", "/Photos/./a.jpg"}, {"/Photos", "/Photos/ä\u0301.jpg"},
	} {
		f.Add(s[0], s[1], "nextcloud")
		f.Add(s[0], s[1], "")
	}
	f.Add("/Photos", "/Photos/a.jpg", "../out")
	f.Add("/Photos", "/Photos/a.jpg", "/abs")
	f.Fuzz(func(t *testing.T, folder, remote, downloadFolder string) {
		s := domain.SyncSettings{Folder: folder, DownloadFolder: downloadFolder}
		got, err := domain.DownloadPath(s, remote)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("DownloadPath(%q, %q, %q): error %v is not EINVALID", folder, remote, downloadFolder, err)
			}
			return
		}
		if !secCleanLibraryPath(got) {
			t.Fatalf("DownloadPath(%q, %q, %q) = %q: not a clean library path", folder, remote, downloadFolder, got)
		}
		dir := strings.Trim(path.Clean("/"+downloadFolder), "/")
		if dir != "" && !strings.HasPrefix(got, dir+"/") {
			t.Fatalf("DownloadPath(%q, %q, %q) = %q: outside the download folder %q", folder, remote, downloadFolder, got, dir)
		}
		// The name is the remote file's own: nothing is invented or lost.
		if path.Base(got) != path.Base(remote) {
			t.Fatalf("DownloadPath(%q, %q) = %q: another name", folder, remote, got)
		}
	})
}

// secCleanLibraryPath reports whether p is a path the library may write:
// relative, clean, no climbing, no NUL, no backslash.
func secCleanLibraryPath(p string) bool {
	return p != "" && p != "." && !strings.HasPrefix(p, "/") && path.Clean(p) == p &&
		p != ".." && !strings.HasPrefix(p, "../") && !strings.ContainsAny(p, "\x00\\")
}

// FuzzPlanInvariants builds a sync input from three names and a set of
// flags (which sides have each file, which pairs exist and what changed,
// which directions are on) and checks the planner's promises on every
// plan: it never writes outside the library (every library path written
// is clean and relative) nor outside the sync folder on the server, never
// deletes (no action removes a file that exists; forget only drops the
// memory of a pair gone on both sides), and never sends a file both ways
// (no library path or remote path is both a download's target and an
// upload's source in one plan, keep_both aside, which is one action).
func FuzzPlanInvariants(f *testing.F) {
	for i, s := range [][3]string{
		{"a.jpg", "b.jpg", "c.jpg"}, {"../../etc/x.jpg", "sub/../../y.jpg", "/abs.jpg"}, {"a\x00b.jpg", "c\\d.jpg", "e.jpg"},
		{"A.JPG", "a.jpg", "a (1).jpg"}, {".hidden/x.jpg", "x.jpg.part", "x.xmp"}, {"nextcloud/a.jpg", "a.jpg", "a.mov"},
		{"x.jpg", "x_conflict-20261127-100000.jpg", "x.dng"}, {"é.jpg", "e\u0301.jpg", "E\u0301.JPG"},
	} {
		f.Add(s[0], s[1], s[2], uint32(i*0x9e3779b1))
		f.Add(s[0], s[1], s[2], ^uint32(i))
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	earlier := now.Add(-time.Hour)
	f.Fuzz(func(t *testing.T, n1, n2, n3 string, flags uint32) {
		bit := func(i int) bool { return flags&(1<<i) != 0 }
		settings := domain.SyncSettings{AccountID: 1, Folder: "/Photos", Download: bit(0), Upload: bit(1), PreserveNames: bit(2),
			Raw: true, Video: true, RetryLimit: 3, DownloadFolder: "nextcloud"}
		if !settings.Download && !settings.Upload {
			settings.Download = true
		}
		in := domain.SyncInput{Settings: settings, Now: now}
		for i, name := range []string{n1, n2, n3} {
			b := 3 + i*9
			remotePath := "/Photos/" + name
			size := int64(10 + i)
			if bit(b) {
				rs := size
				if bit(b + 3) {
					rs++ // the remote copy changed since the pair
				}
				in.Remote = append(in.Remote, domain.RemoteFile{Path: remotePath, Name: path.Base(name), Size: rs, ModTime: earlier, ETag: `"e"`})
			}
			if bit(b + 1) {
				ls := size
				if bit(b + 4) {
					ls += 2 // the library copy changed since the pair
				}
				in.Local = append(in.Local, domain.LibraryFile{ID: int64(i + 1), Path: name, Kind: domain.KindOf(name), Size: ls, ModTime: earlier,
					SHA1: "ab", Missing: bit(b + 5)})
			}
			if bit(b + 2) {
				in.Pairs = append(in.Pairs, domain.SyncPair{AccountID: 1, LocalPath: name, RemotePath: remotePath, Size: size,
					LocalModTime: earlier, RemoteModTime: earlier, ETag: `"e"`, SHA1: "ab", SyncedAt: earlier,
					LocalDeleted: bit(b + 6), RemoteDeleted: bit(b + 7)})
			}
		}
		remoteExists := map[string]bool{}
		for _, r := range in.Remote {
			remoteExists[r.Path] = true
		}
		localExists := map[string]bool{}
		for _, l := range in.Local {
			if !l.Missing {
				localExists[l.Path] = true
			}
		}
		paired := map[string]bool{}
		for _, p := range in.Pairs {
			paired[p.RemotePath] = true
		}
		downLocal, downRemote, upLocal, upRemote := map[string]bool{}, map[string]bool{}, map[string]bool{}, map[string]bool{}
		for _, a := range domain.PlanSync(in).Actions {
			switch a.Op {
			case domain.OpDownload, domain.OpUpdateLocal, domain.OpKeepBoth:
				target := a.LocalPath
				if a.Op == domain.OpKeepBoth {
					target = a.ConflictPath
				}
				if target != "" && !secCleanLibraryPath(target) {
					t.Fatalf("%s writes library path %q: outside the library", a.Op, target)
				}
				if a.Op == domain.OpDownload && target != "" && localExists[target] {
					t.Fatalf("download overwrites the library file %q", target)
				}
				if a.Op == domain.OpUpdateLocal && !paired[a.RemotePath] {
					t.Fatalf("update_local of %q, which has no pair", a.RemotePath)
				}
				if a.Op != domain.OpKeepBoth {
					downLocal[a.LocalPath], downRemote[a.RemotePath] = true, true
				}
			}
			switch a.Op {
			case domain.OpUpload, domain.OpUploadAgain, domain.OpKeepBoth:
				if c, err := domain.CleanRemotePath(a.RemotePath); err != nil || c != a.RemotePath || !strings.HasPrefix(a.RemotePath, "/Photos/") {
					t.Fatalf("%s writes remote path %q: outside the sync folder or not clean", a.Op, a.RemotePath)
				}
				if a.Op == domain.OpUpload && remoteExists[a.RemotePath] {
					t.Fatalf("upload overwrites the remote file %q", a.RemotePath)
				}
				if a.Op == domain.OpUploadAgain && !paired[a.RemotePath] {
					t.Fatalf("upload_again of %q, which has no pair", a.RemotePath)
				}
				if a.Op != domain.OpKeepBoth {
					upLocal[a.LocalPath], upRemote[a.RemotePath] = true, true
				}
			case domain.OpForget:
				if remoteExists[a.RemotePath] {
					t.Fatalf("forget of %q, which is still on the server", a.RemotePath)
				}
			case domain.OpDownload, domain.OpUpdateLocal, domain.OpRememberDeletion, domain.OpSkip, domain.OpLink:
			default:
				t.Fatalf("unknown operation %q: the plan may only add, replace paired copies and remember", a.Op)
			}
		}
		for p := range downLocal {
			if p != "" && upLocal[p] {
				t.Fatalf("library file %q is sent both ways", p)
			}
		}
		for p := range downRemote {
			if upRemote[p] {
				t.Fatalf("remote file %q is sent both ways", p)
			}
		}
	})
}
