package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// backupView is GET /api/v1/accounts/{id}/backup.
type backupView struct {
	Files          int        `json:"files"`
	Verified       int        `json:"verified"`
	Unverified     int        `json:"unverified"`
	Pending        int        `json:"pending"`
	Failed         int        `json:"failed"`
	Excluded       int        `json:"excluded"`
	Bytes          int64      `json:"bytes"`
	LastVerifiedAt *time.Time `json:"last_verified_at"`
	ByYear         []struct {
		Year       int `json:"year"`
		Verified   int `json:"verified"`
		Unverified int `json:"unverified"`
		Pending    int `json:"pending"`
		Failed     int `json:"failed"`
	} `json:"by_year"`
	Gaps []struct {
		Path   string `json:"path"`
		State  string `json:"state"`
		Reason string `json:"reason"`
	} `json:"gaps"`
	GapsTotal int `json:"gaps_total"`
}

func (in *instance) backup(id int64) backupView {
	in.t.Helper()
	var v backupView
	if st := in.call("GET", fmt.Sprintf("/api/v1/accounts/%d/backup", id), nil, &v); st != 200 {
		in.t.Fatalf("GET backup: %d", st)
	}
	return v
}

// runJob starts a job with a POST and waits for it to end.
func (in *instance) runJob(path string, body any) {
	in.t.Helper()
	var job struct {
		ID int64 `json:"id"`
	}
	if st := in.call("POST", path, body, &job); st != 202 {
		in.t.Fatalf("POST %s: %d", path, st)
	}
	waitFor(in.t, "the job of "+path+" to end", func() bool {
		var j struct {
			FinishedAt *time.Time `json:"finished_at"`
		}
		in.call("GET", fmt.Sprintf("/api/v1/jobs/%d", job.ID), nil, &j)
		return j.FinishedAt != nil
	})
}

// uiPercent is the coverage figure the page shows: one decimal, rounded
// down.
func uiPercent(n, total int) string {
	if total == 0 {
		return "100%"
	}
	p := math.Floor(float64(n)*1000/float64(total)) / 10
	return strconv.FormatFloat(p, 'f', -1, 64) + "%"
}

