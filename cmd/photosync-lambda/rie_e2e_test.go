package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// libraryFiles returns the files below a library's download folder by
// slash-separated path, hidden ones included.
func libraryFiles(t *testing.T, lib string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	root := filepath.Join(lib, "nextcloud")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return files
}

// TestLambdaUnderEmulator runs the built bootstrap under the AWS Lambda
// runtime interface emulator: HTTP API events answer as serve does, a
// scheduled event syncs an account connected through them, and against a
// slow server an invocation with a short timeout stops cleanly before its
// deadline while the next scheduled invocation finishes the run.
func TestLambdaUnderEmulator(t *testing.T) {
	rie, bootstrap := rieBinary(t), buildBootstrap(t)
	lib := filepath.Join(t.TempDir(), "photos")
	env := map[string]string{
		"PHOTOSYNC_DATA":           filepath.Join(t.TempDir(), "data"),
		"PHOTOSYNC_LIBRARY":        lib,
		"PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e",
		"PHOTOSYNC_SECRET_KEY":     base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		"PHOTOSYNC_INDEX_INTERVAL": "0",
	}
	fn := startEmulator(t, rie, bootstrap, env, 120)

	var health struct{ Status, Version string }
	if res := fn.request("GET", "/healthz", "", nil, &health); res.StatusCode != 200 || health.Status != "ok" ||
		!strings.HasPrefix(res.Headers["Content-Type"], "application/json") {
		t.Fatalf("GET /healthz: %+v %+v", res, health)
	}
	var denied struct{ Error struct{ Code string } }
	if res := fn.request("GET", "/api/v1/accounts", "", nil, &denied); res.StatusCode != 401 || denied.Error.Code != "EUNAUTHORIZED" {
		t.Fatalf("GET /api/v1/accounts without a session: %d %+v", res.StatusCode, denied)
	}
	var session struct{ Token string }
	if res := fn.request("POST", "/api/v1/session", "", map[string]string{"password": "admin-e2e"}, &session); res.StatusCode != 200 || session.Token == "" {
		t.Fatalf("POST /api/v1/session: %+v", res)
	}
	tok := session.Token

	// An account on rclone's WebDAV server, synced by a scheduled event.
	srv := davtest.StartRclone(t)
	want := map[string][]byte{}
	for i := range 3 {
		data := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 40 + i, Height: 30, Seed: int64(i)})
		name := fmt.Sprintf("IMG_%04d.jpg", i)
		srv.WriteFile(t, "Photos/"+name, data)
		want[name] = data
	}
	var acct struct{ ID int64 }
	if res := fn.request("POST", "/api/v1/accounts", tok, map[string]any{
		"name": "rclone", "url": srv.URL, "username": srv.Username, "password": srv.Password,
		"sync_enabled": true, "sync_folder": "/Photos", "sync_interval": 3600, "sync_download": true,
	}, &acct); res.StatusCode != http.StatusCreated || acct.ID == 0 {
		t.Fatalf("POST /api/v1/accounts: %+v", res)
	}
	var due dueResult
	fn.invoke(scheduledEvent(), &due)
	if len(due.Runs) != 1 || due.Runs[0].Account != acct.ID || !due.Runs[0].Complete || due.Runs[0].Downloaded != 3 {
		t.Fatalf("the scheduled sync: %v", due)
	}
	got := libraryFiles(t, lib)
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("library %s: %d bytes, want the server's %d", name, len(got[name]), len(data))
		}
	}
	fn.invoke(scheduledEvent(), &due)
	if len(due.Runs) != 0 {
		t.Fatalf("a second scheduled event ran syncs that are not due: %v", due)
	}
	var run struct {
		Account    int64
		Downloaded int
		Complete   bool
	}
	fn.invoke(map[string]any{"action": "sync", "account": acct.ID}, &run)
	if run.Account != acct.ID || !run.Complete || run.Downloaded != 0 {
		t.Fatalf("a direct sync invocation: %+v", run)
	}
	var index struct {
		Files, Photos int
		Complete      bool
	}
	fn.invoke(map[string]any{"action": "index"}, &index)
	if index.Files != 3 || index.Photos != 3 || !index.Complete {
		t.Fatalf("a direct index invocation: %+v", index)
	}

	// A slow Nextcloud server with more files than one short invocation
	// can move.
	nc := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.Contains(r.URL.Path, "/Slow/") {
				time.Sleep(300 * time.Millisecond) // a slow server, not synchronisation
			}
			next.ServeHTTP(w, r)
		})
	}))
	const slowFiles = 40
	for i := range slowFiles {
		data := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 50 + i, Height: 40, Seed: int64(100 + i)})
		name := fmt.Sprintf("SLOW_%04d.jpg", i)
		nc.WriteFile(t, "Slow/"+name, data)
		want[name] = data
	}
	var slow struct{ ID int64 }
	if res := fn.request("POST", "/api/v1/accounts", tok, map[string]any{
		"name": "slow", "url": nc.BaseURL, "username": nc.LoginName, "password": nc.Password,
		"sync_enabled": true, "sync_folder": "/Slow", "sync_interval": 3600, "sync_download": true,
	}, &slow); res.StatusCode != http.StatusCreated || slow.ID == 0 {
		t.Fatalf("POST /api/v1/accounts (slow): %+v", res)
	}
	fn.stop()

	// A function with a 3 second timeout stops the run before its deadline
	// and answers.
	short := startEmulator(t, rie, bootstrap, env, 3)
	start := time.Now()
	short.invoke(scheduledEvent(), &due)
	took := time.Since(start)
	short.stop()
	if len(due.Runs) != 1 || due.Runs[0].Account != slow.ID || due.Runs[0].Complete ||
		due.Runs[0].Error != "stopped: the time for the run ran out" || due.Runs[0].Downloaded >= slowFiles {
		t.Fatalf("the short invocation: %v (took %v)", due, took)
	}
	partial := due.Runs[0].Downloaded
	t.Logf("the short invocation moved %d of %d files in %v", partial, slowFiles, took)

	// The next scheduled invocation carries on and completes the run.
	next := startEmulator(t, rie, bootstrap, env, 120)
	next.invoke(scheduledEvent(), &due)
	if len(due.Runs) != 1 || due.Runs[0].Account != slow.ID || !due.Runs[0].Complete || due.Runs[0].Downloaded != slowFiles-partial {
		t.Fatalf("the next invocation: %v; want the other %d of %d files (the first moved %d)", due, slowFiles-partial, slowFiles, partial)
	}
	got = libraryFiles(t, lib)
	if len(got) != len(want) {
		names := make([]string, 0, len(got))
		for n := range got {
			names = append(names, n)
		}
		t.Errorf("the library holds %d files, want %d: %v", len(got), len(want), names)
	}
	for name, data := range want {
		if !bytes.Equal(got[name], data) {
			t.Errorf("library %s: %d bytes, want the server's %d", name, len(got[name]), len(data))
		}
	}
	next.invoke(scheduledEvent(), &due)
	if len(due.Runs) != 0 {
		t.Fatalf("a scheduled event after the completed run ran syncs: %v", due)
	}
}
