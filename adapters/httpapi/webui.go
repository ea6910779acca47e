package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"

	"github.com/labstack/echo/v4"
)

// ContentSecurityPolicy is the policy of every page and asset of the web
// app: everything from photosync itself, images also as data: URLs, no
// inline script or style, and no framing.
const ContentSecurityPolicy = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

// Cache-Control values of the web app. The assets are served below a
// path with a hash of their content (/assets/<hash>/…), so a browser may
// keep them for good; index.html names that path and is asked for again
// on every visit.
const (
	cacheForever  = "public, max-age=31536000, immutable"
	cacheValidate = "no-cache"
)

// uiIndex is the page of the app, answered for every client route.
const uiIndex = "index.html"

// uiAsset is one file of the web app, read once and kept in memory
// (the app is small) with its gzip form when that is smaller.
type uiAsset struct {
	body        []byte
	gzipped     []byte
	contentType string
	etag        string
}

// uiContentTypes are the types of the web app's files. They are fixed
// here rather than taken from the system's MIME database, which may lack
// them: browsers refuse a module script served with another type.
var uiContentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".css":         "text/css; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".ico":         "image/x-icon",
	".json":        "application/json",
	".webmanifest": "application/manifest+json",
	".txt":         "text/plain; charset=utf-8",
}

// handleUI serves the web app of ui: its assets below /assets/<version>/
// with a long cache life, and index.html for "/" and every other path
// without a file extension (the app's own routes, such as /photos), which
// the browser revalidates each time. Paths below /api/ are left to the
// API's JSON 404. With no app (ui nil), everything is a 404.
func handleUI(ui fs.FS) echo.HandlerFunc {
	if ui == nil {
		return func(echo.Context) error { return echo.ErrNotFound }
	}
	site, err := loadUI(ui)
	if err != nil {
		// The app is embedded: a file that cannot be read is a build bug.
		panic(fmt.Sprintf("web UI: %v", err))
	}
	return site.serve
}

// uiSite is the loaded web app.
type uiSite struct {
	version string
	index   *uiAsset
	assets  map[string]*uiAsset // by path below /assets/, without version
}

// loadUI reads every file of ui, hashes them into the version and points
// index.html's "/assets/" references at the versioned path.
func loadUI(ui fs.FS) (*uiSite, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(ui, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(ui, p)
		files[p] = data
		return err
	})
	if err != nil {
		return nil, err
	}
	index, ok := files[uiIndex]
	if !ok {
		return nil, fmt.Errorf("no %s", uiIndex)
	}
	names := make([]string, 0, len(files))
	for p := range files {
		names = append(names, p)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, p := range names {
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(files[p]))
		h.Write(files[p])
	}
	s := &uiSite{version: hex.EncodeToString(h.Sum(nil))[:12], assets: map[string]*uiAsset{}}
	for _, p := range names {
		if rel, ok := strings.CutPrefix(p, "assets/"); ok {
			s.assets[rel] = newUIAsset(p, files[p])
		}
	}
	s.index = newUIAsset(uiIndex, bytes.ReplaceAll(index, []byte(`"/assets/`), []byte(`"/assets/`+s.version+`/`)))
	return s, nil
}

func newUIAsset(name string, body []byte) *uiAsset {
	ct, ok := uiContentTypes[path.Ext(name)]
	if !ok {
		ct = http.DetectContentType(body)
	}
	sum := sha256.Sum256(body)
	a := &uiAsset{body: body, contentType: ct, etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
	if strings.HasPrefix(ct, "text/") || strings.Contains(ct, "json") || strings.Contains(ct, "svg") {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(body)
		zw.Close()
		if buf.Len() < len(body) {
			a.gzipped = buf.Bytes()
		}
	}
	return a
}

func (s *uiSite) serve(c echo.Context) error {
	p := c.Request().URL.Path
	if p == "/api" || strings.HasPrefix(p, "/api/") {
		return echo.ErrNotFound
	}
	if rel, ok := strings.CutPrefix(p, "/assets/"); ok {
		cache := cacheValidate
		if version, rest, found := strings.Cut(rel, "/"); found && isUIVersion(version) {
			// An older page may ask for the assets of an earlier version:
			// it gets today's, which must not be cached under that name.
			if version == s.version {
				cache = cacheForever
			}
			rel = rest
		}
		a, ok := s.assets[rel]
		if !ok {
			return echo.ErrNotFound
		}
		return s.write(c, a, cache)
	}
	if strings.Contains(path.Base(p), ".") {
		return echo.ErrNotFound // a file that is not there, e.g. /favicon.ico
	}
	return s.write(c, s.index, cacheValidate)
}

// isUIVersion reports whether s has the form of a version: 12 hex digits.
func isUIVersion(s string) bool {
	if len(s) != 12 {
		return false
	}
	_, err := hex.DecodeString(s)
	return err == nil
}

func (s *uiSite) write(c echo.Context, a *uiAsset, cache string) error {
	h := c.Response().Header()
	h.Set("Content-Security-Policy", ContentSecurityPolicy)
	h.Set("Cache-Control", cache)
	h.Set("Vary", "Accept-Encoding")
	body, etag := a.body, a.etag
	if a.gzipped != nil && acceptsGzip(c.Request().Header.Get("Accept-Encoding")) {
		// Each encoding is its own representation, with its own ETag.
		body, etag = a.gzipped, strings.TrimSuffix(a.etag, `"`)+`-gz"`
		h.Set("Content-Encoding", "gzip")
	}
	h.Set("ETag", etag)
	if etagMatches(c.Request().Header.Get("If-None-Match"), etag) {
		h.Del("Content-Encoding")
		return c.NoContent(http.StatusNotModified)
	}
	return c.Blob(http.StatusOK, a.contentType, body)
}

// acceptsGzip reports whether an Accept-Encoding header allows gzip.
func acceptsGzip(header string) bool {
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			return strings.ReplaceAll(strings.TrimSpace(params), " ", "") != "q=0"
		}
	}
	return false
}
