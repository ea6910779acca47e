package httpapi_test

import (
	"bytes"
	"compress/gzip"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/photosync/photosync/adapters/httpapi"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/infra/apptest"
)

// testUI is a small web app with the layout of adapters/webui.
var testUI = fstest.MapFS{
	"index.html":       {Data: []byte(`<!doctype html><link rel="stylesheet" href="/assets/app.css"><script type="module" src="/assets/js/app.js"></script>`)},
	"assets/app.css":   {Data: []byte(strings.Repeat("body { margin: 0; }\n", 50))},
	"assets/js/app.js": {Data: []byte(`import {x} from './x.js'; console.log(x);`)},
	"assets/js/x.js":   {Data: []byte(`export const x = 1;`)},
	"assets/icon.svg":  {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"></svg>`)},
}

func newUIServer(t *testing.T, ui fstest.MapFS) *httptest.Server {
	t.Helper()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	log := slog.New(slog.DiscardHandler)
	p := apptest.Ports(t, t.TempDir(), clock)
	p.Log = log
	a := apptest.New(t, p, app.Settings{AdminPassword: "admin-pw"})
	s := httpapi.Settings{Version: "test"}
	if ui != nil {
		s.UI = ui
	}
	srv := httptest.NewServer(httpapi.New(a, s))
	t.Cleanup(srv.Close)
	return srv
}

// fetch sends a GET (or another method) with headers and returns the
// answer with its body read.
func fetch(t *testing.T, method, url string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	// The transport would otherwise ask for gzip and decode it itself.
	if req.Header.Get("Accept-Encoding") == "" {
		req.Header.Set("Accept-Encoding", "identity")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

var versioned = regexp.MustCompile(`"/assets/([0-9a-f]{12})/js/app\.js"`)

func TestUIPagesAndAssets(t *testing.T) {
	srv := newUIServer(t, testUI)
	res, body := fetch(t, "GET", srv.URL+"/")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" || res.Header.Get("Cache-Control") != "no-cache" {
		t.Fatalf("GET /: %d %v", res.StatusCode, res.Header)
	}
	if got := res.Header.Get("Content-Security-Policy"); !strings.Contains(got, "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'") {
		t.Errorf("CSP %q", got)
	}
	m := versioned.FindSubmatch(body)
	if m == nil || !bytes.Contains(body, []byte(`"/assets/`+string(m[1])+`/app.css"`)) {
		t.Fatalf("index.html does not name versioned assets: %s", body)
	}
	version := string(m[1])

	for _, route := range []string{"/photos", "/settings/backup", "/settings/backup/12"} {
		res, page := fetch(t, "GET", srv.URL+route)
		if res.StatusCode != 200 || !bytes.Equal(page, body) {
			t.Errorf("GET %s: %d, want index.html", route, res.StatusCode)
		}
	}

	res, js := fetch(t, "GET", srv.URL+"/assets/"+version+"/js/app.js")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/javascript; charset=utf-8" ||
		res.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" || string(js) != string(testUI["assets/js/app.js"].Data) {
		t.Errorf("versioned module: %d %v %q", res.StatusCode, res.Header, js)
	}
	res, _ = fetch(t, "GET", srv.URL+"/assets/0123456789ab/js/x.js")
	if res.StatusCode != 200 || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("an older version's asset: %d %q, want today's, not cached for good", res.StatusCode, res.Header.Get("Cache-Control"))
	}
	res, _ = fetch(t, "GET", srv.URL+"/assets/icon.svg")
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "image/svg+xml" || res.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("unversioned asset: %d %v", res.StatusCode, res.Header)
	}
	for _, missing := range []string{"/assets/" + version + "/js/nope.js", "/favicon.ico", "/assets/nope.css"} {
		if res, _ := fetch(t, "GET", srv.URL+missing); res.StatusCode != 404 {
			t.Errorf("GET %s: %d, want 404", missing, res.StatusCode)
		}
	}
	if res, _ := fetch(t, "HEAD", srv.URL+"/photos"); res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Errorf("HEAD /photos: %d", res.StatusCode)
	}
}

func TestUIRevalidationAndGzip(t *testing.T) {
	srv := newUIServer(t, testUI)
	res, css := fetch(t, "GET", srv.URL+"/assets/app.css")
	etag := res.Header.Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if res, body := fetch(t, "GET", srv.URL+"/assets/app.css", "If-None-Match", etag); res.StatusCode != 304 || len(body) != 0 {
		t.Errorf("If-None-Match: %d, want 304", res.StatusCode)
	}
	res, zipped := fetch(t, "GET", srv.URL+"/assets/app.css", "Accept-Encoding", "br, gzip")
	if res.Header.Get("Content-Encoding") != "gzip" || res.Header.Get("ETag") == etag || !strings.Contains(res.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("gzip: %v", res.Header)
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(zr)
	if !bytes.Equal(plain, css) || len(zipped) >= len(css) {
		t.Errorf("gzip: %d bytes for %d, decoding to %d", len(zipped), len(css), len(plain))
	}
	if res, _ := fetch(t, "GET", srv.URL+"/assets/app.css", "Accept-Encoding", "gzip;q=0"); res.Header.Get("Content-Encoding") != "" {
		t.Error("gzip sent although refused")
	}
}

// TestUILeavesTheAPIAlone: the app's catch-all route answers no path of
// the API; those keep answering JSON errors.
func TestUILeavesTheAPIAlone(t *testing.T) {
	srv := newUIServer(t, testUI)
	for _, c := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/nonexistent", 401, "EUNAUTHORIZED"},
		{"/api/v1/accounts", 401, "EUNAUTHORIZED"},
		{"/api/v2/accounts", 404, "ENOTFOUND"},
		{"/api", 404, "ENOTFOUND"},
	} {
		res, body := fetch(t, "GET", srv.URL+c.path)
		if res.StatusCode != c.status || !strings.Contains(res.Header.Get("Content-Type"), "application/json") || !strings.Contains(string(body), c.code) {
			t.Errorf("GET %s: %d %s, want %d %s", c.path, res.StatusCode, body, c.status, c.code)
		}
	}
	if res, body := fetch(t, "GET", srv.URL+"/healthz"); res.StatusCode != 200 || !strings.Contains(string(body), `"ok"`) {
		t.Errorf("healthz: %d %s", res.StatusCode, body)
	}
}

func TestUIAbsent(t *testing.T) {
	srv := newUIServer(t, nil)
	if res, _ := fetch(t, "GET", srv.URL+"/"); res.StatusCode != 404 {
		t.Errorf("GET / without a web app: %d", res.StatusCode)
	}
}
