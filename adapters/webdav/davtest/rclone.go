package davtest

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// StartRclone starts `rclone serve webdav` over a temporary folder, with
// Basic auth, on a free port of 127.0.0.1. It needs Debian's rclone package.
//
// The directory cache is off (--dir-cache-time 0s), so files a test puts in
// Dir are listed at once.
func StartRclone(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("rclone")
	if err != nil {
		t.Fatalf("davtest: rclone not found in PATH: install Debian's rclone package (make test does this)")
	}
	s := &Server{
		Username: "photosync",
		Password: randomPassword(t),
		Dir:      t.TempDir(),
	}
	state := t.TempDir() // rclone's config and cache, away from the served folder
	for attempt := 1; ; attempt++ {
		port := freePort(t)
		s.URL = "http://" + hostPort(port) + "/"
		p, err := startProcess("rclone", bin, []string{
			"serve", "webdav", s.Dir,
			"--addr", hostPort(port),
			"--user", s.Username,
			"--pass", s.Password,
			"--dir-cache-time", "0s",
			"--config", filepath.Join(state, "rclone.conf"),
			"--cache-dir", filepath.Join(state, "cache"),
		}, rcloneEnv())
		if err != nil {
			t.Fatalf("davtest: %v", err)
		}
		t.Cleanup(p.stop)
		code, err := p.waitHTTP(s.URL, s.Username, s.Password)
		if err == nil && code == http.StatusMultiStatus {
			return s
		}
		p.stop()
		if err != nil && attempt < portAttempts && addrInUse(p.output.String()) {
			continue
		}
		if err == nil {
			t.Fatalf("davtest: rclone serve webdav answered %d to PROPFIND %s, want 207; its output:\n%s",
				code, s.URL, tail(p.output.String(), 20))
		}
		t.Fatalf("davtest: rclone serve webdav did not start: %v; its output:\n%s", err, tail(p.output.String(), 20))
	}
}

// rcloneEnv answers the test's environment without RCLONE_ variables, which
// would change how the server behaves.
func rcloneEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(strings.ToUpper(kv), "RCLONE_") {
			env = append(env, kv)
		}
	}
	return env
}
