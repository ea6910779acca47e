package webdav_test

import (
	"context"
	"crypto/md5"
	"crypto/sha1"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/domain"
)

func bulkClient(t *testing.T, n *davtest.Nextcloud, on bool) *webdav.Client {
	t.Helper()
	c, err := webdav.NewConnectorWithOptions(nil, webdav.Options{BulkUpload: on}).
		Client(domain.Credentials{URL: n.DAVURL, Username: n.LoginName, Password: n.Password, Timeout: 10 * time.Second}, domain.TypeNextcloud)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func countMethod(n *davtest.Nextcloud, method string) int {
	k := 0
	for _, r := range n.Requests() {
		if r.Method == method {
			k++
		}
	}
	return k
}

func bulkFiles(names ...string) []webdav.BulkFile {
	var fs []webdav.BulkFile
	for _, p := range names {
		fs = append(fs, webdav.BulkFile{Path: p, Data: []byte("data of " + p), Meta: domain.UploadMeta{ModTime: time.Unix(1700000000, 0)}})
	}
	return fs
}

// TestUploadBulk: small files go in one bulk request, each with its own
// result (a file into a missing folder fails alone), stored with their
// content and time.
func TestUploadBulk(t *testing.T) {
	n := davtest.StartNextcloud(t)
	n.MkdirAll(t, "P")
	c := bulkClient(t, n, true)
	files := bulkFiles("/P/a.jpg", "/P/b.jpg", "/Missing/c.jpg", "/P/d.jpg")
	res := c.UploadBulk(context.Background(), files)
	for i, r := range res {
		if i == 2 {
			if domain.ErrorCode(r.Err) != domain.EINVALID || !strings.Contains(r.Err.Error(), "c.jpg") {
				t.Errorf("c.jpg into a missing folder: %+v", r)
			}
			continue
		}
		if r.Err != nil || r.ETag == "" || r.ETag != n.ETag(t, files[i].Path) {
			t.Errorf("%s: %+v (server ETag %s)", files[i].Path, r, n.ETag(t, files[i].Path))
		}
		if got := string(n.ReadFile(t, files[i].Path)); got != string(files[i].Data) {
			t.Errorf("%s holds %q", files[i].Path, got)
		}
	}
	if posts, puts := countMethod(n, http.MethodPost), countMethod(n, http.MethodPut); posts != 1 || puts != 0 {
		t.Fatalf("%d POSTs and %d PUTs, want one bulk request", posts, puts)
	}
}

// TestUploadBulkFallsBack: without the endpoint, with bulk upload off,
// or when a bulk request fails, files go by PUT, and after trouble the
// client stops trying bulk requests.
func TestUploadBulkFallsBack(t *testing.T) {
	ctx := context.Background()
	for name, tc := range map[string]struct {
		opts      []davtest.NextcloudOption
		on        bool
		wantPosts int
	}{
		"no bulk upload on the server": {[]davtest.NextcloudOption{davtest.WithoutBulkUpload()}, true, 0},
		"bulk upload off":              {nil, false, 0},
		"the POST fails": {[]davtest.NextcloudOption{davtest.WithMiddleware(func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/bulk") {
					http.Error(w, "proxy error", http.StatusBadGateway)
					return
				}
				next.ServeHTTP(w, r)
			})
		})}, true, 1},
	} {
		t.Run(name, func(t *testing.T) {
			n := davtest.StartNextcloud(t, tc.opts...)
			n.MkdirAll(t, "P")
			c := bulkClient(t, n, tc.on)
			for round := range 2 {
				files := bulkFiles(fmt.Sprintf("/P/a%d.jpg", round), fmt.Sprintf("/P/b%d.jpg", round))
				for i, r := range c.UploadBulk(ctx, files) {
					if r.Err != nil || string(n.ReadFile(t, files[i].Path)) != string(files[i].Data) {
						t.Fatalf("%s: %+v", files[i].Path, r)
					}
					if r.Proof == "" {
						t.Errorf("%s sent by PUT without a proof", files[i].Path)
					}
				}
			}
			if posts, puts := countMethod(n, http.MethodPost), countMethod(n, http.MethodPut); posts != tc.wantPosts || puts != 4 {
				t.Fatalf("%d POSTs and %d PUTs, want %d and 4", posts, puts, tc.wantPosts)
			}
		})
	}
}

