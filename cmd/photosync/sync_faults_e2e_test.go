package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/webdav/davtest"
)

// cutWriter passes an answer on until half of its declared length went
// out, then drops the connection: a transfer cut in the middle.
type cutWriter struct {
	http.ResponseWriter
	sent int64
}

func (w *cutWriter) Write(b []byte) (int, error) {
	half, _ := strconv.ParseInt(w.Header().Get("Content-Length"), 10, 64)
	half /= 2
	if w.sent+int64(len(b)) < half {
		w.sent += int64(len(b))
		return w.ResponseWriter.Write(b)
	}
	w.ResponseWriter.Write(b[:half-w.sent])
	http.NewResponseController(w.ResponseWriter).Flush()
	panic(http.ErrAbortHandler) // net/http closes the connection
}

func (w *cutWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TestSyncFailingFilesDoNotStall: against the Nextcloud test server, a
// file that always answers 500, one listed but answering 404 and one whose
// every transfer is cut in the middle fail run after run until the retry
// limit marks them failed, while every other file syncs (one cut once
// included, tried again within its run); no partial or temporary file is
// ever left in the library; a person's retry brings them back.
func TestSyncFailingFilesDoNotStall(t *testing.T) {
	var healed atomic.Bool
	var flaky atomic.Int32
	nc := davtest.StartNextcloud(t, davtest.WithMiddleware(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || healed.Load() {
				next.ServeHTTP(w, r)
				return
			}
			switch path := r.URL.Path; {
			case strings.HasSuffix(path, "/Photos/bad.jpg"):
				http.Error(w, "internal server error", http.StatusInternalServerError)
			case strings.HasSuffix(path, "/Photos/gone.jpg"):
				http.Error(w, "not found", http.StatusNotFound)
			case strings.HasSuffix(path, "/Photos/cut.jpg"),
				strings.HasSuffix(path, "/Photos/flaky.jpg") && flaky.Add(1) == 1:
				next.ServeHTTP(&cutWriter{ResponseWriter: w}, r)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}))
	want := map[string][]byte{}
	for i, name := range []string{"bad", "gone", "cut", "flaky", "good1", "good2", "good3"} {
		data := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 400, Height: 300, Seed: int64(i)})
		nc.WriteFile(t, "Photos/"+name+".jpg", data)
		want["nextcloud/"+name+".jpg"] = data
	}
	e := newUpEnv(t)
	e.write("mine.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 30, Height: 30, Seed: 99}))
	id := e.syncAccount(davSide{url: nc.BaseURL, user: nc.LoginName, pass: nc.Password}, "/Photos", "--retry-limit", "2")
	for run := 1; run <= 2; run++ {
		j, err := e.sync(id)
		if exitCode(err) != 1 || j.State != "partial" || j.Failed != 3 {
			t.Fatalf("run %d: %v, job %+v; want partial with 3 failed", run, err, j)
		}
		if run == 1 && (j.Downloaded != 4 || j.Uploaded != 1) {
			t.Fatalf("run 1 job %+v; want the 4 good files down and mine up", j)
		}
		lib := tree(t, e.library())
		noHidden(t, lib)
		for _, name := range []string{"bad", "gone", "cut"} {
			if _, ok := lib["nextcloud/"+name+".jpg"]; ok {
				t.Fatalf("run %d left %s.jpg in the library", run, name)
			}
		}
		for _, name := range []string{"flaky", "good1", "good2", "good3"} {
			if p := "nextcloud/" + name + ".jpg"; !bytes.Equal(lib[p], want[p]) {
				t.Fatalf("run %d: %s is not whole in the library", run, p)
			}
		}
	}
	out, err := e.cli("", "sync", "failed", "--account", strconv.FormatInt(id, 10), "--json")
	var failed struct {
		Files []struct {
			RemotePath string `json:"remote_path"`
			Attempts   int
			Failed     bool
		}
	}
	if err != nil || json.Unmarshal([]byte(out), &failed) != nil || len(failed.Files) != 3 {
		t.Fatalf("sync failed: %v\n%s", err, out)
	}
	var paths []string
	for _, f := range failed.Files {
		if !f.Failed || f.Attempts != 2 {
			t.Errorf("%+v is not failed after 2 attempts", f)
		}
		paths = append(paths, f.RemotePath)
	}
	slices.Sort(paths)
	if !slices.Equal(paths, []string{"/Photos/bad.jpg", "/Photos/cut.jpg", "/Photos/gone.jpg"}) {
		t.Errorf("failed files %v", paths)
	}
	// Past the limit, a run leaves them be.
	if j, err := e.sync(id); err != nil || j.Failed != 0 || j.Skipped != 3 {
		t.Fatalf("a run past the limit: %v, %+v", err, j)
	}

	healed.Store(true)
	if _, err := e.cli("", "sync", "retry", "--account", strconv.FormatInt(id, 10)); err != nil {
		t.Fatal(err)
	}
	e.mustSync(id, 3, 0)
	lib := tree(t, e.library())
	for p, data := range want {
		if !bytes.Equal(lib[p], data) {
			t.Errorf("%s is not whole in the library", p)
		}
	}
	if len(lib) != len(want)+1 {
		t.Errorf("library %v", slices.Sorted(mapKeys(lib)))
	}
	if remote := tree(t, filepath.Join(nc.Dir, "Photos")); len(remote) != len(want)+1 {
		t.Errorf("server %v: something went back up", slices.Sorted(mapKeys(remote)))
	}
}
