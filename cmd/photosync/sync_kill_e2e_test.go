package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// buildPhotosync builds the photosync binary into a test folder.
func buildPhotosync(t *testing.T) string {
	t.Helper()
	return testkit.Build(t, testkit.Binary{Package: ".", Name: "photosync"})
}

// startSync starts `photosync sync --account ID` as a process of its own
// on an environment's folders.
func startSync(t *testing.T, bin string, e *upEnv, account int64) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(bin, "sync", "--account", strconv.FormatInt(account, 10))
	cmd.Env = []string{"HOME=" + t.TempDir(), "PHOTOSYNC_LOG_LEVEL=warn"}
	for k, v := range e.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	return cmd, &out
}

// downloaded counts the photos in a library's download folder, temporary
// files left out.
func downloaded(t *testing.T, lib string) int {
	t.Helper()
	n := 0
	for p := range tree(t, lib) {
		if strings.HasPrefix(p, "nextcloud/") && !strings.Contains(p, "/.") {
			n++
		}
	}
	return n
}

// waitFor polls cond until it holds, failing the test after 30 seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, 30*time.Second, what, cond)
}

// TestSyncKilledAndStartedAgain: against a slow Nextcloud server, the
// photosync binary is killed with SIGKILL in the middle of a sync; the
// sync started again finishes with the library an undisturbed sync makes,
// with no partial or temporary file, nothing sent back up, and an intact
// database. While the undisturbed sync runs, a second `photosync sync` of
// the account exits with 1 saying that it is already running.
func TestSyncKilledAndStartedAgain(t *testing.T) {
	bin := buildPhotosync(t)
	nc := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/Photos/") {
				time.Sleep(150 * time.Millisecond) // a slow server, not synchronisation
			}
			next.ServeHTTP(w, r)
		})
	}))
	const files = 40
	for i := range files {
		data := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 300 + i, Height: 200, Seed: int64(i)})
		nc.WriteFile(t, fmt.Sprintf("Photos/%02d/IMG_%04d.JPG", i%5, i), data)
	}
	side := davSide{url: nc.BaseURL, user: nc.LoginName, pass: nc.Password}

	// The undisturbed sync, and a second one that must be refused.
	calm := newUpEnv(t)
	calmID := calm.syncAccount(side, "/Photos")
	first, firstOut := startSync(t, bin, calm, calmID)
	waitFor(t, "the first sync to download a file", func() bool { return downloaded(t, calm.library()) > 0 })
	_, err := calm.cli("", "sync", "--account", strconv.FormatInt(calmID, 10))
	if exitCode(err) != 1 || describe(err) != fmt.Sprintf("a sync of account %d is already running", calmID) {
		t.Fatalf("a second sync at once: %v (%s)", err, describe(err))
	}
	if err := first.Wait(); err != nil {
		t.Fatalf("the undisturbed sync: %v\n%s", err, firstOut)
	}
	want := tree(t, calm.library())
	if len(want) != files {
		t.Fatalf("the undisturbed sync left %d files: %v", len(want), slices.Sorted(mapKeys(want)))
	}

	// The sync that is killed.
	e := newUpEnv(t)
	id := e.syncAccount(side, "/Photos")
	killed, _ := startSync(t, bin, e, id)
	waitFor(t, "some files to arrive", func() bool { return downloaded(t, e.library()) >= 8 })
	if err := killed.Process.Kill(); err != nil { // SIGKILL
		t.Fatal(err)
	}
	killed.Wait()
	if n := downloaded(t, e.library()); n >= files {
		t.Fatalf("the sync finished (%d files) before it was killed", n)
	}

	// Started again: refused while the dead process's lease lasts, then it
	// goes on from where the first stopped.
	var out string
	waitFor(t, "the lease of the killed sync to expire", func() bool {
		out, err = e.cli("", "sync", "--account", strconv.FormatInt(id, 10), "--json")
		return !strings.Contains(describe(err), "already running")
	})
	var j syncJob
	if jerr := json.Unmarshal([]byte(out), &j); jerr != nil {
		t.Fatalf("sync: %v (%v)\n%s", jerr, err, out)
	}
	if err != nil || j.State != "done" || j.Downloaded == 0 || j.Downloaded >= files || j.Uploaded != 0 {
		t.Fatalf("the sync started again: %v, job %+v; want done with the rest downloaded", err, j)
	}
	got := tree(t, e.library())
	noHidden(t, got)
	if !slices.Equal(slices.Sorted(mapKeys(got)), slices.Sorted(mapKeys(want))) {
		t.Fatalf("library after the kill %v\nundisturbed %v", slices.Sorted(mapKeys(got)), slices.Sorted(mapKeys(want)))
	}
	for p, data := range want {
		if !bytes.Equal(got[p], data) {
			t.Errorf("%s differs from the undisturbed sync's", p)
		}
	}
	if remote := tree(t, filepath.Join(nc.Dir, "Photos")); len(remote) != files {
		t.Errorf("the server holds %d files, want %d: something went back up", len(remote), files)
	}
	e.mustSync(id, 0, 0)
	checkIntegrity(t, filepath.Join(e.env["PHOTOSYNC_DATA"], "photosync.db"))
}

// checkIntegrity runs SQLite's integrity check on a database file.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(context.Background(), "PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q, %v", res, err)
	}
}
