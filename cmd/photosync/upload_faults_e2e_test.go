package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// Uploads to servers that fail: full, short-storing, hanging; see
// upload_e2e_test.go for the helpers.

// TestUploadFullServer: a server that answers 507 gives each file a clear
// cause that names the storage.
func TestUploadFullServer(t *testing.T) {
	nc := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				_, _ = io.Copy(io.Discard, r.Body)
				http.Error(w, "Insufficient Storage", http.StatusInsufficientStorage)
				return
			}
			next.ServeHTTP(w, r)
		})
	}))
	e := newUpEnv(t)
	e.write("a/one.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 1}))
	e.write("b/two.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 2}))
	e.index()
	id := e.addAccount(nc.BaseURL, nc.LoginName, nc.Password)
	j, err := e.upload(id, "--all")
	if err == nil {
		t.Fatal("the upload to a full server succeeded")
	}
	checkJob(t, j, "partial", 0, 0, 2)
	for _, fe := range j.Errors {
		if !strings.Contains(fe.Message, "no space") || !strings.Contains(fe.Message, "Insufficient Storage") {
			t.Errorf("%s: %q does not say the server's storage is full", fe.Path, fe.Message)
		}
	}
	if files := remoteFiles(t, filepath.Join(nc.Dir, "Photos")); len(files) != 0 {
		t.Errorf("files on the full server: %v", slices.Sorted(mapKeys(files)))
	}
}

// TestUploadShortServer: a server that stores fewer bytes than it received
// and answers success is caught by the size check.
func TestUploadShortServer(t *testing.T) {
	nc := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPut {
				data, _ := io.ReadAll(r.Body)
				short := data[:len(data)/2]
				r = r.Clone(r.Context())
				r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(short)), int64(len(short))
				r.Header.Set("Content-Length", strconv.Itoa(len(short)))
				r.Header.Del("OC-Checksum")
			}
			next.ServeHTTP(w, r)
		})
	}))
	e := newUpEnv(t)
	data := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 400, Height: 300, Seed: 3})
	e.write("a/short.jpg", data)
	e.index()
	id := e.addAccount(nc.BaseURL, nc.LoginName, nc.Password)
	j, _ := e.upload(id, "--all", "--folder", "/Short")
	checkJob(t, j, "partial", 0, 0, 1)
	if want := fmt.Sprintf("stored %d of %d bytes", len(data)/2, len(data)); !strings.Contains(j.Errors[0].Message, want) {
		t.Errorf("error %q, want one with %q", j.Errors[0].Message, want)
	}
	if files := remoteFiles(t, filepath.Join(nc.Dir, "Short")); len(files) != 0 {
		t.Errorf("the short file was left on the server: %v", slices.Sorted(mapKeys(files)))
	}
}

