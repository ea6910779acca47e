package davtest_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// TestNextcloudChunkedUpload walks through chunked upload v2 as the
// developer manual shows it with curl, with the mistakes a client can
// make on the way.
func TestNextcloudChunkedUpload(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	folder := n.BaseURL + "/remote.php/dav/uploads/" + n.UserID + "/myapp-e1663913"
	dest := n.DAVURL + "dest/file.zip"
	n.MkdirAll(t, "dest")
	withDest := map[string]string{"Destination": dest}
	big := bytes.Repeat([]byte("0123456789abcdef"), 5<<16) // 5 MiB
	steps := []struct {
		method, url string
		header      map[string]string
		body        []byte
		status      int
	}{
		{"MKCOL", folder, nil, nil, http.StatusBadRequest}, // v2 needs a Destination
		{"MKCOL", folder, withDest, nil, http.StatusCreated},
		{"MKCOL", folder, withDest, nil, http.StatusMethodNotAllowed},
		{"PUT", folder + "/abc", withDest, []byte("x"), http.StatusBadRequest},
		{"PUT", folder + "/10001", withDest, []byte("x"), http.StatusBadRequest},
		{"PUT", folder + "/00001", nil, big, http.StatusBadRequest},
		{"PUT", folder + "/00001", map[string]string{"Destination": n.DAVURL + "other.zip"}, big, http.StatusBadRequest},
		{"PUT", folder + "/00001", map[string]string{"Destination": dest, "OC-Total-Length": "5242890"}, big, http.StatusCreated},
		{"PUT", folder + "/00002", map[string]string{"Destination": dest, "OC-Total-Length": "5242890"}, []byte("0123456789"), http.StatusCreated},
		{"GET", folder + "/00001", nil, nil, http.StatusForbidden},
		{"MOVE", folder + "/.file", map[string]string{"Destination": dest, "OC-Total-Length": "5242891"}, nil, http.StatusBadRequest},
	}
	for _, s := range steps {
		if code, _, body := nc(t, n, s.method, s.url, s.header, s.body); code != s.status {
			t.Fatalf("%s %s %v: %d %s, want %d", s.method, s.url, s.header, code, body, s.status)
		}
	}
	code, _, body := nc(t, n, "PROPFIND", folder, map[string]string{"Depth": "1"}, nil)
	listed := regexp.MustCompile(`<d:href>[^<]*/myapp-e1663913/(\d+)</d:href><d:propstat><d:prop><d:getlastmodified>[^<]*</d:getlastmodified><d:getcontentlength>(\d+)<`).FindAllStringSubmatch(string(body), -1)
	if code != http.StatusMultiStatus || len(listed) != 2 || listed[0][1] != "00001" || listed[0][2] != "5242880" || listed[1][2] != "10" {
		t.Fatalf("listing of the upload folder: %d %s", code, body)
	}

	code, h, body := nc(t, n, "MOVE", folder+"/.file", map[string]string{
		"Destination": dest, "OC-Total-Length": "5242890", "X-OC-Mtime": "1547545326", "OC-Checksum": "SHA1:abc",
	}, nil)
	if code != http.StatusCreated || h.Get("X-OC-MTime") != "accepted" || h.Get("OC-ETag") == "" || h.Get("OC-FileId") == "" {
		t.Fatalf("MOVE .file: %d %v %s", code, h, body)
	}
	if got := n.ReadFile(t, "dest/file.zip"); !bytes.Equal(got, append(append([]byte(nil), big...), "0123456789"...)) {
		t.Fatalf("the assembled file has %d bytes", len(got))
	}
	if code, _, _ := nc(t, n, "PROPFIND", folder, map[string]string{"Depth": "0"}, nil); code != http.StatusNotFound {
		t.Fatalf("the upload folder is still there after the MOVE: %d", code)
	}
	code, h, _ = nc(t, n, "GET", dest, nil, nil)
	if code != http.StatusOK || h.Get("OC-Checksum") != "SHA1:abc" || h.Get("Last-Modified") != "Tue, 15 Jan 2019 09:42:06 GMT" {
		t.Fatalf("GET of the assembled file: %d, OC-Checksum %q, Last-Modified %q", code, h.Get("OC-Checksum"), h.Get("Last-Modified"))
	}
	props := []byte(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:oc="http://owncloud.org/ns"><d:prop><oc:checksums/><oc:size/></d:prop></d:propfind>`)
	_, _, body = nc(t, n, "PROPFIND", dest, map[string]string{"Depth": "0"}, props)
	if !strings.Contains(string(body), "<oc:checksums><oc:checksum>SHA1:abc</oc:checksum></oc:checksums><oc:size>5242890</oc:size>") {
		t.Fatalf("PROPFIND of the assembled file: %s", body)
	}
}

// TestNextcloudChunkRules: chunks but the last must hold 5 MiB; DELETE
// aborts; folders expire after 24 hours by the test's clock.
func TestNextcloudChunkRules(t *testing.T) {
	t.Parallel()
	var now atomic.Int64
	now.Store(time.Now().UnixNano())
	n := davtest.StartNextcloud(t, davtest.WithClock(func() time.Time { return time.Unix(0, now.Load()) }))
	home := n.BaseURL + "/remote.php/dav/uploads/" + n.UserID + "/"
	withDest := map[string]string{"Destination": n.DAVURL + "f.bin"}
	for _, id := range []string{"small", "aborted", "old"} {
		if code, _, body := nc(t, n, "MKCOL", home+id, withDest, nil); code != http.StatusCreated {
			t.Fatalf("MKCOL %s: %d %s", id, code, body)
		}
	}
	for _, c := range []string{"1", "2"} {
		if code, _, _ := nc(t, n, "PUT", home+"small/"+c, withDest, []byte("tiny")); code != http.StatusCreated {
			t.Fatalf("PUT chunk %s: %d", c, code)
		}
	}
	if code, _, body := nc(t, n, "MOVE", home+"small/.file", withDest, nil); code != http.StatusBadRequest || !strings.Contains(string(body), "5 MiB") {
		t.Fatalf("MOVE with a small first chunk: %d %s", code, body)
	}
	if code, _, _ := nc(t, n, "DELETE", home+"aborted", nil, nil); code != http.StatusNoContent {
		t.Fatalf("DELETE of an upload folder: %d", code)
	}
	if got := n.UploadFolders(); !slices.Equal(got, []string{"old", "small"}) {
		t.Fatalf("UploadFolders = %q", got)
	}
	now.Add(int64(24*time.Hour + time.Second))
	if got := n.UploadFolders(); len(got) != 0 {
		t.Fatalf("UploadFolders after 24 hours = %q", got)
	}
	if code, _, _ := nc(t, n, "PUT", home+"old/1", withDest, []byte("x")); code != http.StatusNotFound {
		t.Fatalf("PUT into an expired folder: %d, want 404", code)
	}
}

// TestNextcloudQuota: quota-available-bytes and 507 for what does not
// fit, by Content-Length or by OC-Total-Length.
func TestNextcloudQuota(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t, davtest.WithQuota(1000))
	n.WriteFile(t, "a.bin", make([]byte, 400))
	props := []byte(`<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:quota-available-bytes/></d:prop></d:propfind>`)
	if _, _, body := nc(t, n, "PROPFIND", n.DAVURL, map[string]string{"Depth": "0"}, props); !strings.Contains(string(body), "<d:quota-available-bytes>600</d:quota-available-bytes>") {
		t.Fatalf("PROPFIND: %s", body)
	}
	if code, _, _ := nc(t, n, "PUT", n.DAVURL+"b.bin", nil, make([]byte, 601)); code != http.StatusInsufficientStorage {
		t.Fatalf("PUT of 601 bytes with 600 free: %d, want 507", code)
	}
	if code, _, _ := nc(t, n, "PUT", n.DAVURL+"a.bin", nil, make([]byte, 1000)); code != http.StatusNoContent {
		t.Fatalf("PUT replacing 400 bytes with 1000: %d, want 204", code)
	}
	up := n.BaseURL + "/remote.php/dav/uploads/" + n.UserID + "/u"
	withDest := map[string]string{"Destination": n.DAVURL + "c.bin", "OC-Total-Length": "1"}
	nc(t, n, "MKCOL", up, withDest, nil)
	if code, _, _ := nc(t, n, "PUT", up+"/1", withDest, []byte("x")); code != http.StatusInsufficientStorage {
		t.Fatalf("chunk of an upload that does not fit: %d, want 507", code)
	}
	if code, _, _ := nc(t, n, "PUT", n.DAVURL+"d.bin", map[string]string{"X-OC-Mtime": "x"}, nil); code != http.StatusBadRequest {
		t.Fatalf("PUT with a bad X-OC-Mtime: %d, want 400", code)
	}
}

// halfwayBarrier holds every request body of a group at its half until
// all of them got there, so that the server must be receiving all the
// bodies at once: a server that took one chunk at a time would leave the
// others waiting, and the barrier gives up after 10 seconds.
type halfwayBarrier struct {
	mu      sync.Mutex
	want    int
	arrived int
	all     chan struct{}
	timeout bool
}

// halfwayBody is one request body of the group.
type halfwayBody struct {
	b      *halfwayBarrier
	data   []byte
	pos    int
	waited bool
}

func (r *halfwayBody) Read(p []byte) (int, error) {
	half := len(r.data) / 2
	if r.pos == half && !r.waited {
		r.waited = true
		r.b.mu.Lock()
		if r.b.arrived++; r.b.arrived == r.b.want {
			close(r.b.all)
		}
		r.b.mu.Unlock()
		select {
		case <-r.b.all:
		case <-time.After(10 * time.Second):
			r.b.mu.Lock()
			r.b.timeout = true
			r.b.mu.Unlock()
		}
	}
	if r.pos >= len(r.data) {
		return 0, io.EOF
	}
	end := len(r.data)
	if r.pos < half {
		end = half
	}
	n := copy(p, r.data[r.pos:end])
	r.pos += n
	return n, nil
}

// TestNextcloudParallelChunks: chunks PUT into one upload folder at once,
// out of order, with a listing of the folder meanwhile, are all stored,
// and the MOVE assembles them by number into the bytes sent.
func TestNextcloudParallelChunks(t *testing.T) {
	t.Parallel()
	n := davtest.StartNextcloud(t)
	folder := n.BaseURL + "/remote.php/dav/uploads/" + n.UserID + "/parallel"
	dest := n.DAVURL + "parallel.bin"
	if code, _, body := nc(t, n, "MKCOL", folder, map[string]string{"Destination": dest}, nil); code != http.StatusCreated {
		t.Fatalf("MKCOL: %d %s", code, body)
	}
	const chunks = 6
	parts := make([][]byte, chunks)
	var whole []byte
	for i := range parts {
		size := 5 << 20
		if i == chunks-1 {
			size = 12345
		}
		parts[i] = bytes.Repeat([]byte{byte('a' + i)}, size)
		whole = append(whole, parts[i]...)
	}
	b := &halfwayBarrier{want: chunks, all: make(chan struct{})}
	// With Expect: 100-continue a body goes only once the server reads it,
	// so it cannot wait in the sockets' buffers meanwhile.
	client := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: time.Minute}}
	defer client.CloseIdleConnections()
	var puts sync.WaitGroup
	codes := make([]int, chunks)
	for i := chunks - 1; i >= 0; i-- { // the last first, as a client may send them
		puts.Go(func() {
			req, err := http.NewRequest(http.MethodPut, fmt.Sprintf("%s/%05d", folder, i+1), &halfwayBody{b: b, data: parts[i]})
			if err != nil {
				t.Error(err)
				return
			}
			req.ContentLength = int64(len(parts[i]))
			req.Header.Set("Destination", dest)
			req.Header.Set("OC-Total-Length", fmt.Sprint(len(whole)))
			req.Header.Set("Expect", "100-continue")
			req.SetBasicAuth(n.LoginName, n.Password)
			resp, err := client.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			resp.Body.Close()
			codes[i] = resp.StatusCode
		})
	}
	putsDone := make(chan struct{})
	go func() {
		puts.Wait()
		close(putsDone)
	}()
	select { // a listing while the chunks come in
	case <-b.all:
		if code, _, body := nc(t, n, "PROPFIND", folder, map[string]string{"Depth": "1"}, nil); code != http.StatusMultiStatus {
			t.Errorf("PROPFIND during the PUTs: %d %s", code, body)
		}
	case <-putsDone: // a PUT failed before its half: reported below
	}
	<-putsDone
	if b.timeout {
		t.Fatal("the server did not receive the chunks at once")
	}
	for i, code := range codes {
		if code != http.StatusCreated {
			t.Fatalf("PUT of chunk %d: %d, want 201", i+1, code)
		}
	}
	code, _, body := nc(t, n, "MOVE", folder+"/.file", map[string]string{"Destination": dest, "OC-Total-Length": fmt.Sprint(len(whole))}, nil)
	if code != http.StatusCreated {
		t.Fatalf("MOVE .file: %d %s", code, body)
	}
	if got := n.ReadFile(t, "parallel.bin"); !bytes.Equal(got, whole) {
		t.Fatalf("the assembled file has %d bytes, not the %d sent in order", len(got), len(whole))
	}
}
