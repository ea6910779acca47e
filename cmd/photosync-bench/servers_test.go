package bench

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// server is one WebDAV server under test, reached through its counting
// proxy.
type server struct {
	name   string
	c      *counter
	url    string // what photosync is given: the proxy, the server's path kept
	davURL string // the WebDAV folder rclone and the PUT client are given, through the proxy
	user   string
	pass   string
	dir    string // the served files on disk
	vendor string // rclone's --webdav-vendor, "" for other
	nc     *davtest.Nextcloud
}

// startServer starts the server called name: apache, rclone (rclone serve
// webdav, started with --dir-cache-time 0s by davtest) or nextcloud (the
// test server imitating Nextcloud, with folder ETags and chunked uploads).
func startServer(t testing.TB, name string) *server {
	t.Helper()
	switch name {
	case "apache", "rclone":
		start := davtest.StartApache
		if name == "rclone" {
			start = davtest.StartRclone
		}
		d := start(t)
		c := startCounter(t, d.URL)
		return &server{name: name, c: c, url: c.URL, davURL: c.URL, user: d.Username, pass: d.Password, dir: d.Dir}
	case "nextcloud":
		n := davtest.StartNextcloud(t)
		c := startCounter(t, n.BaseURL)
		dav := c.URL + strings.TrimPrefix(n.DAVURL, n.BaseURL)
		return &server{name: name, c: c, url: c.URL, davURL: dav, user: n.LoginName, pass: n.Password, dir: n.Dir,
			vendor: "nextcloud", nc: n}
	}
	t.Fatalf("-servers: unknown server %q (apache, rclone, nextcloud)", name)
	return nil
}

// title is the server's name in the report.
func (s *server) title() string {
	switch s.name {
	case "apache":
		return "Apache mod_dav"
	case "rclone":
		return "rclone serve webdav"
	}
	return "Nextcloud test server"
}

// seed puts a copy of the local folder src at dest on the server, behind
// its back (hard links where possible: nothing writes to these files), as
// if an earlier backup had put it there. Not timed, not counted.
func (s *server) seed(t testing.TB, src, dest string) {
	t.Helper()
	dst := filepath.Join(s.dir, filepath.FromSlash(strings.TrimPrefix(dest, "/")))
	if s.nc != nil {
		s.nc.MkdirAll(t, dest) // new ETags above it, as Nextcloud's scanner gives
	} else if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("cp", "-al", src+"/.", dst).CombinedOutput(); err != nil {
		if out, err = exec.Command("cp", "-a", src+"/.", dst).CombinedOutput(); err != nil {
			t.Fatalf("seed %s: %v\n%s", dest, err, out)
		}
	}
	s.own(t)
}

// own gives the served files to the owner of the served folder, for a
// server whose workers run as another user.
func (s *server) own(t testing.TB) {
	t.Helper()
	if out, err := exec.Command("chown", "-R", "--reference="+s.dir, s.dir).CombinedOutput(); err != nil {
		t.Fatalf("chown %s: %v\n%s", s.dir, err, out)
	}
}

// clean removes every folder the runs left on the server.
func (s *server) clean(t testing.TB) {
	t.Helper()
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), "b") {
			continue
		}
		if s.nc != nil {
			s.nc.Remove(t, e.Name())
		} else if err := os.RemoveAll(filepath.Join(s.dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
}