// TestUploadAPIAndCancel: the API refuses a bad upload at once and answers
// a good one 202 with the queued job; cancelling the job mid-way stops it,
// removes the half-written file from the server and records only the file
// that arrived whole.
func TestUploadAPIAndCancel(t *testing.T) {
	var puts, blocked atomic.Int32
	var firstStored atomic.Bool
	release := make(chan struct{})
	nc := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodPut {
				next.ServeHTTP(w, r)
				return
			}
			if puts.Add(1) == 1 {
				next.ServeHTTP(w, r)
				firstStored.Store(true)
				return
			}
			// Store half the file, as a server that writes what it
			// receives does, take the rest and never answer.
			half, _ := io.ReadAll(io.LimitReader(r.Body, r.ContentLength/2))
			store := r.Clone(r.Context())
			store.Body, store.ContentLength = io.NopCloser(bytes.NewReader(half)), int64(len(half))
			store.Header.Set("Content-Length", strconv.Itoa(len(half)))
			store.Header.Del("OC-Checksum")
			next.ServeHTTP(httptest.NewRecorder(), store)
			_, _ = io.Copy(io.Discard, r.Body)
			blocked.Add(1)
			select {
			case <-r.Context().Done():
			case <-release:
			}
		})
	}))
	t.Cleanup(func() { close(release) }) // before the server stops
	e := newUpEnv(t)
	originals := map[string][]byte{}
	for i := range 6 {
		name := fmt.Sprintf("IMG_%d.jpg", i)
		originals[name] = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 800, Height: 600, Seed: int64(i)})
		e.write("c/"+name, originals[name])
	}
	e.index()
	id := e.addAccount(nc.BaseURL, nc.LoginName, nc.Password)
	// PUTs, which this server holds half-written: small files would go in
	// bulk requests otherwise.
	in := startServe(t, e.env["PHOTOSYNC_DATA"], map[string]string{"PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e", "PHOTOSYNC_LIBRARY": e.library(),
		"PHOTOSYNC_BULK_UPLOAD": "off"})
	in.login("admin-e2e")
	route := fmt.Sprintf("/api/v1/accounts/%d/upload", id)

	for _, bad := range []struct {
		body   map[string]any
		status int
		code   string
	}{
		{map[string]any{"photos": []int64{999999}}, 404, "ENOTFOUND"},
		{map[string]any{"all": true, "size": "fit_1"}, 400, "EINVALID"},
		{map[string]any{"all": true, "colour": "red"}, 400, "EINVALID"},
		{map[string]any{}, 400, "EINVALID"},
	} {
		var ae apiError
		if st := in.call("POST", route, bad.body, &ae); st != bad.status || ae.Error.Code != bad.code {
			t.Errorf("upload %v: %d %+v, want %d %s", bad.body, st, ae, bad.status, bad.code)
		}
	}
	if st := in.call("POST", "/api/v1/accounts/999/upload", map[string]any{"all": true}, nil); st != 404 {
		t.Errorf("upload to a missing account: %d", st)
	}

	var j upJob
	if st := in.call("POST", route, map[string]any{"all": true, "folder": "/Cancel", "include_video": false}, &j); st != 202 || j.ID == 0 || j.State != "queued" {
		t.Fatalf("upload: %d %+v", st, j)
	}
	jobPath := fmt.Sprintf("/api/v1/jobs/%d", j.ID)
	waitJob := func(what string, done func(upJob) bool) {
		t.Helper()
		if !testkit.Poll(30*time.Second, 20*time.Millisecond, func() bool { in.call("GET", jobPath, nil, &j); return done(j) }) {
			t.Fatalf("%s: job %+v", what, j)
		}
	}
	// A sent file is counted once the listing of its folder shows it
	// whole, which waits for the folder's other files: wait for the
	// server's side of it instead.
	// Every PUT after the first must have stored its half before the
	// cancel: a half still being written when photosync deletes it would
	// land after the delete (a race of this server, not of photosync).
	waitJob("one file stored whole and the others half-written", func(upJob) bool {
		return firstStored.Load() && blocked.Load() > 0 && blocked.Load() == puts.Load()-1
	})
	if st := in.call("POST", jobPath+"/cancel", nil, nil); st != 202 {
		t.Fatalf("cancel: %d", st)
	}
	waitJob("cancelled", func(j upJob) bool { return j.State == "cancelled" })
	if j.Uploaded != 1 || j.Failed != 0 || j.FilesDone >= j.FilesTotal {
		t.Errorf("cancelled job %+v, want the one whole file uploaded and the rest not done", j)
	}
	got := remoteFiles(t, filepath.Join(nc.Dir, "Cancel"))
	if len(got) != 1 {
		t.Fatalf("after the cancel the server holds %v, want one whole file", slices.Sorted(mapKeys(got)))
	}
	var whole string
	for name, data := range got {
		whole = name
		if !bytes.Equal(data, originals[name]) {
			t.Errorf("%s on the server is not the original", name)
		}
	}
	in.stop()
	db, err := sqlite.Open(context.Background(), filepath.Join(e.env["PHOTOSYNC_DATA"], "photosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	recs, err := sqlite.NewUploadStore(db).UploadsIn(context.Background(), id, "/Cancel")
	if err != nil || len(recs) != 1 || recs[0].RemotePath != "/Cancel/"+whole || recs[0].Size != int64(len(originals[whole])) {
		t.Fatalf("records %+v, %v; want only /Cancel/%s", recs, err, whole)
	}
}
