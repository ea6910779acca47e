package main

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// TestShareLinkUploadEndToEnd uploads a photo from the web UI's Upload
// dialog to a Nextcloud with "Create a public link", an expiry date and a
// password; the job shows the link, which the server protects.
func TestShareLinkUploadEndToEnd(t *testing.T) {
	lib := uiLibrary(t)
	nc := davtest.StartNextcloud(t)
	in := startServe(t, t.TempDir(), map[string]string{"PHOTOSYNC_ADMIN_PASSWORD": "admin-ui", "PHOTOSYNC_LIBRARY": lib, "PHOTOSYNC_LOG_LEVEL": "warn"})
	in.login("admin-ui")
	var a account
	if st := in.call("POST", "/api/v1/accounts", map[string]any{"name": "Cloud", "url": nc.BaseURL, "username": nc.LoginName, "password": nc.Password}, &a); st != 201 {
		t.Fatalf("connect: %d", st)
	}
	b := startBrowser(t, in.url)
	b.do("open photosync", chromedp.Navigate(in.url+"/photos"))
	b.fill("#signin-password", "admin-ui")
	b.click(".signin-card button[type=submit]")
	b.waitFor("six photos", `document.querySelectorAll('#photo-grid .tile').length === 6`)
	b.click("#photo-grid .tile:nth-child(1)")
	b.click("#photo-grid .tile:nth-child(1)", chromedp.Button("right"))
	b.waitFor("the context menu", `!!document.querySelector('.menu [role="menuitem"] .icon')`)
	b.click(`.menu [role="menuitem"]`)
	b.waitFor("the Upload dialog", `!!document.querySelector('#upload-dialog[open]')`)
	b.click("#upload-share")
	b.waitFor("the share options", `!document.querySelector('#upload-share-options').hidden`)
	expiry := time.Now().AddDate(0, 0, 10).Format(time.DateOnly)
	b.do("set the expiry", chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector('#upload-share-expires').value = %q`, expiry)))
	b.fill("#upload-share-password", "short")
	b.shot("upload-share")
	b.click("#upload-start")
	b.waitFor("the upload ends with a link error", `!!document.querySelector('.job[data-kind="upload"][data-state="done"] .job-link-error')`)
	b.waitText(`.job[data-kind="upload"] .job-link-error`, "at least 10 characters")

	b.click("#photo-grid .tile:nth-child(1)", chromedp.Button("right"))
	b.click(`.menu [role="menuitem"]`)
	b.waitFor("the Upload dialog", `!!document.querySelector('#upload-dialog[open]')`)
	b.click("#upload-share")
	b.fill("#upload-share-password", "a long share password")
	b.click("#upload-start")
	b.waitFor("a link in the job", `!!document.querySelector('.job[data-kind="upload"] .job-link a')`)
	var link string
	b.eval(`document.querySelector('.job[data-kind="upload"] .job-link a').href`, &link)
	if !strings.HasPrefix(link, nc.BaseURL+"/index.php/s/") {
		t.Fatalf("link %q", link)
	}
	b.shot("upload-link", ".activity")
	var jobs struct{ Jobs []struct{ Link string } }
	in.call("GET", "/api/v1/jobs", nil, &jobs)
	if len(jobs.Jobs) < 2 || jobs.Jobs[0].Link != link {
		t.Fatalf("jobs %+v", jobs.Jobs)
	}
}
