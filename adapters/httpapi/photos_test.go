package httpapi

// An internal test: the photo routes are not in routes.go yet, so the test
// mounts the handlers itself, behind the API's error handler and headers.

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/internal/testkit"
)

type photoAPI struct {
	t       *testing.T
	srv     *httptest.Server
	jobs    *app.Jobs
	uploads *memory.UploadStore
}

func newPhotoAPI(t *testing.T) *photoAPI {
	t.Helper()
	dir := t.TempDir()
	taken := time.Date(2021, 7, 4, 15, 30, 0, 0, time.UTC)
	mediatest.WriteFile(t, dir, "2021/IMG_1.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 640, Height: 480, TakenAt: taken}))
	mediatest.WriteFile(t, dir, "2021/IMG_1.dng", mediatest.RAW(t, 1, 4096))
	mediatest.WriteFile(t, dir, "2021/IMG_1.xmp", mediatest.Sidecar(t, "IMG_1"))
	mediatest.WriteVideo(t, dir, "2021/clip.mp4", 2, 8192)
	mediatest.WriteFile(t, dir, "old/100%_done.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{TakenAt: taken.AddDate(-5, 0, 0)}))
	mediatest.WriteFile(t, dir, "empty.jpg", nil)

	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	store := memory.NewLibraryStore()
	indexer := app.NewIndexer(localfs.NewLibrary(dir), store, media.NewInspector(), clock, log)
	a := &photoAPI{t: t, jobs: app.NewJobs(memory.NewJobStore(clock), clock, log), uploads: memory.NewUploadStore()}
	t.Cleanup(a.jobs.Close)
	photos := app.NewPhotos(store, media.NewThumbnails(dir, t.TempDir()), a.uploads)

	e := echo.New()
	e.HTTPErrorHandler = errorHandler(log)
	e.Use(securityHeaders)
	e.GET("/api/v1/photos", handlePhotoList(photos))
	e.GET("/api/v1/photos/:id", handlePhotoGet(photos))
	e.GET("/api/v1/photos/:id/thumb", handlePhotoThumb(photos))
	e.POST("/api/v1/library/index", handleLibraryIndex(a.jobs, indexer))
	a.srv = httptest.NewServer(e)
	t.Cleanup(a.srv.Close)
	return a
}

// do sends a request and decodes a JSON answer into out (when not nil).
func (a *photoAPI) do(method, path string, header http.Header, out any) (*http.Response, []byte) {
	a.t.Helper()
	c := testkit.Client{T: a.t, URL: a.srv.URL, Header: header}
	res, body := c.Do(method, path, nil)
	if out != nil {
		testkit.Decode(a.t, method+" "+path, body, out)
	}
	return res, body
}

// index runs an index through the API and waits for its job.
func (a *photoAPI) index() domain.Job {
	a.t.Helper()
	var job jsonview.Job
	res, body := a.do("POST", "/api/v1/library/index", nil, &job)
	if res.StatusCode != http.StatusAccepted || job.Kind != "index" || job.ID == 0 ||
		res.Header.Get("Location") != fmt.Sprintf("/api/v1/jobs/%d", job.ID) {
		a.t.Fatalf("POST index: %d %s, Location %q", res.StatusCode, body, res.Header.Get("Location"))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	j, err := a.jobs.Wait(ctx, job.ID)
	if err != nil {
		a.t.Fatalf("waiting for the index job: %v", err)
	}
	return j
}

func (a *photoAPI) photos(query string) jsonview.PhotoPage {
	a.t.Helper()
	var page jsonview.PhotoPage
	if res, body := a.do("GET", "/api/v1/photos"+query, nil, &page); res.StatusCode != http.StatusOK {
		a.t.Fatalf("GET photos%s: %d %s", query, res.StatusCode, body)
	}
	return page
}

func TestPhotoRoutes(t *testing.T) {
	a := newPhotoAPI(t)
	j := a.index()
	if j.State != domain.JobPartial || j.Failed != 1 || len(j.Errors) != 1 || j.Errors[0].Path != "empty.jpg" {
		t.Fatalf("index job: %s, %d failed, errors %+v; want partial with empty.jpg failed", j.State, j.Failed, j.Errors)
	}

	page := a.photos("")
	if page.Total != 3 || page.Count != app.DefaultPhotoPage || page.Offset != 0 || len(page.Photos) != 3 {
		t.Fatalf("photos: total %d count %d offset %d, %d photos", page.Total, page.Count, page.Offset, len(page.Photos))
	}
	var img jsonview.Photo
	for _, p := range page.Photos {
		if p.Name == "IMG_1" {
			img = p
		}
	}
	var roles []string
	for _, f := range img.Files {
		roles = append(roles, f.Name+"="+f.Role)
		if f.Uploads == nil || f.SHA1 == "" || f.Path != "2021/"+f.Name {
			t.Errorf("file %+v: want uploads [], a checksum and its path", f)
		}
	}
	if got := strings.Join(roles, " "); got != "IMG_1.JPG=primary IMG_1.dng=raw IMG_1.xmp=sidecar" || img.Folder != "2021" ||
		img.TakenAt == nil || !img.TakenAt.Equal(time.Date(2021, 7, 4, 15, 30, 0, 0, time.UTC)) {
		t.Errorf("IMG_1: %s in %q taken %v", got, img.Folder, img.TakenAt)
	}
	if img.Files[0].Width != 640 || img.Files[0].TakenSource != "exif" {
		t.Errorf("IMG_1.JPG: width %d, taken from %s", img.Files[0].Width, img.Files[0].TakenSource)
	}

	for query, want := range map[string]string{
		"?q=img_":             "IMG_1",
		"?q=%25":              "100%_done",
		"?kind=video":         "clip",
		"?kind=raw&q=2021":    "IMG_1",
		"?count=1&offset=2":   "100%_done",
		"?q=nothing+like+it":  "",
		"?kind=sidecar&q=OLD": "",
	} {
		var names []string
		for _, p := range a.photos(query).Photos {
			names = append(names, p.Name)
		}
		if got := strings.Join(names, ","); got != want {
			t.Errorf("photos%s: %q, want %q", query, got, want)
		}
	}
	for _, query := range []string{"?count=0", "?count=1001", "?count=x", "?offset=-1", "?kind=document"} {
		var e struct{ Error struct{ Code string } }
		if res, body := a.do("GET", "/api/v1/photos"+query, nil, &e); res.StatusCode != 400 || e.Error.Code != domain.EINVALID {
			t.Errorf("photos%s: %d %s, want 400 EINVALID", query, res.StatusCode, body)
		}
	}

	// One photo, with its upload state.
	jpg := img.Files[0]
	up := domain.UploadRecord{FileID: jpg.ID, AccountID: 3, RemotePath: "/Photos/IMG_1.JPG", Size: jpg.Size, SHA1: jpg.SHA1,
		SourceSHA1: jpg.SHA1, UploadSize: domain.SizeOriginal, UploadedAt: time.Date(2026, 11, 27, 11, 0, 0, 0, time.UTC)}
	if err := a.uploads.RecordUpload(context.Background(), up); err != nil {
		t.Fatal(err)
	}
	var one jsonview.Photo
	if res, body := a.do("GET", fmt.Sprintf("/api/v1/photos/%d", img.ID), nil, &one); res.StatusCode != 200 || len(one.Files) != 3 {
		t.Fatalf("GET photo: %d %s", res.StatusCode, body)
	}
	if u := one.Files[0].Uploads; len(u) != 1 || u[0].AccountID != 3 || u[0].RemotePath != up.RemotePath || u[0].Size != jpg.Size ||
		!u[0].UploadedAt.Equal(up.UploadedAt) || len(one.Files[1].Uploads) != 0 {
		t.Errorf("uploads of IMG_1: %+v / %+v", one.Files[0].Uploads, one.Files[1].Uploads)
	}
	for _, path := range []string{"/api/v1/photos/9999", "/api/v1/photos/abc", "/api/v1/photos/9999/thumb"} {
		if res, body := a.do("GET", path, nil, nil); res.StatusCode != 404 || !bytes.Contains(body, []byte("ENOTFOUND")) {
			t.Errorf("GET %s: %d %s, want 404 ENOTFOUND", path, res.StatusCode, body)
		}
	}
}

func TestPhotoThumbRoute(t *testing.T) {
	a := newPhotoAPI(t)
	a.index()
	ids := map[string]jsonview.Photo{}
	for _, p := range a.photos("").Photos {
		ids[p.Name] = p
	}
	img := ids["IMG_1"]
	thumb := fmt.Sprintf("/api/v1/photos/%d/thumb", img.ID)
	etag := `"` + img.Files[0].SHA1 + `-tile_224"`

	res, body := a.do("GET", thumb, nil, nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || !bytes.HasPrefix(body, []byte{0xff, 0xd8}) {
		t.Fatalf("thumb: %d %s, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	if res.Header.Get("ETag") != etag || res.Header.Get("Cache-Control") != revalidated {
		t.Errorf("thumb: ETag %q Cache-Control %q; want %s, %s", res.Header.Get("ETag"), res.Header.Get("Cache-Control"), etag, revalidated)
	}
	res, _ = a.do("GET", thumb+"?size=fit_1280&v="+img.Files[0].SHA1, nil, nil)
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != immutable || !strings.HasSuffix(res.Header.Get("ETag"), `-fit_1280"`) {
		t.Errorf("thumb with its checksum: %d, Cache-Control %q, ETag %q", res.StatusCode, res.Header.Get("Cache-Control"), res.Header.Get("ETag"))
	}
	for _, inm := range []string{etag, `"other", W/` + etag, "*"} {
		res, body = a.do("GET", thumb, http.Header{"If-None-Match": {inm}}, nil)
		if res.StatusCode != http.StatusNotModified || len(body) != 0 || res.Header.Get("ETag") != etag {
			t.Errorf("thumb If-None-Match %s: %d, %d bytes, ETag %q", inm, res.StatusCode, len(body), res.Header.Get("ETag"))
		}
	}
	if res, _ = a.do("GET", thumb, http.Header{"If-None-Match": {`"stale-tile_224"`}}, nil); res.StatusCode != 200 {
		t.Errorf("thumb with a stale ETag: %d, want 200", res.StatusCode)
	}

	// A video gets a JPEG too: a frame with ffmpeg, else (here) a drawn
	// poster.
	res, body = a.do("GET", fmt.Sprintf("/api/v1/photos/%d/thumb?size=tile_500", ids["clip"].ID), nil, nil)
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/jpeg" || !bytes.HasPrefix(body, []byte{0xff, 0xd8}) {
		t.Errorf("thumb of a video: %d %s, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	res, body = a.do("GET", thumb+"?size=huge", nil, nil)
	if res.StatusCode != 400 || !bytes.Contains(body, []byte("EINVALID")) || res.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("thumb of an unknown size: %d %s, Cache-Control %q", res.StatusCode, body, res.Header.Get("Cache-Control"))
	}
}

func TestKindIcons(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range []domain.Kind{domain.KindImage, domain.KindRaw, domain.KindVideo, domain.KindSidecar, domain.KindNone} {
		svg := string(kindIcon(k))
		if seen[svg] || !strings.HasPrefix(svg, "<svg ") || !strings.HasSuffix(svg, "</svg>") || strings.Contains(svg, "%!") {
			t.Errorf("icon of %q: %s", k, svg)
		}
		seen[svg] = true
	}
}
