package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// TestWebUIVersions, in real Chromium against photosync started through
// run(): Settings → Versions lists the library files kept in the versions
// area (newest first, with their reason and server), Restore puts one back
// in its free place and another beside the file that took its place, and
// each server's view says where that server's replaced files are kept
// (Nextcloud's own versions; .photosync-versions on plain WebDAV).
func TestWebUIVersions(t *testing.T) {
	lib := uiLibrary(t)
	nc := davtest.StartNextcloud(t)
	dav := davtest.StartXNet(t)
	in := startServe(t, t.TempDir(), map[string]string{
		"PHOTOSYNC_ADMIN_PASSWORD": "admin-ui", "PHOTOSYNC_LIBRARY": lib, "PHOTOSYNC_LOG_LEVEL": "warn", "PHOTOSYNC_KEEP_VERSIONS": "14d",
	})
	in.login("admin-ui")
	var ncAccount, davAccount account
	if st := in.call("POST", "/api/v1/accounts", map[string]any{"name": "cloud", "url": nc.BaseURL, "username": nc.LoginName, "password": nc.Password,
		"sync_enabled": true, "sync_folder": "/Photos"}, &ncAccount); st != 201 {
		t.Fatalf("connect Nextcloud: %d", st)
	}
	if st := in.call("POST", "/api/v1/accounts", map[string]any{"name": "nas", "url": dav.URL, "username": dav.Username, "password": dav.Password,
		"sync_enabled": true, "sync_folder": "/Camera roll"}, &davAccount); st != 201 {
		t.Fatalf("connect WebDAV: %d", st)
	}

	// Two library files replaced by syncs, kept in the versions area:
	// IMG_0001.JPG's place is free again, IMG_0002.JPG's holds a newer file.
	one, err := os.ReadFile(filepath.Join(lib, "2024", "06", "IMG_0001.JPG"))
	if err != nil {
		t.Fatal(err)
	}
	v1 := keepVersion(t, lib, "2024/06/IMG_0001.JPG", string(one))
	v2 := keepVersion(t, lib, "2024/06/IMG_0002.JPG", "the old bytes of IMG_0002")
	if err := os.WriteFile(filepath.Join(lib, "2024", "06", "IMG_0002.JPG"), []byte("newer bytes"), 0o644); err != nil {
		t.Fatal(err)
	}

	b := startBrowser(t, in.url)
	b.do("open photosync", chromedp.Navigate(in.url+"/settings/versions"))
	b.waitFor("the sign-in page", `!!document.querySelector('#signin-password')`)
	b.fill("#signin-password", "admin-ui")
	b.key(kb.Enter)
	b.waitText(`.tabs [aria-selected="true"]`, "Versions")
	b.waitFor("two kept versions", `document.querySelectorAll('#version-list .version').length === 2`)
	var order []string
	b.eval(`[...document.querySelectorAll('#version-list .version')].map((li) => li.dataset.versionId)`, &order)
	if len(order) != 2 || order[0] != v2.ID || order[1] != v1.ID {
		t.Fatalf("versions shown %v, want newest first: %s, %s", order, v2.ID, v1.ID)
	}
	assertTexts(b, "#version-list", "2024/06/IMG_0001.JPG", "2024/06/IMG_0002.JPG", "Replaced by the server's version", "Restore")
	assertTexts(b, "#versions-intro", ".photosync/versions", "14 days")
	b.shot("versions")

	// Back in its free place.
	b.click(fmt.Sprintf(`[data-version-id="%s"] button`, v1.ID))
	b.waitFor("IMG_0001's version gone from the list", fmt.Sprintf(`!document.querySelector('[data-version-id="%s"]') && document.querySelectorAll('#version-list .version').length === 1`, v1.ID))
	b.waitText("#versions-status", "2024/06/IMG_0001.JPG is back in the library")
	if got, _ := os.ReadFile(filepath.Join(lib, "2024", "06", "IMG_0001.JPG")); string(got) != string(one) {
		t.Errorf("the restored IMG_0001.JPG holds %d bytes, want its %d", len(got), len(one))
	}
	// Beside the newer file.
	b.click(fmt.Sprintf(`[data-version-id="%s"] button`, v2.ID))
	b.waitText("#version-list", "No kept versions")
	b.waitText("#versions-status", "Restored beside the current file as 2024/06/IMG_0002 (restored ")
	var beside []string
	entries, err := os.ReadDir(filepath.Join(lib, "2024", "06"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "IMG_0002 (restored ") && strings.HasSuffix(e.Name(), ").JPG") {
			beside = append(beside, e.Name())
		}
	}
	if len(beside) != 1 {
		t.Fatalf("restored beside IMG_0002.JPG: %v", beside)
	}
	if got, _ := os.ReadFile(filepath.Join(lib, "2024", "06", beside[0])); string(got) != "the old bytes of IMG_0002" {
		t.Errorf("%s holds %q", beside[0], got)
	}
	if got, _ := os.ReadFile(filepath.Join(lib, "2024", "06", "IMG_0002.JPG")); string(got) != "newer bytes" {
		t.Errorf("the newer IMG_0002.JPG was touched: %q", got)
	}

	// Each server's view says where its replaced files are kept.
	b.do("open the Nextcloud server", chromedp.Navigate(fmt.Sprintf("%s/settings/backup/%d", in.url, ncAccount.ID)))
	b.waitText("#versions-note", "kept by Nextcloud’s own versions")
	assertTexts(b, "#versions-note", "Settings → Versions")
	b.do("open the WebDAV server", chromedp.Navigate(fmt.Sprintf("%s/settings/backup/%d", in.url, davAccount.ID)))
	b.waitText("#versions-note", "moves the old copy to /Camera roll/.photosync-versions/")
	b.click(`#versions-note a[href="/settings/versions"]`)
	b.waitText(`.tabs [aria-selected="true"]`, "Versions")
	if p := b.consoleProblems(); len(p) > 0 {
		t.Errorf("console: %v", p)
	}
}
