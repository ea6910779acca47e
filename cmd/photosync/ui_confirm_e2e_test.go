package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// uiJob is a job as the API answers it.
type uiJob struct {
	ID         int64
	State      string
	Downloaded int
	Uploaded   int
}

// waitUIJob polls a job until it ends.
func waitUIJob(t *testing.T, in *instance, id int64) uiJob {
	t.Helper()
	var j uiJob
	ended := testkit.Poll(60*time.Second, 20*time.Millisecond, func() bool {
		in.call("GET", fmt.Sprintf("/api/v1/jobs/%d", id), nil, &j)
		return j.State != "queued" && j.State != "running" && j.State != ""
	})
	if !ended {
		t.Fatalf("job %d did not end: %+v", id, j)
	}
	return j
}

// TestWebUIConfirmsAHeldSync, in real Chromium against photosync started
// through run(): a sync that would replace more paired files than
// PHOTOSYNC_MAX_CHANGES replaces none; the server's page says what it
// would do and Confirm and sync runs it, keeping the replaced library
// files as versions.
func TestWebUIConfirmsAHeldSync(t *testing.T) {
	lib := uiLibrary(t)
	dav := davtest.StartXNet(t)
	in := startServe(t, t.TempDir(), map[string]string{
		"PHOTOSYNC_ADMIN_PASSWORD": "admin-ui", "PHOTOSYNC_LIBRARY": lib, "PHOTOSYNC_LOG_LEVEL": "warn", "PHOTOSYNC_MAX_CHANGES": "1",
	})
	in.login("admin-ui")
	var acc account
	if st := in.call("POST", "/api/v1/accounts", map[string]any{"name": "nas", "url": dav.URL, "username": dav.Username, "password": dav.Password,
		"sync_enabled": true, "sync_folder": "/Photos", "sync_download": true, "sync_upload": true}, &acc); st != 201 {
		t.Fatalf("connect: %d", st)
	}
	var job uiJob
	if st := in.call("POST", fmt.Sprintf("/api/v1/accounts/%d/sync", acc.ID), map[string]any{}, &job); st != 202 {
		t.Fatalf("first sync: %d", st)
	}
	if j := waitUIJob(t, in, job.ID); j.Uploaded == 0 {
		t.Fatalf("the first sync sent nothing: %+v", j)
	}
	// Another client replaces two photos on the server.
	newer := map[string][]byte{}
	for i, rel := range []string{"2024/06/IMG_0001.JPG", "2024/06/IMG_0002.JPG"} {
		newer[rel] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 200, Height: 150, Seed: int64(500 + i)})
		p := filepath.Join(dav.Dir, "Photos", filepath.FromSlash(rel))
		if err := os.WriteFile(p, newer[rel], 0o644); err != nil {
			t.Fatal(err)
		}
		later := time.Now().Add(time.Hour)
		if err := os.Chtimes(p, later, later); err != nil {
			t.Fatal(err)
		}
	}
	if st := in.call("POST", fmt.Sprintf("/api/v1/accounts/%d/sync", acc.ID), map[string]any{}, &job); st != 202 {
		t.Fatalf("second sync: %d", st)
	}
	if j := waitUIJob(t, in, job.ID); j.Downloaded != 0 {
		t.Fatalf("the held sync replaced files: %+v", j)
	}

	b := startBrowser(t, in.url)
	b.do("open photosync", chromedp.Navigate(in.url+"/settings/backup"))
	b.waitFor("the sign-in page", `!!document.querySelector('#signin-password')`)
	b.fill("#signin-password", "admin-ui")
	b.key(kb.Enter)
	b.waitText("#server-list", "Waiting for your confirmation")
	b.click(".server-card a")
	b.waitText("#sync-review", "would replace 2 paired files")
	assertTexts(b, "#sync-review", "2 to replace in the library", "Confirm and sync", "kept as versions")
	b.shot("sync-review")
	b.click("#sync-confirm")
	deadline := time.Now().Add(60 * time.Second)
	for rel, data := range newer {
		down := testkit.Poll(time.Until(deadline), 20*time.Millisecond, func() bool {
			got, _ := os.ReadFile(filepath.Join(lib, filepath.FromSlash(rel)))
			return bytes.Equal(got, data)
		})
		if !down {
			t.Fatalf("%s did not come down after the confirmation", rel)
		}
	}
	var versions struct{ Versions []struct{ Path string } }
	in.call("GET", "/api/v1/versions", nil, &versions)
	if len(versions.Versions) != 2 {
		t.Fatalf("kept versions: %+v; want the two replaced library files", versions.Versions)
	}
	if p := b.consoleProblems(); len(p) > 0 {
		t.Errorf("the page logged errors: %v", p)
	}
}
