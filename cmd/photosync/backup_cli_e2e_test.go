package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// TestCLIStatusVerifyRestore: photosync status, verify (--repair) and
// restore as a person runs them, against rclone's WebDAV server.
func TestCLIStatusVerifyRestore(t *testing.T) {
	srv := davtest.StartRclone(t)
	e := newUpEnv(t)
	photos := map[string][]byte{}
	for i, p := range []string{"2024/IMG_0001.JPG", "2024/IMG_0002.JPG"} {
		photos[p] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, TakenAt: time.Date(2024, 6, 1+i, 12, 0, 0, 0, time.UTC), Seed: int64(10 + i)})
		e.write(p, photos[p])
	}
	e.index()
	id := e.addAccount(srv.URL, srv.Username, srv.Password)
	ids := strconv.FormatInt(id, 10)
	if _, err := e.cli("", "account", "edit", ids, "--sync", "--sync-folder", "/Photos"); err != nil {
		t.Fatal(err)
	}
	e.mustSync(id, 0, 2)

	out, err := e.cli("", "status", "--account", ids)
	if err != nil || !strings.Contains(out, ": 2 of 2 photos verified (100%), last verified just now") {
		t.Fatalf("status after the backup: %v\n%s", err, out)
	}
	if err := os.Remove(filepath.Join(srv.Dir, "Photos", "2024", "IMG_0002.JPG")); err != nil {
		t.Fatal(err)
	}
	if out, err := e.cli("", "verify", "--account", ids); exitCode(err) != 1 || !strings.Contains(out, "missing on the server") {
		t.Fatalf("verify with a file gone from the server: %v (exit %d)\n%s", err, exitCode(err), out)
	}
	out, err = e.cli("", "status", "--gaps")
	if err != nil || !strings.Contains(out, "1 of 2 photos verified (50%), 1 failed") || !strings.Contains(out, "2024/IMG_0002.JPG: missing on the server") {
		t.Fatalf("status --gaps: %v\n%s", err, out)
	}
	out, err = e.cli("", "status", "--json")
	var st []struct {
		Files, Verified, Failed int
		Gaps                    []struct{ Path, State, Reason string }
	}
	if err != nil || json.Unmarshal([]byte(out), &st) != nil || len(st) != 1 || st[0].Files != 2 || st[0].Failed != 1 || len(st[0].Gaps) != 1 {
		t.Fatalf("status --json: %v\n%s", err, out)
	}
	if out, err := e.cli("", "verify", "--account", ids, "--repair"); err != nil {
		t.Fatalf("verify --repair: %v\n%s", err, out)
	}
	if out, err := e.cli("", "status"); err != nil || !strings.Contains(out, "2 of 2 photos verified (100%)") {
		t.Fatalf("status after repair: %v\n%s", err, out)
	}
	if out, err := e.cli("", "restore", "--account", ids, "--path", "/Photos/2024", "--to", "back/2024"); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	for p, data := range photos {
		got, err := os.ReadFile(filepath.Join(e.library(), "back", filepath.FromSlash(p)))
		if err != nil || !bytes.Equal(got, data) {
			t.Errorf("restored %s: %v, %d bytes", p, err, len(got))
		}
	}
	if _, err := e.cli("", "restore", "--account", ids, "--path", "/Photos", "--to", "../outside"); exitCode(err) != 1 {
		t.Errorf("restore outside the library: exit %d, want 1", exitCode(err))
	}
}
