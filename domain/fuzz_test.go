package domain_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

// The fuzz targets below run their seed corpus in every `go test`; run
// `go test -fuzz FuzzName ./domain` to search further.

func FuzzNormalizeURL(f *testing.F) {
	for _, s := range []string{"cloud.example.com", "HTTP://A:80/b", "https://[::1]:8443/dav", "https://x/a/../b", "ftp://x", "https://u:p@x/", "x/%2e%2e/", "https://x/a%2Fb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := domain.NormalizeURL(in)
		if err != nil {
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Fatalf("NormalizeURL(%q): error %v is not EINVALID", in, err)
			}
			return
		}
		u, err := url.Parse(out)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil || !strings.HasSuffix(u.Path, "/") {
			t.Fatalf("NormalizeURL(%q) = %q: not a clean http(s) endpoint", in, out)
		}
		again, err := domain.NormalizeURL(out)
		if err != nil || again != out {
			t.Fatalf("NormalizeURL is not idempotent: %q -> %q -> %q (%v)", in, out, again, err)
		}
	})
}

func FuzzCleanRemotePath(f *testing.F) {
	for _, s := range []string{"", "/", "a/b", "//a//b/", "/a/../b", "..", "a\\b", "/é/#1 100%", "/a/./b/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := domain.CleanRemotePath(in)
		if err != nil {
			return
		}
		if !strings.HasPrefix(out, "/") || strings.Contains(out, "//") || (out != "/" && strings.HasSuffix(out, "/")) {
			t.Fatalf("CleanRemotePath(%q) = %q: not clean", in, out)
		}
		for _, part := range strings.Split(out, "/") {
			if part == ".." || part == "." {
				t.Fatalf("CleanRemotePath(%q) = %q: climbs", in, out)
			}
		}
		if again, err := domain.CleanRemotePath(out); err != nil || again != out {
			t.Fatalf("not idempotent: %q -> %q -> %q", in, out, again)
		}
	})
}

func FuzzDateFromName(f *testing.F) {
	for _, s := range []string{"20200130_095718.jpg", "2020-01-30_09-57-18.jpg", "IMG-20200130-WA0001.jpg", "PXL_20200130_095718123.jpg", "99999999_999999.jpg", "x.jpg"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, name string) {
		d, ok := domain.DateFromName(name, now)
		if ok && (d.Year() < 1900 || d.After(now.AddDate(1, 0, 0))) {
			t.Fatalf("DateFromName(%q) = %v: outside 1900..now+1y", name, d)
		}
	})
}

// FuzzPlanSyncPaths feeds hostile remote and local names to the planner: a
// plan never writes outside the library or the sync folder, never deletes,
// and never moves one file both ways.
func FuzzPlanSyncPaths(f *testing.F) {
	for _, s := range [][2]string{{"a.jpg", "b.jpg"}, {"../../etc/x.jpg", "x.jpg"}, {"sub/../../y.jpg", "/abs.jpg"}, {"a\x00b.jpg", "c\\d.jpg"}, {"A.JPG", "a.jpg"}, {".hidden/x.jpg", "x.jpg.part"}} {
		f.Add(s[0], s[1])
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, remoteName, localName string) {
		settings := domain.SyncSettings{AccountID: 1, Folder: "/Photos", Download: true, Upload: true, PreserveNames: true, Raw: true, Video: true, RetryLimit: 3, DownloadFolder: "nextcloud"}
		in := domain.SyncInput{
			Settings: settings,
			Remote:   []domain.RemoteFile{{Path: "/Photos/" + remoteName, Name: remoteName, Size: 10, ModTime: now, ETag: `"1"`}},
			Local:    []domain.LibraryFile{{ID: 1, Path: localName, Kind: domain.KindOf(localName), Size: 20, ModTime: now, SHA1: "ab"}},
			Now:      now,
		}
		moved := map[string]domain.SyncDirection{}
		for _, a := range domain.PlanSync(in).Actions {
			writesLocally := a.Op == domain.OpDownload || a.Op == domain.OpUpdateLocal || a.Op == domain.OpKeepBoth
			for _, p := range []string{a.LocalPath, a.ConflictPath} {
				if p == "" || !writesLocally {
					continue
				}
				if strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") || strings.ContainsRune(p, 0) {
					t.Fatalf("action %+v: library path %q escapes the library", a.Op, p)
				}
			}
			switch a.Op {
			case domain.OpDownload, domain.OpUpdateLocal, domain.OpKeepBoth, domain.OpUpload, domain.OpUploadAgain:
				if a.Op == domain.OpUpload || a.Op == domain.OpUploadAgain {
					if !strings.HasPrefix(a.RemotePath, "/Photos/") || strings.Contains(a.RemotePath+"/", "/../") {
						t.Fatalf("upload to %q outside the sync folder", a.RemotePath)
					}
				}
				key := a.LocalPath
				if prev, ok := moved[key]; ok && key != "" && prev != a.Direction {
					t.Fatalf("%q moves both ways", key)
				}
				moved[key] = a.Direction
			}
		}
	})
}
