package webdav_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/domain"
)

// These tests run the client against small servers that misbehave in ways
// the real servers of davtest do not: a hostile listing, a cut-off answer,
// a full disk, a redirect to another host.

const (
	testUser     = "bob"
	testPassword = "pw-Never-Shown-9"
)

// fakeServer serves h behind Basic auth for testUser, and answers its URL.
func fakeServer(t *testing.T, h http.HandlerFunc) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); !ok || u != testUser || p != testPassword {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "401 Unauthorized", http.StatusUnauthorized)
			return
		}
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/"
}

func openFake(t *testing.T, url string, typ domain.AccountType) *webdav.Client {
	t.Helper()
	c, err := webdav.NewConnector(nil).Client(domain.Credentials{URL: url, Username: testUser, Password: testPassword, Timeout: 5 * time.Second}, typ)
	if err != nil {
		t.Fatalf("Client(%s): %v", url, err)
	}
	return c
}

// multistatus writes a 207 answer listing entries as (href, isDir).
func multistatus(w http.ResponseWriter, entries ...[2]string) {
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	fmt.Fprint(w, `<?xml version="1.0" encoding="utf-8"?><d:multistatus xmlns:d="DAV:">`)
	for _, e := range entries {
		href, kind := e[0], e[1]
		rt, size := "", "<d:getcontentlength>4</d:getcontentlength>"
		if kind == "dir" {
			rt, size = "<d:collection/>", ""
		}
		name := ""
		if strings.HasPrefix(kind, "name=") {
			name = "<d:displayname>" + strings.TrimPrefix(kind, "name=") + "</d:displayname>"
		}
		fmt.Fprintf(w, `<d:response><d:href>%s</d:href><d:propstat><d:prop>%s<d:resourcetype>%s</d:resourcetype>%s`+
			`<d:getlastmodified>Fri, 17 May 2024 10:30:00 GMT</d:getlastmodified></d:prop>`+
			`<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>`, href, name, rt, size)
	}
	fmt.Fprint(w, `</d:multistatus>`)
}

func TestListSkipsHostileNames(t *testing.T) {
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		multistatus(w,
			[2]string{"/dir/", "dir"},
			[2]string{"/dir/good.jpg", "file"},
			[2]string{"/dir/sub/", "dir"},
			[2]string{"/dir/%2E%2E", "dir"},         // ".."
			[2]string{"/dir/..", "file"},            // ".." again
			[2]string{"/dir/%zz", "name=../../etc"}, // bad escape: gowebdav takes the display name
			[2]string{"/dir/%zz", "name=a\\b"},      // a backslash
			[2]string{"/dir/%zz", "name=."},
			[2]string{"/dir/line%0Abreak.jpg", "file"}, // a control character
			[2]string{"/dir/good.jpg", "file"},         // listed twice
		)
	})
	list, err := openFake(t, url, domain.TypeWebDAV).List(context.Background(), "/dir")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range list {
		names = append(names, f.Name)
	}
	if !slices.Equal(names, []string{"good.jpg", "sub"}) {
		t.Fatalf("List = %q, want only good.jpg and sub", names)
	}
}

func TestListCutShortIsAnError(t *testing.T) {
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000") // promises more than it sends
		multistatus(w, [2]string{"/dir/", "dir"}, [2]string{"/dir/a.jpg", "file"})
	})
	list, err := openFake(t, url, domain.TypeWebDAV).List(context.Background(), "/dir")
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("List of a cut-off answer = %v, %v; want EUNAVAILABLE wrapping io.ErrUnexpectedEOF", list, err)
	}
	if !strings.Contains(err.Error(), "broke off") {
		t.Fatalf("message %q does not say the connection broke off", err)
	}
}

