package app_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

// TestSyncVerifiesAFolderAtATime: a sync checks the sizes the server
// stored with one listing of each folder it uploaded to, not one request
// per file, and pairs every file it checked.
func TestSyncVerifiesAFolderAtATime(t *testing.T) {
	w := newSyncWorld(t)
	mod := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	for _, dir := range []string{"a", "b", "c"} {
		for i := range 7 {
			w.write(t, fmt.Sprintf("%s/IMG_%d.JPG", dir, i), padded(t, int64(dir[0])*10+int64(i), 100+i), mod)
		}
	}
	var mu sync.Mutex
	lists := map[string]int{}
	w.setFault(func(op, p string) error {
		if op == "list" {
			mu.Lock()
			lists[p]++
			mu.Unlock()
		}
		return nil
	})
	checkRun(t, w.sync(t), 0, 21, 0)
	for _, dir := range []string{"/Photos/a", "/Photos/b", "/Photos/c"} {
		if lists[dir] != 1 {
			t.Errorf("%s listed %d times, want once (lists %v)", dir, lists[dir], lists)
		}
	}
	if got := len(w.files(t, "/Photos")); got != 21 {
		t.Fatalf("the server holds %d files, want 21", got)
	}
	checkRun(t, w.sync(t), 0, 0, 0) // every file was paired: nothing to send again
}

// TestSyncDeletesAFileStoredShort: a file the folder's listing shows
// shorter than what was sent fails, is deleted from the server (a
// truncated file never stays), is not paired, and goes up whole on the
// next run.
func TestSyncDeletesAFileStoredShort(t *testing.T) {
	w := newSyncWorld(t)
	mod := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	w.write(t, "a/x.jpg", padded(t, 1, 4096), mod)
	w.write(t, "a/y.jpg", padded(t, 2, 2048), mod)
	truncated := false
	w.setFault(func(op, p string) error {
		if op == "list" && p == "/Photos/a" && !truncated {
			// The server kept only part of x.jpg.
			truncated = true
			err := w.remote.Upload(context.Background(), "/Photos/a/x.jpg", strings.NewReader("short"), 5, domain.UploadMeta{})
			if err != nil {
				t.Error(err)
			}
		}
		return nil
	})
	run := w.sync(t)
	checkRun(t, run, 0, 1, 1)
	if len(run.Errors) == 0 || !strings.Contains(run.Errors[0].Message, "5 of ") {
		t.Errorf("errors %+v; want the short file's, saying what the server stored", run.Errors)
	}
	if _, ok := w.server.File("/Photos/a/x.jpg"); ok {
		t.Error("the short file was left on the server")
	}
	if data, ok := w.server.File("/Photos/a/y.jpg"); !ok || len(data) < 2048 {
		t.Errorf("y.jpg on the server: %d bytes, %v", len(data), ok)
	}
	checkRun(t, w.sync(t), 0, 1, 0)
	if data, ok := w.server.File("/Photos/a/x.jpg"); !ok || len(data) < 4096 {
		t.Errorf("after the next run, x.jpg on the server: %d bytes, %v", len(data), ok)
	}
}

// padded is a small real JPEG followed by extra bytes after its end.
func padded(t *testing.T, seed int64, extra int) []byte {
	t.Helper()
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 16, Height: 16, Seed: seed})
	return append(jpg, bytes.Repeat([]byte{byte(seed)}, extra)...)
}
