package davtest

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/net/webdav"
)

// Server is a running WebDAV server for tests.
type Server struct {
	URL      string // the WebDAV endpoint, ending in "/"
	Username string
	Password string
	// Dir is the local folder whose contents the server serves: files
	// written through the server appear here. Tests that prepare files here
	// should use WriteFile and MkdirAll, which also give the files to the
	// server's user when the server runs as another user (Apache under root).
	Dir string

	owner *owner // who the server's process runs as, nil for the test's own user
}

// owner is a user and group that files in a server's folder must belong to.
type owner struct{ uid, gid int }

// StartXNet starts an in-process golang.org/x/net/webdav server (a file
// system handler over a temporary folder with an in-memory lock system)
// behind Basic auth on 127.0.0.1.
//
// Like the x/net handler, it accepts PROPFIND with Depth: infinity, and a
// missing Depth header means infinity.
func StartXNet(t testing.TB) *Server {
	t.Helper()
	s := &Server{
		Username: "photosync",
		Password: randomPassword(t),
		Dir:      t.TempDir(),
	}
	dav := &webdav.Handler{
		FileSystem: webdav.Dir(s.Dir),
		LockSystem: webdav.NewMemLS(),
	}
	s.URL = serveHTTP(t, requireBasicAuth(s.Username, s.Password, "photosync test", dav)) + "/"
	return s
}

// WriteFile writes data to name, a slash-separated path below Dir, creating
// its parent folders, so a test can prepare what the server will serve.
func (s *Server) WriteFile(t testing.TB, name string, data []byte) {
	t.Helper()
	s.MkdirAll(t, path.Dir(path.Clean("/"+name)))
	p := s.path(name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatalf("davtest: write %s: %v", name, err)
	}
	s.chown(t, p)
}

// ReadFile reads name, a slash-separated path below Dir, and fails the test
// when it cannot.
func (s *Server) ReadFile(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(s.path(name))
	if err != nil {
		t.Fatalf("davtest: read %s: %v", name, err)
	}
	return data
}

// MkdirAll creates the folder name, a slash-separated path below Dir, and
// its parents.
func (s *Server) MkdirAll(t testing.TB, name string) {
	t.Helper()
	dir := s.Dir
	for _, part := range strings.Split(path.Clean("/"+name), "/") {
		if part == "" {
			continue
		}
		dir = filepath.Join(dir, part)
		if err := os.Mkdir(dir, 0o755); err != nil && !errors.Is(err, fs.ErrExist) {
			t.Fatalf("davtest: mkdir %s: %v", name, err)
		}
		s.chown(t, dir)
	}
}

// path answers the local path of name, a slash-separated path below Dir;
// ".." cannot leave Dir.
func (s *Server) path(name string) string {
	return filepath.Join(s.Dir, filepath.FromSlash(path.Clean("/"+name)))
}

func (s *Server) chown(t testing.TB, p string) {
	t.Helper()
	if s.owner == nil {
		return
	}
	if err := os.Lchown(p, s.owner.uid, s.owner.gid); err != nil {
		t.Fatalf("davtest: give %s to the server's user: %v", p, err)
	}
}

// serveHTTP serves h on a fresh 127.0.0.1 port until the test ends and
// answers the server's URL without a trailing slash.
func serveHTTP(t testing.TB, h http.Handler) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = listenLocal(t)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// listenLocal listens on a free TCP port of 127.0.0.1.
func listenLocal(t testing.TB) net.Listener {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("davtest: listen on 127.0.0.1: %v", err)
	}
	return l
}

// requireBasicAuth passes requests with the given credentials to next and
// answers 401 with a Basic challenge to all others.
func requireBasicAuth(user, pass, realm string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || !equal(u, user) || !equal(p, pass) {
			w.Header().Set("WWW-Authenticate", `Basic realm="`+realm+`", charset="UTF-8"`)
			http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// equal compares secrets in constant time.
func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// randomPassword answers a fresh password, so no test can depend on a
// well-known one and a leaked password in a log is easy to search for.
func randomPassword(t testing.TB) string {
	t.Helper()
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("davtest: random password: %v", err)
	}
	return "pw-" + hex.EncodeToString(b)
}