func TestStatusAnswers(t *testing.T) {
	for _, tc := range []struct {
		status  int
		header  string
		code    string
		message string
	}{
		{http.StatusForbidden, "", domain.EFORBIDDEN, "the server refused access to /a.jpg"},
		{http.StatusInsufficientStorage, "", domain.EUNAVAILABLE, "the server has no space left (507 Insufficient Storage)"},
		{http.StatusServiceUnavailable, "30", domain.EUNAVAILABLE, "the server is busy or failing (503 Service Unavailable)"},
		{http.StatusTooManyRequests, "", domain.EUNAVAILABLE, "the server is busy or failing (429 Too Many Requests)"},
		{http.StatusLocked, "", domain.EUNAVAILABLE, "the server is busy or failing (423 Locked)"},
		{http.StatusConflict, "", domain.ENOTFOUND, "the folder / does not exist"},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(tc.status)
			})
			err := openFake(t, url, domain.TypeWebDAV).Upload(context.Background(), "/a.jpg", strings.NewReader("abcd"), 4, domain.UploadMeta{})
			if domain.ErrorCode(err) != tc.code || domain.ErrorMessage(err) != tc.message || !domain.IsRemote(err) {
				t.Fatalf("Upload answered %d: %v (%s), want %s %q", tc.status, err, domain.ErrorCode(err), tc.code, tc.message)
			}
			if got := webdav.HTTPStatus(err); got != tc.status {
				t.Fatalf("HTTPStatus = %d, want %d", got, tc.status)
			}
			var se *webdav.StatusError
			if tc.header != "" && (!errors.As(err, &se) || se.RetryAfter != 30*time.Second) {
				t.Fatalf("Retry-After not kept: %#v", se)
			}
		})
	}
}

func TestDeleteReportsWhatGowebdavDrops(t *testing.T) {
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.NotFound(w, r)
	})
	err := openFake(t, url, domain.TypeWebDAV).Delete(context.Background(), "/gone.jpg")
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("Delete answered 404: %v, want ENOTFOUND", err)
	}
	c, err := webdav.NewConnector(nil).Client(domain.Credentials{URL: url, Username: testUser, Password: "wrong"}, domain.TypeWebDAV)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Delete(context.Background(), "/a.jpg"); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("Delete with a wrong password: %v, want EUNAUTHORIZED", err)
	}
	if err := c.Delete(context.Background(), "/"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("Delete of the root: %v, want EINVALID", err)
	}
}

func TestUploadHeaders(t *testing.T) {
	type seen struct {
		length          int64
		chunked         bool
		mtime, checksum string
		contentType     string
	}
	var (
		mu  sync.Mutex
		got []seen
	)
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		mu.Lock()
		defer mu.Unlock()
		got = append(got, seen{r.ContentLength, slices.Contains(r.TransferEncoding, "chunked"),
			r.Header.Get("X-OC-Mtime"), r.Header.Get("OC-Checksum"), r.Header.Get("Content-Type")})
		w.WriteHeader(http.StatusCreated)
	})
	meta := domain.UploadMeta{ModTime: time.Unix(1715941800, 0), SHA1: "A9993E364706816ABA3E25717850C26C9CD0D89D"}
	for _, typ := range []domain.AccountType{domain.TypeNextcloud, domain.TypeWebDAV} {
		c := openFake(t, url, typ)
		if err := c.Upload(context.Background(), "/abc.txt", strings.NewReader("abc"), 3, meta); err != nil {
			t.Fatal(err)
		}
		if err := c.Upload(context.Background(), "/empty.txt", strings.NewReader(""), 0, meta); err != nil {
			t.Fatal(err)
		}
	}
	want := []seen{
		{3, false, "1715941800", "SHA1:a9993e364706816aba3e25717850c26c9cd0d89d", "application/octet-stream"},
		{0, false, "1715941800", "SHA1:a9993e364706816aba3e25717850c26c9cd0d89d", "application/octet-stream"},
		{3, false, "", "", "application/octet-stream"},
		{0, false, "", "", "application/octet-stream"},
	}
	mu.Lock()
	defer mu.Unlock()
	if !slices.Equal(got, want) {
		t.Fatalf("uploads sent\n%+v\nwant\n%+v", got, want)
	}
}

