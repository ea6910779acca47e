package httpapi

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// handlePhotoList answers a page of photos:
// ?q=TEXT&kind=image|raw|video|sidecar&offset=N&count=N (count 1 to
// domain.MaxPhotoPage, app.DefaultPhotoPage when absent).
func handlePhotoList(photos *app.Photos) echo.HandlerFunc {
	return func(c echo.Context) error {
		q := domain.PhotoQuery{Text: c.QueryParam("q"), Kind: domain.Kind(c.QueryParam("kind")), Count: app.DefaultPhotoPage}
		var err error
		if q.Offset, err = intParam(c, "offset", 0, 0, int(^uint(0)>>1)); err != nil {
			return err
		}
		if q.Count, err = intParam(c, "count", app.DefaultPhotoPage, 1, domain.MaxPhotoPage); err != nil {
			return err
		}
		list, total, err := photos.List(c.Request().Context(), q)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, jsonview.PhotoPage{Photos: jsonview.FromPhotos(list), Total: total, Offset: q.Offset, Count: q.Count})
	}
}

// intParam reads an integer query parameter from lo to hi, def when it is
// absent. EINVALID.
func intParam(c echo.Context, name string, def, lo, hi int) (int, error) {
	s := c.QueryParam(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, domain.Errorf(domain.EINVALID, "%s: %q is not a number from %d to %d", name, s, lo, hi)
	}
	return n, nil
}

func handlePhotoGet(photos *app.Photos) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		p, err := photos.Photo(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, jsonview.FromPhoto(p))
	}
}

// handlePhotoDetails answers a photo with what each of its files says
// about itself (camera, lens, date taken and its source, size, duration),
// read from the files now.
func handlePhotoDetails(photos *app.Photos) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		p, details, err := photos.Details(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return c.JSON(http.StatusOK, jsonview.FromPhotoDetails(p, details))
	}
}

// thumbSizes are the sizes of ?size= of the thumbnail route, in pixels on
// the longer side.
var thumbSizes = map[string]int{"tile_224": 224, "tile_500": 500, "fit_1280": 1280}

// immutable is the Cache-Control of a thumbnail asked for with the
// checksum of its file (?v=SHA1): that URL shows the same image forever.
// Without it the URL shows whatever the photo's primary file is now, so
// the browser keeps the image but asks again each time (answered 304
// through the ETag while the file is the same).
const (
	immutable   = "private, max-age=31536000, immutable"
	revalidated = "private, no-cache"
)

// handlePhotoThumb answers a JPEG thumbnail of the photo's primary file,
// ?size=tile_224 (default), tile_500 or fit_1280 (a RAW file's embedded
// preview, a video's frame or poster), or for a file that cannot be
// decoded (corrupt, unknown kind) a small SVG icon of its kind. The ETag is the file's checksum and the size; If-None-Match is
// answered 304.
func handlePhotoThumb(photos *app.Photos) echo.HandlerFunc {
	return func(c echo.Context) error {
		id, err := idParam(c, "id")
		if err != nil {
			return err
		}
		sizeName := c.QueryParam("size")
		if sizeName == "" {
			sizeName = "tile_224"
		}
		size, ok := thumbSizes[sizeName]
		if !ok {
			return domain.Errorf(domain.EINVALID, "size: %q is not tile_224, tile_500 or fit_1280", sizeName)
		}
		ctx := c.Request().Context()
		f, err := photos.PrimaryFile(ctx, id)
		if err != nil {
			return err
		}
		if f.SHA1 != "" && etagMatches(c.Request().Header.Get("If-None-Match"), thumbETag(f.SHA1, sizeName)) {
			setThumbCaching(c, f.SHA1, sizeName)
			return c.NoContent(http.StatusNotModified)
		}
		data, f, err := photos.Thumbnail(ctx, id, size)
		if domain.ErrorCode(err) == domain.EINVALID && f.ID != 0 {
			setThumbCaching(c, f.SHA1, sizeName)
			return c.Blob(http.StatusOK, "image/svg+xml", kindIcon(f.Kind))
		}
		if err != nil {
			return err
		}
		setThumbCaching(c, f.SHA1, sizeName)
		return c.Blob(http.StatusOK, "image/jpeg", data)
	}
}

func thumbETag(sha1, sizeName string) string {
	return `"` + sha1 + "-" + sizeName + `"`
}

func setThumbCaching(c echo.Context, sha1, sizeName string) {
	h := c.Response().Header()
	if sha1 == "" {
		return // no checksum: the default no-store stays
	}
	h.Set("ETag", thumbETag(sha1, sizeName))
	if c.QueryParam("v") == sha1 {
		h.Set("Cache-Control", immutable)
	} else {
		h.Set("Cache-Control", revalidated)
	}
}

// etagMatches reports whether an If-None-Match header lists etag (weak
// validators compare equal, as RFC 9110 asks for If-None-Match).
func etagMatches(header, etag string) bool {
	for _, tag := range strings.Split(header, ",") {
		tag = strings.TrimPrefix(strings.TrimSpace(tag), "W/")
		if tag == "*" || tag == etag {
			return true
		}
	}
	return false
}

// kindIcon returns the SVG icon of a kind: a 64×64 tile with a symbol and
// a label.
func kindIcon(k domain.Kind) []byte {
	symbol, label := iconOther, "FILE"
	switch k {
	case domain.KindImage:
		symbol, label = iconImage, "IMAGE"
	case domain.KindRaw:
		symbol, label = iconRaw, "RAW"
	case domain.KindVideo:
		symbol, label = iconVideo, "VIDEO"
	case domain.KindSidecar:
		symbol, label = iconOther, "XMP"
	}
	return fmt.Appendf(nil, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="224" height="224">`+
		`<rect width="64" height="64" rx="6" fill="#e8eaed"/>`+
		`<g fill="none" stroke="#5f6368" stroke-width="2.5" stroke-linejoin="round">%s</g>`+
		`<text x="32" y="56" font-family="sans-serif" font-size="8" font-weight="bold" text-anchor="middle" fill="#5f6368">%s</text></svg>`,
		symbol, label)
}

// Symbols of the kind icons, drawn in a 64×64 box above the label.
const (
	iconImage = `<rect x="14" y="12" width="36" height="28" rx="2"/><circle cx="24" cy="21" r="3"/><path d="M14 36l11-10 8 7 6-5 11 10"/>`
	iconRaw   = `<circle cx="32" cy="26" r="14"/><circle cx="32" cy="26" r="6"/><path d="M32 12v8M44 19l-7 4M44 33l-7-4M32 40v-8M20 33l7-4M20 19l7 4"/>`
	iconVideo = `<rect x="14" y="12" width="36" height="28" rx="2"/><path d="M28 20v12l10-6z" fill="#5f6368"/>`
	iconOther = `<path d="M20 10h17l9 9v23H20z"/><path d="M37 10v9h9M25 26h16M25 32h16"/>`
)

// handleLibraryIndex starts an index of the library as a job and answers
// 202 with the job; follow it at /api/v1/jobs/{id} or in the events.
// While an index runs, it answers that job.
func handleLibraryIndex(jobs *app.Jobs, indexer *app.Indexer) echo.HandlerFunc {
	return func(c echo.Context) error {
		j, err := app.StartIndex(c.Request().Context(), jobs, indexer)
		if err != nil {
			return err
		}
		c.Response().Header().Set("Location", fmt.Sprintf("/api/v1/jobs/%d", j.ID))
		return c.JSON(http.StatusAccepted, jsonview.FromJob(j))
	}
}
