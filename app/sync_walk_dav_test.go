//go:build !wasm

// The real servers need sockets and processes, which wasip1 has not.

package app_test

import (
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

func TestPropagatesETags(t *testing.T) {
	file := func(p, etag string, size int64) domain.RemoteFile {
		return domain.RemoteFile{Path: p, Name: p[strings.LastIndex(p, "/")+1:], ETag: etag, Size: size}
	}
	dir := func(p, etag string) domain.RemoteFile {
		f := file(p, etag, 0)
		f.IsDir = true
		return f
	}
	// tree is /P (top) > /P/a > /P/a/b with a file in each; the arguments
	// are the ETags of the three folders and of the file in /P/a/b.
	tree := func(top, a, b, x string, extra ...domain.RemoteFile) []domain.RemoteFolder {
		return []domain.RemoteFolder{
			{Path: "/P", ETag: top, Files: []domain.RemoteFile{dir("/P/a", a), file("/P/t.jpg", "t", 1)}},
			{Path: "/P/a", ETag: a, Files: []domain.RemoteFile{dir("/P/a/b", b), file("/P/a/u.jpg", "u", 1)}},
			{Path: "/P/a/b", ETag: b, Files: append([]domain.RemoteFile{file("/P/a/b/x.jpg", x, 1)}, extra...)},
		}
	}
	before := tree("1", "2", "3", "x1")
	for _, tc := range []struct {
		name           string
		cur            []domain.RemoteFolder
		verdict, known bool
	}{
		{"nothing changed", tree("1", "2", "3", "x1"), false, false},
		{"a deep change propagated", tree("10", "20", "30", "x2"), true, true},
		{"a file added, propagated", tree("10", "20", "30", "x1", file("/P/a/b/y.jpg", "y", 1)), true, true},
		{"a folder added, propagated", tree("10", "20", "30", "x1", dir("/P/a/b/new", "n")), true, true},
		{"only the folder itself changed", tree("1", "2", "30", "x2"), false, true},
		{"the top did not change", tree("1", "20", "30", "x2"), false, true},
		{"nothing above changed", tree("1", "2", "3", "x2"), false, true},
		{"folders without ETags", tree("", "", "", "x2"), false, true},
		{"a change in the top folder alone", func() []domain.RemoteFolder {
			f := tree("10", "2", "3", "x1")
			f[0].Files[1].Size = 5
			return f
		}(), false, false},
		{"a change in the top folder, not even its ETag", func() []domain.RemoteFolder {
			f := tree("1", "2", "3", "x1")
			f[0].Files[1].Size = 5
			return f
		}(), false, true},
		{"a folder gone, propagated", func() []domain.RemoteFolder {
			f := tree("10", "20", "3", "x1")
			f[1].Files = f[1].Files[1:]
			return f[:2]
		}(), true, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, known := app.PropagatesETags(before, tc.cur)
			if v != tc.verdict || known != tc.known {
				t.Errorf("PropagatesETags = %v, %v; want %v, %v", v, known, tc.verdict, tc.known)
			}
		})
	}
}

// davTree is walkTree in the form a davtest server's WriteFile takes.
func davTree() map[string][]byte {
	out := map[string][]byte{}
	for p, c := range walkTree {
		out[strings.TrimPrefix(p, "/")] = []byte(c)
	}
	return out
}

func openDAV(t *testing.T, rawURL, user, pass string, typ domain.AccountType) ports.RemoteStorage {
	t.Helper()
	st, err := webdav.NewConnector(nil).Open(domain.Credentials{URL: rawURL, Username: user, Password: pass, Timeout: 10 * time.Second}, typ)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return st
}

// davRequests answers the WebDAV requests nc answered after the first
// skip, as "METHOD Depth path" with the path relative to the user's files.
func davRequests(t *testing.T, nc *davtest.Nextcloud, skip int) []string {
	t.Helper()
	u, err := url.Parse(nc.DAVURL)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range nc.Requests()[skip:] {
		p, err := url.PathUnescape(strings.TrimPrefix(r.Path, strings.TrimSuffix(u.Path, "/")))
		if err != nil {
			t.Fatal(err)
		}
		if p != "/" {
			p = strings.TrimSuffix(p, "/")
		}
		out = append(out, r.Method+" "+r.Depth+" "+p)
	}
	slices.Sort(out)
	return out
}

