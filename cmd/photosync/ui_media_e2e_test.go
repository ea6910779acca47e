package main

import (
	"bytes"
	"fmt"
	"image/jpeg"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/internal/testkit"
)

// TestWebUIMediaThumbnails indexes a copy of the shared sample library
// (iPhone HEIC, AVIF, Canon DNG, MP4 and MOV among JPEGs and a GIF) and a
// generated Live Photo, and checks that every photo's thumbnail is a real
// JPEG (the iPhone's upright), that the Photos grid in Chromium shows no
// kind icon for any of them and a Live badge on the Live Photo, and that
// the details read camera, date source and duration from the files. The
// screenshots go to docs/screenshots with PHOTOSYNC_UPDATE_SCREENSHOTS=1.
func TestWebUIMediaThumbnails(t *testing.T) {
	const src = "../../../shared/testdata/media"
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Skipf("the shared sample library is not here (%v); adapters/media's generated files cover each kind", err)
	}
	lib := t.TempDir()
	for _, en := range entries {
		if en.Name() == "README.md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, en.Name()))
		if err != nil {
			t.Fatal(err)
		}
		mediatest.WriteFile(t, lib, "samples/"+en.Name(), data)
	}
	liveTaken := time.Date(2024, 6, 9, 18, 0, 0, 0, time.UTC)
	mediatest.WriteFile(t, lib, "live/IMG_0100.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 800, Height: 600, Seed: 9, TakenAt: liveTaken}))
	mediatest.WriteFile(t, lib, "live/IMG_0100.MOV", mediatest.MP4(t, mediatest.MP4Options{Brand: "qt  ", Duration: 2800 * time.Millisecond,
		Width: 1920, Height: 1440, AppleCreationDate: "2024-06-09T20:00:00+0200", Make: "Apple", Model: "iPhone 12"}))

	in := startServe(t, t.TempDir(), map[string]string{
		"PHOTOSYNC_ADMIN_PASSWORD": "admin-media", "PHOTOSYNC_LIBRARY": lib, "PHOTOSYNC_LOG_LEVEL": "warn",
	})
	in.login("admin-media")
	waitIndexed(t, in)

	type file struct {
		ID          int64
		Name, Kind  string
		Role        string
		TakenSource string `json:"taken_source"`
	}
	var page struct {
		Total  int
		Photos []struct {
			ID    int64
			Name  string
			Files []file
		}
	}
	if st := in.call("GET", "/api/v1/photos?count=500", nil, &page); st != 200 || page.Total < 20 {
		t.Fatalf("photos: %d, %d of them", st, page.Total)
	}
	ids := map[string]int64{}
	var liveVideo int64
	for _, p := range page.Photos {
		ids[p.Name] = p.ID
		for _, f := range p.Files {
			if p.Name == "IMG_0100" && f.Kind == "video" {
				liveVideo = f.ID
			}
		}
		body, ctype := getThumb(t, in, p.ID)
		if ctype != "image/jpeg" {
			t.Errorf("thumbnail of %s: %s, want image/jpeg", p.Name, ctype)
			continue
		}
		img, err := jpeg.Decode(bytes.NewReader(body))
		if err != nil {
			t.Errorf("thumbnail of %s: %v", p.Name, err)
			continue
		}
		if p.Name == "iphone_7" && img.Bounds().Dx() >= img.Bounds().Dy() {
			t.Errorf("thumbnail of iphone_7.heic is %v, want it upright (portrait)", img.Bounds())
		}
	}
	for _, name := range []string{"iphone_7", "fox.profile0.8bpc.yuv420", "canon_eos_6d", "christmas", "earth", "IMG_0100"} {
		if ids[name] == 0 {
			t.Errorf("no photo %s among %v", name, ids)
		}
	}

	// The details: read from the files. christmas.mp4 and earth.mov carry
	// no date in their containers (mvhd, tkhd and mdhd say 0, no ©day or
	// creationdate), so they are dated by their files; the Live Photo's
	// video is dated by its container.
	type details struct {
		Files []struct {
			Name            string
			Camera          string
			TakenSource     string  `json:"taken_source"`
			DateField       string  `json:"date_field"`
			DurationSeconds float64 `json:"duration_seconds"`
			Width, Height   int
		}
	}
	for name, want := range map[string]string{"christmas": "mtime|0.8", "earth": "mtime|30.6", "IMG_0100": "container|2.8"} {
		var d details
		if st := in.call("GET", fmt.Sprintf("/api/v1/photos/%d/details", ids[name]), nil, &d); st != 200 {
			t.Fatalf("details of %s: %d", name, st)
		}
		for _, f := range d.Files {
			if !strings.HasSuffix(f.Name, ".mp4") && !strings.HasSuffix(f.Name, ".mov") && !strings.HasSuffix(f.Name, ".MOV") {
				continue
			}
			if got := fmt.Sprintf("%s|%.1f", f.TakenSource, f.DurationSeconds); got != want || f.Width == 0 {
				t.Errorf("details of %s: %+v, want date source and duration %s", f.Name, f, want)
			}
		}
	}
	var heic details
	in.call("GET", fmt.Sprintf("/api/v1/photos/%d/details", ids["iphone_7"]), nil, &heic)
	if len(heic.Files) == 0 || heic.Files[0].Camera != "Apple iPhone 7" || heic.Files[0].TakenSource != "exif" || heic.Files[0].Width != 3024 {
		t.Errorf("details of iphone_7.heic: %+v", heic)
	}

	// In Chromium: every tile's image is a JPEG, the Live Photo has its
	// badge.
	b := startBrowser(t, in.url)
	b.do("open photosync", chromedp.Navigate(in.url+"/photos"))
	b.waitFor("the sign-in page", `!!document.querySelector('#signin-password')`)
	b.fill("#signin-password", "admin-media")
	b.key(kb.Enter)
	b.waitFor("every photo", fmt.Sprintf(`document.querySelectorAll('#photo-grid .tile').length === %d`, page.Total))
	b.do("show every tile", chromedp.Evaluate[chromedp.Void](`document.querySelectorAll('#photo-grid .tile img').forEach((i) => { i.loading = 'eager'; })`))
	b.waitFor("every thumbnail loaded", `[...document.querySelectorAll('#photo-grid .tile img')].every((i) => i.complete && i.naturalWidth > 0)`)
	b.do("ask for each tile's type", chromedp.Evaluate[chromedp.Void](`window.__types = null; Promise.all([...document.querySelectorAll('#photo-grid .tile img')].map((i) => fetch(i.src).then((r) => r.headers.get('content-type')))).then((t) => { window.__types = t; })`))
	b.waitFor("the tiles' types", `Array.isArray(window.__types)`)
	var types []string
	b.eval(`window.__types`, &types)
	for i, ct := range types {
		if ct != "image/jpeg" {
			t.Errorf("tile %d shows %s, want a JPEG thumbnail", i+1, ct)
		}
	}
	if len(types) != page.Total {
		t.Errorf("%d tiles' types, want %d", len(types), page.Total)
	}
	live := fmt.Sprintf(`#photo-grid .tile[data-id="%d"]`, ids["IMG_0100"])
	b.waitText(live+" .badge.live", "Live")
	b.shot("photos-media")

	// The Live Photo's details: its still and its video, what each says.
	b.do("focus the Live Photo", chromedp.Focus(chromedp.CSS(live)))
	b.press("Enter", "Enter", 13)
	movFacts := fmt.Sprintf(`dialog.details .file-details[data-file-id="%d"]`, liveVideo)
	b.waitText(movFacts, "video's container")
	b.waitText(movFacts, "Apple iPhone 12")
	b.waitText(movFacts, "0:03")
	b.shot("photo-details-media")
	b.key(kb.Escape)
	if p := b.consoleProblems(); len(p) > 0 {
		t.Errorf("the page reported problems: %v", p)
	}
}