// TestStoredSHA1: Nextcloud hashes the file as it stores it (PATCH with
// X-Recalculate-Hash), not anything the client sent: a file changed on the
// server's disk answers the new bytes' hash. The checksum is kept and the
// ETag stays.
func TestStoredSHA1(t *testing.T) {
	n := davtest.StartNextcloud(t)
	n.WriteFile(t, "P/a.jpg", []byte("first bytes"))
	c := bulkClient(t, n, true)
	ctx := context.Background()
	etag := n.ETag(t, "/P/a.jpg")
	sum, err := c.StoredSHA1(ctx, "/P/a.jpg")
	if want := fmt.Sprintf("%x", sha1.Sum([]byte("first bytes"))); err != nil || sum != want {
		t.Fatalf("StoredSHA1 = %q, %v; want %s", sum, err, want)
	}
	if got := n.Checksum(t, "P/a.jpg"); got != "SHA1:"+sum {
		t.Fatalf("stored checksum %q", got)
	}
	if got := n.ETag(t, "/P/a.jpg"); got != etag {
		t.Fatalf("the ETag changed: %s, was %s", got, etag)
	}
	n.WriteFile(t, "P/a.jpg", []byte("other bytes"))
	sum, err = c.StoredSHA1(ctx, "/P/a.jpg")
	if want := fmt.Sprintf("%x", sha1.Sum([]byte("other bytes"))); err != nil || sum != want {
		t.Fatalf("after a change on disk StoredSHA1 = %q, %v; want %s", sum, err, want)
	}
	if _, err := c.StoredSHA1(ctx, "/P/none.jpg"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("a missing file: %v", err)
	}
}

// TestSendBulkNotSent: SendBulk sends nothing itself where bulk upload is
// off or missing: every file is NotSent, for the caller to PUT.
func TestSendBulkNotSent(t *testing.T) {
	for _, c := range []struct {
		name string
		opts []davtest.NextcloudOption
		on   bool
	}{{"off", nil, false}, {"server without", []davtest.NextcloudOption{davtest.WithoutBulkUpload()}, true}} {
		t.Run(c.name, func(t *testing.T) {
			n := davtest.StartNextcloud(t, c.opts...)
			n.MkdirAll(t, "P")
			cl := bulkClient(t, n, c.on)
			for i, r := range cl.SendBulk(context.Background(), bulkFiles("/P/a.jpg", "/P/b.jpg")) {
				if !r.NotSent || r.Err != nil {
					t.Fatalf("file %d: %+v", i, r)
				}
			}
			if k := countMethod(n, http.MethodPost) + countMethod(n, http.MethodPut); k != 0 {
				t.Fatalf("%d uploads sent", k)
			}
		})
	}
}

// TestChecksumUpdatePatchModel: the test server's PATCH is Nextcloud's
// ChecksumUpdatePlugin: advertised in the DAV header, and not handled
// (Sabre's 501) without X-Recalculate-Hash or on a folder.
func TestChecksumUpdatePatchModel(t *testing.T) {
	n := davtest.StartNextcloud(t)
	n.WriteFile(t, "P/a.jpg", []byte("bytes"))
	do := func(method, p, algo string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(method, n.DAVURL+p, nil)
		req.SetBasicAuth(n.LoginName, n.Password)
		if algo != "" {
			req.Header.Set("X-Recalculate-Hash", algo)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	if h := do(http.MethodOptions, "P/a.jpg", "").Header.Get("DAV"); !strings.Contains(h, "nextcloud-checksum-update") {
		t.Fatalf("DAV header %q", h)
	}
	if s := do("PATCH", "P/a.jpg", "").StatusCode; s != http.StatusNotImplemented {
		t.Fatalf("PATCH without X-Recalculate-Hash: %d", s)
	}
	if s := do("PATCH", "P", "sha1").StatusCode; s != http.StatusNotImplemented {
		t.Fatalf("PATCH of a folder: %d", s)
	}
	res := do("PATCH", "P/a.jpg", "md5")
	if want := fmt.Sprintf("MD5:%x", md5.Sum([]byte("bytes"))); res.StatusCode != http.StatusNoContent || res.Header.Get("OC-Checksum") != want {
		t.Fatalf("PATCH md5: %d %q, want 204 %s", res.StatusCode, res.Header.Get("OC-Checksum"), want)
	}
}
