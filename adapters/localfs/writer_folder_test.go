package localfs

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/internal/testkit"
)

// fsyncLog watches a Writer's folder fsyncs: what each folder held when
// its fsync started, and which fsyncs ended.
type fsyncLog struct {
	lib string

	mu    sync.Mutex
	syncs []fsyncRecord
	block func(n int) // called at the start of the n-th fsync (from 0), nil for none
}

type fsyncRecord struct {
	dir   string
	names []string // the folder's entries when the fsync started
	ended bool
}

func watchFsyncs(t *testing.T, w *Writer, lib string) *fsyncLog {
	t.Helper()
	l := &fsyncLog{lib: lib}
	w.fsyncDir = func(root *os.Root, dir, key string) error {
		entries, err := os.ReadDir(filepath.Join(lib, filepath.FromSlash(key)))
		if err != nil {
			t.Errorf("read the folder %s: %v", key, err)
		}
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		l.mu.Lock()
		n := len(l.syncs)
		l.syncs = append(l.syncs, fsyncRecord{dir: key, names: names})
		block := l.block
		l.mu.Unlock()
		if block != nil {
			block(n)
		}
		err = fsyncDir(root, dir)
		l.mu.Lock()
		l.syncs[n].ended = true
		l.mu.Unlock()
		return err
	}
	return l
}

// durable reports whether an fsync of dir that started once name was in
// it has ended.
func (l *fsyncLog) durable(dir, name string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, s := range l.syncs {
		if s.ended && s.dir == dir && slices.Contains(s.names, name) {
			return true
		}
	}
	return false
}

func (l *fsyncLog) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.syncs)
}

// users is how many writes wait on the fsyncs of the library folder dir.
func (w *Writer) users(dir string) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if s := w.folders[dir]; s != nil {
		return s.users
	}
	return 0
}

func write(t *testing.T, w *Writer, p string) {
	t.Helper()
	data := []byte("content of " + p)
	if _, err := w.WriteFile(context.Background(), p, bytes.NewReader(data), int64(len(data)), time.Time{}, domain.Checksum{}, false); err != nil {
		t.Errorf("WriteFile(%s): %v", p, err)
	}
}

// TestWritesShareAFolderFsync: writes into a folder whose fsync is
// running wait for it to end, then share one fsync that started after
// all of their renames: the running one may have missed them.
func TestWritesShareAFolderFsync(t *testing.T) {
	lib := t.TempDir()
	w := NewWriter(lib)
	log := watchFsyncs(t, w, lib)
	started, release := make(chan struct{}), make(chan struct{})
	log.block = func(n int) {
		if n == 0 {
			close(started)
			<-release
		}
	}

	var wg sync.WaitGroup
	defer wg.Wait()
	wg.Go(func() { write(t, w, "d/first.jpg") })
	select {
	case <-started:
	case <-time.After(10 * time.Second):
		close(release)
		t.Fatal("the first write did not sync its folder")
	}
	const others = 5
	for i := range others {
		wg.Go(func() { write(t, w, fmt.Sprintf("d/%d.jpg", i)) })
	}
	if !testkit.Poll(10*time.Second, time.Millisecond, func() bool { return w.users("d") == 1+others }) {
		close(release)
		t.Fatalf("%d writes wait on the folder's fsync, want %d", w.users("d"), 1+others)
	}
	close(release)
	wg.Wait()

	if n := log.count(); n != 2 {
		t.Fatalf("%d fsyncs of the folder, want 2: the blocked one and one for the %d writes that waited", n, others)
	}
	for i := range others {
		if name := fmt.Sprintf("%d.jpg", i); !log.durable("d", name) {
			t.Errorf("%s returned before an fsync that saw it ended", name)
		}
	}
	if w.users("d") != 0 || len(w.folders) != 0 {
		t.Errorf("the Writer still holds fsync state: %v", w.folders)
	}
}

// TestWritesAreDurableWhenTheyReturn: many writes into a few folders at
// once; each returns only after an fsync of its folder that started once
// its file had its name has ended.
func TestWritesAreDurableWhenTheyReturn(t *testing.T) {
	lib := t.TempDir()
	w := NewWriter(lib)
	log := watchFsyncs(t, w, lib)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for g := range writers {
		wg.Go(func() {
			for i := range each {
				dir := fmt.Sprintf("f%d", (g+i)%3)
				name := fmt.Sprintf("%d-%d.jpg", g, i)
				write(t, w, dir+"/"+name)
				if !log.durable(dir, name) {
					t.Errorf("%s/%s: WriteFile returned before an fsync that saw it ended", dir, name)
				}
			}
		})
	}
	wg.Wait()
	if n := log.count(); n > writers*each {
		t.Errorf("%d fsyncs for %d writes", n, writers*each)
	}
	t.Logf("%d folder fsyncs for %d writes", log.count(), writers*each)
}

// TestWriteIntoAFolderRemovedBehindItsBack: the Writer keeps nothing
// about a folder it wrote into that a removal could make wrong.
func TestWriteIntoAFolderRemovedBehindItsBack(t *testing.T) {
	lib := t.TempDir()
	w := NewWriter(lib)
	write(t, w, "a/b/1.jpg")
	if err := os.RemoveAll(filepath.Join(lib, "a")); err != nil {
		t.Fatal(err)
	}
	write(t, w, "a/b/2.jpg")
	if _, err := os.Stat(filepath.Join(lib, "a", "b", "2.jpg")); err != nil {
		t.Fatalf("the write after the folder was removed: %v", err)
	}
	if err := os.RemoveAll(filepath.Join(lib, "a")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lib, "a"), []byte("a file"), 0o644); err != nil {
		t.Fatal(err)
	}
	data := []byte("x")
	_, err := w.WriteFile(context.Background(), "a/b/3.jpg", bytes.NewReader(data), 1, time.Time{}, domain.Checksum{}, false)
	if err == nil {
		t.Fatal("a write below a file that replaced its folder worked")
	}
}