// TestWalkRemoteNextcloud: on a server that propagates folder ETags, an
// unchanged tree costs one request, and a change deep down has exactly its
// branch listed again.
func TestWalkRemoteNextcloud(t *testing.T) {
	nc := davtest.StartNextcloud(t)
	nc.MkdirAll(t, "Photos/empty")
	for name, data := range davTree() {
		nc.WriteFile(t, name, data)
	}
	st := openDAV(t, nc.DAVURL, nc.LoginName, nc.Password, domain.TypeNextcloud)

	files, first, stats := mustWalk(t, st, "/Photos", nil, true, 0)
	checkWalkFiles(t, files, walkTree)
	if got := folderPaths(first); !slices.Equal(got, walkFolders) || stats.Listed != len(walkFolders) {
		t.Fatalf("first walk: folders %v, %+v; want %v, all listed", got, stats, walkFolders)
	}
	reqs := davRequests(t, nc, 0)
	var depths []string
	for _, r := range reqs {
		depths = append(depths, strings.Fields(r)[1])
	}
	if want := append([]string{"0"}, slices.Repeat([]string{"1"}, len(walkFolders))...); !slices.Equal(depths, want) {
		t.Errorf("the first walk sent %v; want one Depth: 0 and a Depth: 1 per folder", reqs)
	}

	// Unchanged: only the top folder's ETag is asked for.
	seen := len(nc.Requests())
	files, second, stats := mustWalk(t, st, "/Photos", first, true, 0)
	checkWalkFiles(t, files, walkTree)
	if got := davRequests(t, nc, seen); !slices.Equal(got, []string{"PROPFIND 0 /Photos"}) {
		t.Errorf("the walk of an unchanged tree sent %v, want one PROPFIND Depth: 0 of /Photos", got)
	}
	if stats != (app.WalkStats{Reused: len(walkFolders)}) || !slices.Equal(folderPaths(second), walkFolders) {
		t.Errorf("the walk of an unchanged tree: %+v, folders %v", stats, folderPaths(second))
	}

	// A change deep down: its branch is listed, nothing else.
	nc.WriteFile(t, "Photos/2024/05/e.jpg", []byte("a new version of e"))
	seen = len(nc.Requests())
	files, third, stats := mustWalk(t, st, "/Photos", second, true, 0)
	want := maps.Clone(walkTree)
	want["/Photos/2024/05/e.jpg"] = "a new version of e"
	checkWalkFiles(t, files, want)
	wantReqs := []string{"PROPFIND 0 /Photos", "PROPFIND 1 /Photos", "PROPFIND 1 /Photos/2024", "PROPFIND 1 /Photos/2024/05"}
	if got := davRequests(t, nc, seen); !slices.Equal(got, wantReqs) {
		t.Errorf("after a change in /Photos/2024/05 the walk sent %v, want %v", got, wantReqs)
	}
	if stats != (app.WalkStats{Listed: 3, Reused: len(walkFolders) - 3}) {
		t.Errorf("stats after a deep change = %+v", stats)
	}
	if v, known := app.PropagatesETags(second, third); !v || !known {
		t.Errorf("PropagatesETags on Nextcloud = %v, %v; want true, known", v, known)
	}
	// The trusting walk saw what a full one sees.
	full, fullFolders, _ := mustWalk(t, st, "/Photos", nil, false, 0)
	if !slices.EqualFunc(full, files, sameRemoteFile) || !slices.EqualFunc(fullFolders, third, func(a, b domain.RemoteFolder) bool {
		return a.Path == b.Path && a.ETag == b.ETag && slices.EqualFunc(a.Files, b.Files, sameRemoteFile)
	}) {
		t.Errorf("the trusting walk differs from a full walk")
	}
}

// TestWalkRemoteServers: on servers that do not propagate folder ETags
// (and where Apache refuses Depth: infinity), a walk without trust lists
// everything, and detection says they do not propagate.
func TestWalkRemoteServers(t *testing.T) {
	for name, start := range map[string]func(testing.TB) *davtest.Server{
		"x/net": davtest.StartXNet, "rclone": davtest.StartRclone, "apache": davtest.StartApache,
	} {
		t.Run(name, func(t *testing.T) {
			s := start(t)
			s.MkdirAll(t, "Photos/empty")
			for p, data := range davTree() {
				s.WriteFile(t, p, data)
			}
			st := newWalkRemote(openDAV(t, s.URL, s.Username, s.Password, domain.TypeWebDAV))
			files, first, stats := mustWalk(t, st, "/Photos", nil, false, 0)
			checkWalkFiles(t, files, walkTree)
			if !slices.Equal(folderPaths(first), walkFolders) || stats.Listed != len(walkFolders) {
				t.Fatalf("folders %v, %+v; want %v, all listed", folderPaths(first), stats, walkFolders)
			}

			s.WriteFile(t, "Photos/2025/01/02/new.jpg", []byte("new deep down"))
			files, second, stats := mustWalk(t, st, "/Photos", first, false, 0)
			want := maps.Clone(walkTree)
			want["/Photos/2025/01/02/new.jpg"] = "new deep down"
			checkWalkFiles(t, files, want)
			if stats != (app.WalkStats{Listed: len(walkFolders)}) {
				t.Errorf("stats without trust = %+v, want every folder listed", stats)
			}
			if v, known := app.PropagatesETags(first, second); v || !known {
				t.Errorf("PropagatesETags = %v, %v; want false, known", v, known)
			}
		})
	}
}

func sameRemoteFile(a, b domain.RemoteFile) bool {
	return a.Path == b.Path && a.Name == b.Name && a.IsDir == b.IsDir && a.Size == b.Size &&
		a.ModTime.Equal(b.ModTime) && a.ETag == b.ETag && a.Checksum == b.Checksum
}
