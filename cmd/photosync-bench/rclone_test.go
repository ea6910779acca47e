package bench

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// rcloneRelease is the rclone the bench compares photosync with: recent
// enough to have --webdav-pacer-min-sleep (Debian's 1.60 lacks it).
const rcloneRelease = "v1.76.0"

// rclone is one way of running `rclone copy` against a server.
type rclone struct {
	bin   string
	extra []string // e.g. the tuned pacer
}

// findRclone answers the rclone binary to compare with, and a note for the
// report when it is not rcloneRelease. flagBin (from -rclone) wins; else
// with build set the release is built once with `go install` into the
// user's cache (minutes, on first use), falling back to the rclone on PATH
// when that fails; else the rclone on PATH.
func findRclone(t testing.TB, flagBin string, build bool) (string, string) {
	t.Helper()
	if flagBin != "" {
		return flagBin, ""
	}
	if !build {
		return "rclone", ""
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "photosync-bench", "rclone-"+rcloneRelease)
	bin := filepath.Join(dir, "rclone")
	if _, err := os.Stat(bin); err == nil {
		return bin, ""
	}
	t.Logf("building rclone %s into %s (once; a few minutes)", rcloneRelease, dir)
	cmd := exec.Command("go", "install", "github.com/rclone/rclone@"+rcloneRelease)
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=-mod=mod", "GOWORK=off")
	cmd.Dir = os.TempDir() // outside this module: its go.mod must not decide rclone's dependencies
	if out, err := cmd.CombinedOutput(); err != nil {
		note := "building rclone " + rcloneRelease + " failed (" + strings.TrimSpace(lastLine(string(out))) +
			"); compared with the rclone on PATH instead"
		t.Log(note)
		return "rclone", note
	}
	return bin, ""
}

// lastLine is the last non-empty line of s.
func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// rcloneTunable reports whether bin has --webdav-pacer-min-sleep.
func rcloneTunable(t testing.TB, bin string) bool {
	t.Helper()
	out, err := exec.Command(bin, "help", "flags").CombinedOutput()
	if err != nil {
		t.Fatalf("rclone help flags: %v\n%s", err, out)
	}
	return bytes.Contains(out, []byte("--webdav-pacer-min-sleep"))
}

// rcloneVersion is the first line of `rclone version`.
func rcloneVersion(t testing.TB, bin string) string {
	t.Helper()
	out, err := exec.Command(bin, "version").Output()
	if err != nil {
		t.Fatalf("rclone version: %v", err)
	}
	return strings.TrimSpace(strings.SplitN(string(out), "\n", 2)[0])
}

// copy times `rclone copy` between the local folder local and the folder
// remote on srv, up (local to server) or down.
func (r rclone) copy(t testing.TB, srv *server, local, remote string, up bool) sample {
	t.Helper()
	obscured, err := exec.Command(r.bin, "obscure", srv.pass).Output()
	if err != nil {
		t.Fatalf("rclone obscure: %v", err)
	}
	conf := filepath.Join(t.TempDir(), "rclone.conf")
	if err := os.WriteFile(conf, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	src, dst := local, ":webdav:"+remote
	if !up {
		src, dst = dst, src
	}
	args := []string{"copy", src, dst, "--config", conf,
		"--webdav-url", srv.davURL, "--webdav-user", srv.user, "--webdav-pass", strings.TrimSpace(string(obscured)),
		"--transfers", strconv.Itoa(transfers)}
	if srv.vendor != "" {
		args = append(args, "--webdav-vendor", srv.vendor)
	}
	if srv.vendor == "nextcloud" && r.chunkedRefused(t) {
		// The Nextcloud test server wants chunked upload v2's Destination
		// header on the MKCOL too, which rclone does not send: rclone sends
		// whole files there.
		args = append(args, "--webdav-nextcloud-chunk-size", "0")
	}
	cmd := exec.Command(r.bin, append(args, r.extra...)...)
	cmd.Env = env(t)
	return timed(t, srv.c, cmd)
}

// chunkedRefused reports whether this rclone does Nextcloud's chunked
// upload in a way the Nextcloud test server refuses (1.76 does; 1.60 has
// no chunked upload).
func (r rclone) chunkedRefused(t testing.TB) bool {
	t.Helper()
	out, err := exec.Command(r.bin, "help", "flags").CombinedOutput()
	if err != nil {
		t.Fatalf("rclone help flags: %v\n%s", err, out)
	}
	return bytes.Contains(out, []byte("--webdav-nextcloud-chunk-size"))
}
