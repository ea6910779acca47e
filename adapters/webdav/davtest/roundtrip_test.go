package davtest_test

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// do sends one request with Basic auth and answers the status and body.
func do(t *testing.T, method, url, user, pass string, header map[string]string, body []byte) (int, http.Header, []byte) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.ContentLength = int64(len(body))
	}
	if user != "" || pass != "" {
		req.SetBasicAuth(user, pass)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: read body: %v", method, url, err)
	}
	return resp.StatusCode, resp.Header, b
}

// roundTrip checks the basic WebDAV operations every server must support.
func roundTrip(t *testing.T, s *davtest.Server) {
	t.Helper()
	if !strings.HasSuffix(s.URL, "/") || !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Fatalf("URL = %q, want http://127.0.0.1:PORT/...", s.URL)
	}
	auth := func(method, url string, header map[string]string, body []byte) (int, []byte) {
		t.Helper()
		code, _, b := do(t, method, url, s.Username, s.Password, header, body)
		return code, b
	}

	if code, _ := auth("PROPFIND", s.URL, map[string]string{"Depth": "1"}, nil); code != http.StatusMultiStatus {
		t.Fatalf("PROPFIND Depth 1 = %d, want 207", code)
	}
	if code, _ := auth("MKCOL", s.URL+"photos/", nil, nil); code != http.StatusCreated {
		t.Fatalf("MKCOL = %d, want 201", code)
	}
	data := bytes.Repeat([]byte("photo\x00\xff"), 1000)
	if code, _ := auth("PUT", s.URL+"photos/a.jpg", nil, data); code != http.StatusCreated && code != http.StatusNoContent && code != http.StatusOK {
		t.Fatalf("PUT = %d, want 201 or 204", code)
	}
	code, got := auth("GET", s.URL+"photos/a.jpg", nil, nil)
	if code != http.StatusOK || !bytes.Equal(got, data) {
		t.Fatalf("GET = %d with %d bytes, want 200 with the %d bytes sent", code, len(got), len(data))
	}
	if disk := s.ReadFile(t, "photos/a.jpg"); !bytes.Equal(disk, data) {
		t.Fatalf("file in Dir has %d bytes, want the %d bytes sent", len(disk), len(data))
	}
	code, body := auth("PROPFIND", s.URL+"photos/", map[string]string{"Depth": "1"}, nil)
	if code != http.StatusMultiStatus || !strings.Contains(string(body), "a.jpg") ||
		!strings.Contains(string(body), strconv.Itoa(len(data))) {
		t.Fatalf("PROPFIND photos/ = %d %s, want 207 listing a.jpg with its size", code, body)
	}

	// A file a test puts in Dir is served, and the server may replace it.
	s.WriteFile(t, "prepared/deep/b.txt", []byte("prepared"))
	if code, got := auth("GET", s.URL+"prepared/deep/b.txt", nil, nil); code != http.StatusOK || string(got) != "prepared" {
		t.Fatalf("GET prepared file = %d %q", code, got)
	}
	if code, _ := auth("PUT", s.URL+"prepared/deep/b.txt", nil, []byte("replaced")); code >= 300 {
		t.Fatalf("PUT over prepared file = %d", code)
	}
	if code, _ := auth("PUT", s.URL+"prepared/deep/c.txt", nil, []byte("new")); code >= 300 {
		t.Fatalf("PUT into prepared folder = %d", code)
	}
	if code, _ := auth("DELETE", s.URL+"prepared/", nil, nil); code >= 300 {
		t.Fatalf("DELETE prepared folder = %d", code)
	}

	if code, _, _ := do(t, "PROPFIND", s.URL, s.Username, s.Password+"x", map[string]string{"Depth": "0"}, nil); code != http.StatusUnauthorized {
		t.Fatalf("PROPFIND with a wrong password = %d, want 401", code)
	}
	if code, _, _ := do(t, "GET", s.URL+"photos/a.jpg", "", "", nil, nil); code != http.StatusUnauthorized {
		t.Fatalf("GET without credentials = %d, want 401", code)
	}
}

func TestXNet(t *testing.T) {
	t.Parallel()
	roundTrip(t, davtest.StartXNet(t))
}

func TestRclone(t *testing.T) {
	t.Parallel()
	roundTrip(t, davtest.StartRclone(t))
}

func TestApache(t *testing.T) {
	t.Parallel()
	roundTrip(t, davtest.StartApache(t))
}
