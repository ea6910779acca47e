package httpapi

import (
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
)

// TestPhotoDetailsRoute indexes a photo with its live video and a video
// dated by its container, and reads their details: camera, date and its
// source, size and duration, read from the files.
func TestPhotoDetailsRoute(t *testing.T) {
	dir := t.TempDir()
	taken := time.Date(2021, 7, 4, 15, 30, 0, 0, time.UTC)
	mediatest.WriteFile(t, dir, "IMG_7.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, TakenAt: taken, Orientation: 6}))
	mediatest.WriteFile(t, dir, "IMG_7.MOV", mediatest.MP4(t, mediatest.MP4Options{Brand: "qt  ", Duration: 2500 * time.Millisecond,
		Width: 1920, Height: 1080, AppleCreationDate: "2021-07-04T17:30:00+0200", Make: "Apple", Model: "iPhone 12"}))
	mediatest.WriteFile(t, dir, "party.mp4", mediatest.MP4(t, mediatest.MP4Options{Created: taken.AddDate(0, 1, 0), Duration: time.Minute, Width: 640, Height: 480}))

	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	store := memory.NewLibraryStore()
	if _, err := app.NewIndexer(localfs.NewLibrary(dir), store, media.NewInspector(), clock, log).Index(t.Context(), nil); err != nil {
		t.Fatal(err)
	}
	photos := app.NewPhotos(store, media.NewThumbnails(dir, t.TempDir()), nil)
	e := echo.New()
	e.HTTPErrorHandler = errorHandler(log)
	e.GET("/api/v1/photos", handlePhotoList(photos))
	e.GET("/api/v1/photos/:id/details", handlePhotoDetails(photos))
	srv := httptest.NewServer(e)
	defer srv.Close()
	a := &photoAPI{t: t, srv: srv}

	byName := map[string]jsonview.Photo{}
	for _, p := range a.photos("").Photos {
		byName[p.Name] = p
	}
	if p := byName["party"]; p.TakenAt == nil || !p.TakenAt.Equal(taken.AddDate(0, 1, 0)) {
		t.Errorf("party.mp4 is dated %v, want its container's %v", p.TakenAt, taken.AddDate(0, 1, 0))
	}
	var live jsonview.PhotoDetails
	if res, body := a.do("GET", fmt.Sprintf("/api/v1/photos/%d/details", byName["IMG_7"].ID), nil, &live); res.StatusCode != 200 {
		t.Fatalf("details: %d %s", res.StatusCode, body)
	}
	got := map[string]jsonview.FileDetails{}
	for _, f := range live.Files {
		got[f.Name] = f
	}
	jpg, mov := got["IMG_7.JPG"], got["IMG_7.MOV"]
	if jpg.Camera != "photosync mediatest" || jpg.TakenSource != "exif" || jpg.DateField != "DateTimeOriginal" || jpg.Width != 48 || jpg.Height != 64 {
		t.Errorf("details of the JPEG: %+v", jpg)
	}
	if mov.Camera != "Apple iPhone 12" || mov.TakenSource != "container" || mov.DateField != "com.apple.quicktime.creationdate" ||
		mov.TakenAt == nil || !mov.TakenAt.Equal(taken) || mov.DurationSeconds != 2.5 || mov.Width != 1920 {
		t.Errorf("details of the live video: %+v", mov)
	}
	if res, _ := a.do("GET", "/api/v1/photos/9999/details", nil, nil); res.StatusCode != 404 {
		t.Errorf("details of no photo: %d, want 404", res.StatusCode)
	}
}
