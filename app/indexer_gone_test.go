package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// TestIndexOfALibraryGone: when the library folder is suddenly empty (an
// unmounted disk's mount point) or missing, while the index had files,
// the index marks nothing deleted and fails with the cause, as a job too;
// once the files are back they are all there. A library emptied of files
// the index already knew as missing is no such case.
func TestIndexOfALibraryGone(t *testing.T) {
	ctx := context.Background()
	mount := t.TempDir()
	lib := filepath.Join(mount, "photos")
	for i, name := range []string{"2024/IMG_1.jpg", "2024/IMG_2.jpg", "IMG_3.jpg"} {
		mediatest.WriteFile(t, lib, name, mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(i + 1)}))
	}
	clock := memory.NewClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	store := memory.NewLibraryStore()
	log := slog.New(slog.DiscardHandler)
	ix := app.NewIndexer(localfs.NewLibrary(lib), store, media.NewInspector(), clock, log)
	if res, err := ix.Index(ctx, nil); err != nil || res.Files != 3 {
		t.Fatalf("first index: %+v, %v", res, err)
	}
	present := func() int {
		t.Helper()
		files, err := store.LibraryFiles(ctx)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range files {
			if !f.Missing {
				n++
			}
		}
		return n
	}

	// The disk is unmounted: its mount point is an empty folder.
	hidden := filepath.Join(mount, "unmounted")
	if err := os.Rename(lib, hidden); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(lib, 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := ix.Index(ctx, nil)
	if domain.ErrorCode(err) != domain.EUNAVAILABLE || !strings.Contains(domain.ErrorMessage(err), "empty, but 3 files were in it") ||
		!strings.Contains(domain.ErrorMessage(err), "Nothing was marked deleted") {
		t.Fatalf("index of an empty library = %v, want EUNAVAILABLE saying so", err)
	}
	if n := present(); n != 3 {
		t.Fatalf("%d files present after the empty index, want 3", n)
	}
	jobs := app.NewJobs(memory.NewJobStore(clock), clock, log)
	defer jobs.Close()
	j, err := app.StartIndex(ctx, jobs, ix)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !j.State.Ended() {
		if time.Now().After(deadline) {
			t.Fatal("the index job did not end")
		}
		time.Sleep(5 * time.Millisecond) // polling interval
		if j, err = jobs.Job(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
	}
	if j.State != domain.JobFailed || !strings.Contains(j.Error, "is its disk mounted?") {
		t.Fatalf("index job of an empty library: %s %q, want failed with the cause", j.State, j.Error)
	}

	// The folder itself is gone.
	if err := os.Remove(lib); err != nil {
		t.Fatal(err)
	}
	if _, err := ix.Index(ctx, nil); domain.ErrorCode(err) != domain.ENOTFOUND || present() != 3 {
		t.Fatalf("index of a missing library = %v, %d present; want ENOTFOUND and 3", err, present())
	}

	// Mounted again: everything is there, nothing was lost.
	if err := os.Rename(hidden, lib); err != nil {
		t.Fatal(err)
	}
	if res, err := ix.Index(ctx, nil); err != nil || res.Files != 3 || res.Missing != 0 || present() != 3 {
		t.Fatalf("index once mounted again: %+v, %v", res, err)
	}

	// Files deleted one by one, then the last: the index follows, and
	// an empty library whose files are known missing indexes fine.
	for _, name := range []string{"2024/IMG_1.jpg", "2024/IMG_2.jpg"} {
		if err := os.Remove(filepath.Join(lib, filepath.FromSlash(name))); err != nil {
			t.Fatal(err)
		}
	}
	if res, err := ix.Index(ctx, nil); err != nil || res.Missing != 2 {
		t.Fatalf("index after two deletions: %+v, %v", res, err)
	}
}
