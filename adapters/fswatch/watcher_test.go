package fswatch

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/ports"
)

// collect reads events until want reports it has seen enough or the
// deadline passes.
func collect(t *testing.T, ch <-chan ports.LibraryEvent, want func(ports.LibraryEvent) bool) {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case ev, ok := <-ch:
			if !ok {
				t.Fatal("the watch ended")
			}
			if want(ev) {
				return
			}
		case <-deadline:
			t.Fatal("the expected event never came")
		}
	}
}

func eventOf(kind ports.LibraryEventKind, path string) func(ports.LibraryEvent) bool {
	return func(ev ports.LibraryEvent) bool { return ev.Kind == kind && ev.Path == path }
}

func start(t *testing.T, root string) <-chan ports.LibraryEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	ch, err := New(root).Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return ch
}

func TestWatchSeesFilesAndNewFoldersRecursively(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "2024", "trip"), 0o755); err != nil {
		t.Fatal(err)
	}
	ch := start(t, root)

	// A file in a folder that was there at the start.
	write(t, filepath.Join(root, "2024", "trip", "a.jpg"), "x")
	collect(t, ch, eventOf(ports.LibraryCreated, "2024/trip/a.jpg"))

	// A whole tree moved in at once: its files are reported even if they
	// arrived before the new folders were watched.
	staging := t.TempDir()
	write(t, filepath.Join(staging, "card", "DCIM", "b.jpg"), "y")
	if err := os.Rename(filepath.Join(staging, "card"), filepath.Join(root, "card")); err != nil {
		t.Fatal(err)
	}
	collect(t, ch, eventOf(ports.LibraryCreated, "card/DCIM/b.jpg"))
	// ... and the new folders are watched.
	write(t, filepath.Join(root, "card", "DCIM", "c.jpg"), "z")
	collect(t, ch, eventOf(ports.LibraryCreated, "card/DCIM/c.jpg"))

	// Ignored and hidden things are left out; a later event proves the
	// earlier ones were not sent.
	write(t, filepath.Join(root, "notes.txt"), "n")
	if err := os.Mkdir(filepath.Join(root, ".hidden"), 0o755); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(root, ".hidden", "d.jpg"), "d")
	write(t, filepath.Join(root, "e.jpg"), "e")
	collect(t, ch, func(ev ports.LibraryEvent) bool {
		if ev.Path == "notes.txt" || ev.Path == ".hidden" || ev.Path == ".hidden/d.jpg" {
			t.Fatalf("ignored path reported: %+v", ev)
		}
		return ev.Path == "e.jpg"
	})
}

func TestWatchKeepsWorkingWhenAFolderIsRemovedAndMadeAgain(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "album")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	ch := start(t, root)
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	collect(t, ch, eventOf(ports.LibraryRemoved, "album"))
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	collect(t, ch, eventOf(ports.LibraryCreated, "album"))
	write(t, filepath.Join(dir, "f.jpg"), "f")
	collect(t, ch, eventOf(ports.LibraryCreated, "album/f.jpg"))
}

func TestWatchDoesNotFollowLinksOutOfTheLibrary(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	ch := start(t, root)
	write(t, filepath.Join(outside, "g.jpg"), "g")
	write(t, filepath.Join(root, "h.jpg"), "h")
	collect(t, ch, func(ev ports.LibraryEvent) bool {
		if ev.Path == "link/g.jpg" {
			t.Fatalf("followed a link out of the library: %+v", ev)
		}
		return ev.Path == "h.jpg"
	})
}

// An inotify queue that overflows (the reader is held up while far more
// changes than the queue holds happen) is reported as LibraryOverflow,
// and the watch goes on.
func TestWatchReportsOverflow(t *testing.T) {
	limit := 16384
	if b, err := os.ReadFile("/proc/sys/fs/inotify/max_queued_events"); err == nil {
		fmt.Sscan(string(b), &limit)
	}
	if limit > 100000 {
		t.Fatalf("max_queued_events is %d: too many files to overflow it in a test", limit)
	}
	root := t.TempDir()
	ch := start(t, root)
	// Nobody reads ch while the files are made: the kernel's queue fills.
	for i := 0; i < limit+limit/4; i++ {
		f, err := os.Create(filepath.Join(root, fmt.Sprintf("f%06d.jpg", i)))
		if err != nil {
			t.Fatal(err)
		}
		f.Close()
	}
	collect(t, ch, func(ev ports.LibraryEvent) bool { return ev.Kind == ports.LibraryOverflow && ev.Why != "" })
	write(t, filepath.Join(root, "after.jpg"), "a")
	collect(t, ch, eventOf(ports.LibraryCreated, "after.jpg"))
}

func TestStat(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "a.jpg"), "abc")
	w := New(root)
	fi, err := w.Stat(context.Background(), "a.jpg")
	if err != nil || fi.Size != 3 || fi.ModTime.IsZero() {
		t.Fatalf("Stat = %+v, %v", fi, err)
	}
	if _, err := w.Stat(context.Background(), "../x"); err == nil {
		t.Fatal("a path out of the library was accepted")
	}
	if _, err := w.Stat(context.Background(), "gone.jpg"); err == nil {
		t.Fatal("a missing file was found")
	}
}

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