// TestWebUIBackupOverview, in real Chromium against photosync started
// through run() and rclone's WebDAV server: after a backup, two files are
// deleted and truncated on the server and a verify finds them; the Backup
// overview shows the API's numbers (coverage figure, the chart by year and
// its table), the oldest proof and the gaps with their causes, and its
// Repair button makes the backup whole again.
func TestWebUIBackupOverview(t *testing.T) {
	lib := uiLibrary(t)
	old := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 320, Height: 240, Seed: 2023, TakenAt: time.Date(2023, 12, 24, 18, 0, 0, 0, time.UTC)})
	mediatest.WriteFile(t, lib, "2023/12/IMG_0100.JPG", old)
	dav := davtest.StartRclone(t)
	in := startServe(t, t.TempDir(), map[string]string{
		"PHOTOSYNC_ADMIN_PASSWORD": "admin-ui", "PHOTOSYNC_LIBRARY": lib, "PHOTOSYNC_LOG_LEVEL": "warn",
	})
	in.login("admin-ui")
	var acc account
	if st := in.call("POST", "/api/v1/accounts", map[string]any{"name": "nas", "url": dav.URL, "username": dav.Username, "password": dav.Password,
		"sync_enabled": true, "sync_folder": "/Photos"}, &acc); st != 201 {
		t.Fatalf("connect: %d", st)
	}
	in.runJob(fmt.Sprintf("/api/v1/accounts/%d/sync", acc.ID), map[string]any{})
	v := in.backup(acc.ID)
	if v.Files == 0 || v.Verified != v.Files || v.LastVerifiedAt == nil {
		t.Fatalf("right after the backup: %+v, want every file verified", v)
	}

	// Damage on the server, found by a verify.
	if err := os.Remove(filepath.Join(dav.Dir, "Photos", "2024", "06", "IMG_0001.JPG")); err != nil {
		t.Fatal(err)
	}
	two, err := os.ReadFile(filepath.Join(lib, "2024", "06", "IMG_0002.JPG"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dav.Dir, "Photos", "2024", "06", "IMG_0002.JPG"), two[:1000], 0o644); err != nil {
		t.Fatal(err)
	}
	in.runJob(fmt.Sprintf("/api/v1/accounts/%d/verify", acc.ID), map[string]any{"full": false, "repair": false})
	v = in.backup(acc.ID)
	if v.Failed != 2 || v.GapsTotal != 2 || v.Verified != v.Files-2 {
		t.Fatalf("after the damage and a verify: %+v", v)
	}

	b := startBrowser(t, in.url)
	b.do("open photosync", chromedp.Navigate(in.url+"/photos"))
	b.waitFor("the sign-in page", `!!document.querySelector('#signin-password')`)
	b.fill("#signin-password", "admin-ui")
	b.key(kb.Enter)
	b.click(`nav a[href="/backup"]`)
	card := fmt.Sprintf(`.backup-card[data-account-id="%d"]`, acc.ID)
	b.waitFor("the account's backup card", fmt.Sprintf(`!!document.querySelector('%s .coverage-figure')`, card))
	var figure, text string
	b.eval(fmt.Sprintf(`document.querySelector('%s .coverage-figure').textContent`, card), &figure)
	b.eval(fmt.Sprintf(`document.querySelector('%s .coverage-text').textContent`, card), &text)
	if want := uiPercent(v.Verified, v.Files); figure != want {
		t.Errorf("coverage figure %q, want %q", figure, want)
	}
	if want := fmt.Sprintf("%d of %d files verified", v.Verified, v.Files); text != want {
		t.Errorf("coverage text %q, want %q", text, want)
	}
	// The chart: one stack per year, its text alternative with the API's numbers.
	var years []int
	b.eval(fmt.Sprintf(`[...new Set([...document.querySelectorAll('%s svg.year-chart rect')].map((r) => +r.dataset.year))]`, card), &years)
	if len(years) != len(v.ByYear) {
		t.Errorf("the chart draws years %v, the API has %d", years, len(v.ByYear))
	}
	var labelled bool
	b.eval(fmt.Sprintf(`(() => { const s = document.querySelector('%s svg.year-chart'); const c = document.getElementById(s.getAttribute('aria-labelledby')); return s.getAttribute('role') === 'img' && !!c && c.textContent.length > 0; })()`, card), &labelled)
	if !labelled {
		t.Errorf("the chart has no text alternative")
	}
	for _, y := range v.ByYear {
		var cells []string
		b.eval(fmt.Sprintf(`[...document.querySelectorAll('%s .year-table tr[data-year="%d"] td')].map((td) => td.textContent)`, card, y.Year), &cells)
		want := []string{strconv.Itoa(y.Verified), strconv.Itoa(y.Unverified), strconv.Itoa(y.Pending), strconv.Itoa(y.Failed)}
		if strings.Join(cells, ",") != strings.Join(want, ",") {
			t.Errorf("year %d in the table: %v, want %v", y.Year, cells, want)
		}
	}
	assertTexts(b, card, "Oldest proof", "Gaps (2)", "2024/06/IMG_0001.JPG", "Missing on the server", "2024/06/IMG_0002.JPG", "Truncated on the server (1000 of")
	b.shot("backup")

	// Repair: the gaps go, the figure says 100%.
	b.click(card + " button.repair")
	b.waitFor("the repaired backup", fmt.Sprintf(`document.querySelector('%s .coverage-figure')?.textContent === '100%%'`, card))
	assertTexts(b, card, "No gaps")
	for _, p := range []string{"2024/06/IMG_0001.JPG", "2024/06/IMG_0002.JPG"} {
		want, _ := os.ReadFile(filepath.Join(lib, filepath.FromSlash(p)))
		if got := dav.ReadFile(t, "Photos/"+p); !bytes.Equal(got, want) {
			t.Errorf("%s on the server after repair: %d bytes, want the library's %d", p, len(got), len(want))
		}
	}
	if v := in.backup(acc.ID); v.Verified != v.Files || v.GapsTotal != 0 {
		t.Errorf("after repair: %+v", v)
	}

	// Settings → Notifications: a webhook with a token in its URL, shown
	// back without it, and "Send a test" reaches it.
	tests := make(chan string, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var a struct {
			Event string `json:"event"`
		}
		json.NewDecoder(r.Body).Decode(&a)
		tests <- a.Event
	}))
	t.Cleanup(hook.Close)
	b.do("open Notifications", chromedp.Navigate(in.url+"/settings/notifications"))
	b.waitText("#notify-list", "No target yet")
	b.fill("#notify-url", hook.URL+"/alerts?token=hunter2-secret")
	b.click("#notify-add")
	b.waitFor("the target in the list", `!!document.querySelector('#notify-list .notify-target')`)
	var shown string
	b.eval(`document.querySelector('#notify-list').textContent`, &shown)
	if strings.Contains(shown, "hunter2") || !strings.Contains(shown, "http://127.0.0.1:") {
		t.Errorf("the target is shown as %q", shown)
	}
	b.click("#notify-test")
	b.waitText("#notify-status", "Test sent to 1 target")
	select {
	case ev := <-tests:
		if ev != "test" {
			t.Errorf("the webhook got event %q, want test", ev)
		}
	case <-time.After(10 * time.Second):
		t.Errorf("the webhook got no test alert")
	}
	b.shot("notifications")
	if p := b.consoleProblems(); len(p) > 0 {
		t.Errorf("console: %v", p)
	}
}