func TestUploadOfAShortBodyFails(t *testing.T) {
	var stored atomic.Bool
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.Copy(io.Discard, r.Body); err == nil {
			stored.Store(true)
		}
		w.WriteHeader(http.StatusCreated)
	})
	err := openFake(t, url, domain.TypeWebDAV).Upload(context.Background(), "/a.jpg", strings.NewReader("abc"), 10, domain.UploadMeta{})
	if err == nil {
		t.Fatal("Upload of 3 bytes declared as 10 succeeded")
	}
	if stored.Load() {
		t.Fatal("the server received a complete body")
	}
}

func TestDownloadCutShort(t *testing.T) {
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		w.Header().Set("OC-Checksum", "SHA1:A9993E364706816ABA3E25717850C26C9CD0D89D MD5:900150983cd24fb0d6963f7d28e17f72")
		_, _ = w.Write([]byte("only a part"))
	})
	rc, f, err := openFake(t, url, domain.TypeNextcloud).Download(context.Background(), "/a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if f.Size != 1000 || f.Checksum != domain.SHA1Checksum("a9993e364706816aba3e25717850c26c9cd0d89d") || f.Name != "a.jpg" {
		t.Fatalf("Download file = %+v", f)
	}
	_, err = io.ReadAll(rc)
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("reading a cut-off download: %v, want EUNAVAILABLE wrapping io.ErrUnexpectedEOF", err)
	}
}

// TestNoCredentialsToAnotherHost redirects to another host name of the same
// machine, which must never see the credentials.
func TestNoCredentialsToAnotherHost(t *testing.T) {
	var leaked atomic.Bool
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "" {
			leaked.Store(true)
		}
		multistatus(w, [2]string{"/", "dir"})
	}))
	t.Cleanup(other.Close)
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, otherURL+r.URL.Path, http.StatusTemporaryRedirect)
	})
	c := webdav.NewConnector(nil)
	creds := domain.Credentials{URL: url, Username: testUser, Password: testPassword}
	_, err := c.Discover(context.Background(), creds)
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "localhost") {
		t.Fatalf("Discover redirected to another host: %v, want EINVALID naming it", err)
	}
	s, _ := c.Open(creds, domain.TypeWebDAV)
	ctx := context.Background()
	_, err = s.Stat(ctx, "/a.jpg")
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("Stat redirected: %v, want EINVALID", err)
	}
	if _, err := s.List(ctx, "/"); err == nil {
		t.Fatal("List followed a redirect to another host")
	}
	if err := s.Upload(ctx, "/a.jpg", strings.NewReader("abc"), 3, domain.UploadMeta{}); err == nil {
		t.Fatal("Upload followed a redirect to another host")
	}
	if leaked.Load() {
		t.Fatal("the other host received the credentials")
	}
}

func TestCancelMidRequest(t *testing.T) {
	arrived := make(chan struct{}, 4)
	url := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // else the server does not notice the client going
		if r.Method == http.MethodGet && r.URL.Path == "/a.jpg" {
			w.Header().Set("Content-Length", "1000")
			_, _ = w.Write([]byte("first part"))
			w.(http.Flusher).Flush()
		}
		arrived <- struct{}{}
		<-r.Context().Done() // answers nothing more until the client goes
	})
	s := openFake(t, url, domain.TypeWebDAV)

	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-arrived; cancel() }()
	start := time.Now()
	_, err := s.List(ctx, "/")
	if !errors.Is(err, context.Canceled) || time.Since(start) > 3*time.Second {
		t.Fatalf("List cancelled mid-request: %v after %v, want context.Canceled at once", err, time.Since(start))
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	rc, _, err := s.Download(ctx, "/a.jpg")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	buf := make([]byte, 10)
	if _, err := io.ReadFull(rc, buf); err != nil {
		t.Fatal(err)
	}
	<-arrived
	cancel()
	if _, err := io.ReadAll(rc); !errors.Is(err, context.Canceled) {
		t.Fatalf("reading a download after cancelling: %v, want context.Canceled", err)
	}
}