// waitIndexed waits for the index serve starts with, then runs one more
// and waits for it to end.
func waitIndexed(t *testing.T, in *instance) {
	t.Helper()
	var job struct {
		ID    int64
		State string
	}
	deadline := time.Now().Add(60 * time.Second)
	var st int
	started := testkit.Poll(time.Until(deadline), 50*time.Millisecond, func() bool {
		if st = in.call("POST", "/api/v1/library/index", nil, &job); st != 202 && st != 409 {
			t.Fatalf("index: %d", st)
		}
		return st == 202
	})
	if !started {
		t.Fatalf("index: %d", st)
	}
	ended := testkit.Poll(time.Until(deadline), 50*time.Millisecond, func() bool {
		if job.State == "queued" || job.State == "running" {
			in.call("GET", fmt.Sprintf("/api/v1/jobs/%d", job.ID), nil, &job)
		}
		return job.State != "queued" && job.State != "running"
	})
	if !ended {
		t.Fatalf("the index job did not end: %+v", job)
	}
}

// getThumb fetches a photo's tile_224 thumbnail: its bytes and type.
func getThumb(t *testing.T, in *instance, id int64) ([]byte, string) {
	t.Helper()
	res, body := in.client().Do("GET", fmt.Sprintf("/api/v1/photos/%d/thumb?size=tile_224", id), nil)
	if res.StatusCode != 200 {
		t.Fatalf("thumbnail of photo %d: %d %s", id, res.StatusCode, body)
	}
	return body, res.Header.Get("Content-Type")
}
