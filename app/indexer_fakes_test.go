package app_test

// Fakes for the tests of the Indexer and Photos: a library in a map and an
// inspector that hashes with SHA-1 and reads dates from a made-up header.

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// ixLibrary is a library in a map, counting walks and opens.
type ixLibrary struct {
	mu         sync.Mutex
	files      map[string]ixFile
	opens      map[string]int
	walks      int
	onWalk     func() // called at the start of every walk, when set
	unreadable map[string]bool
}

type ixFile struct {
	data string
	mod  time.Time
}

func newIxLibrary() *ixLibrary {
	return &ixLibrary{files: map[string]ixFile{}, opens: map[string]int{}, unreadable: map[string]bool{}}
}

func (l *ixLibrary) put(path, data string, mod time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.files[path] = ixFile{data, mod}
}

func (l *ixLibrary) remove(path string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.files, path)
}

func (l *ixLibrary) Walk(ctx context.Context, fn func(domain.FileInfo) error) error {
	l.mu.Lock()
	l.walks++
	onWalk := l.onWalk
	files := maps.Clone(l.files)
	l.mu.Unlock()
	if onWalk != nil {
		onWalk()
	}
	for _, p := range slices.Sorted(maps.Keys(files)) {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := fn(domain.FileInfo{Path: p, Size: int64(len(files[p].data)), ModTime: files[p].mod}); err != nil {
			return err
		}
	}
	return nil
}

func (l *ixLibrary) Open(ctx context.Context, path string) (io.ReadSeekCloser, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.opens[path]++
	if l.unreadable[path] {
		return nil, &domain.Error{Code: domain.EFORBIDDEN, Message: path + ": permission denied",
			Err: &fs.PathError{Op: "open", Path: "/library/" + path, Err: fs.ErrPermission}}
	}
	f, ok := l.files[path]
	if !ok {
		return nil, domain.Errorf(domain.ENOTFOUND, "%s: no longer exists", path)
	}
	return ixReadCloser{strings.NewReader(f.data)}, nil
}

func (l *ixLibrary) openCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.opens {
		n += c
	}
	return n
}

type ixReadCloser struct{ io.ReadSeeker }

func (ixReadCloser) Close() error { return nil }

// ixInspector hashes with SHA-1, takes "CORRUPT" at the start of a file
// for a corrupt image and "EXIF <RFC 3339 time>;" for its date taken.
type ixInspector struct {
	mu        sync.Mutex
	calls     int
	active    int
	maxActive int
	gate      func(ctx context.Context) // called inside Inspect, when set
}

func (in *ixInspector) Inspect(ctx context.Context, name string, r io.ReadSeeker, size int64) (domain.MediaInfo, error) {
	in.mu.Lock()
	in.calls++
	in.active++
	in.maxActive = max(in.maxActive, in.active)
	gate := in.gate
	in.mu.Unlock()
	defer func() { in.mu.Lock(); in.active--; in.mu.Unlock() }()
	if gate != nil {
		gate(ctx)
	}
	data, err := io.ReadAll(r)
	if err != nil {
		return domain.MediaInfo{}, err
	}
	if int64(len(data)) != size {
		return domain.MediaInfo{}, fmt.Errorf("read %d bytes, expected %d", len(data), size)
	}
	sum := sha1.Sum(data)
	info := domain.MediaInfo{SHA1: hex.EncodeToString(sum[:]), Width: 40, Height: 30, Orientation: 1}
	if bytes.HasPrefix(data, []byte("CORRUPT")) {
		info.Problem = domain.ProblemCorrupt + ": unexpected EOF"
	}
	if rest, ok := bytes.CutPrefix(data, []byte("EXIF ")); ok {
		date, _, _ := bytes.Cut(rest, []byte(";"))
		info.TakenAt, _ = time.Parse(time.RFC3339, string(date))
	}
	return info, nil
}

func (in *ixInspector) callCount() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.calls
}

// ixStore counts SaveIndex calls.
type ixStore struct {
	*memory.LibraryStore
	mu    sync.Mutex
	saves int
	// the paths the last SaveIndex was given, photos' files and loose ones
	lastSaved []string
}

func (s *ixStore) SaveIndex(ctx context.Context, photos []domain.Photo, loose []domain.LibraryFile, missing []string, at time.Time) error {
	s.mu.Lock()
	s.saves++
	s.lastSaved = nil
	for _, p := range photos {
		for _, f := range p.Files {
			s.lastSaved = append(s.lastSaved, f.Path)
		}
	}
	for _, f := range loose {
		s.lastSaved = append(s.lastSaved, f.Path)
	}
	slices.Sort(s.lastSaved)
	s.mu.Unlock()
	return s.LibraryStore.SaveIndex(ctx, photos, loose, missing, at)
}

type indexWorld struct {
	lib     *ixLibrary
	insp    *ixInspector
	store   *ixStore
	clock   *memory.Clock
	indexer *app.Indexer
}

var ixModTime = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

func newIndexWorld(t *testing.T) *indexWorld {
	t.Helper()
	w := &indexWorld{lib: newIxLibrary(), insp: &ixInspector{}, store: &ixStore{LibraryStore: memory.NewLibraryStore()},
		clock: memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))}
	w.indexer = app.NewIndexer(w.lib, w.store, w.insp, w.clock, slog.New(slog.DiscardHandler))
	return w
}

// sample puts a library like the shared test media into w.
func (w *indexWorld) sample() {
	for path, data := range map[string]string{
		"IMG_4120.JPG":                     "EXIF 2019-06-14T10:41:33Z; original",
		"IMG_E4120.JPG":                    "EXIF 2019-06-14T10:41:33Z; edited",
		"canon_eos_6d.dng":                 "EXIF 2016-03-01T08:00:00Z; raw",
		"canon_eos_6d.xmp":                 "<xmp/>",
		"iphone_7.heic":                    "heic",
		"iphone_7.xmp":                     "<xmp/>",
		"christmas.mp4":                    "video",
		"empty.jpg":                        "",
		"broken-animated-earth.jpg":        "CORRUPT jpeg",
		"lost.xmp":                         "<xmp/>",
		"telegram_2020-01-30_09-57-18.jpg": "no exif",
		"locked.jpg":                       "secret",
	} {
		w.lib.put(path, data, ixModTime)
	}
	w.lib.unreadable["locked.jpg"] = true
}

func (w *indexWorld) index(t *testing.T) (domain.IndexResult, *app.Progress) {
	t.Helper()
	p := app.NewProgress(domain.Job{Kind: domain.JobIndex}, nil)
	res, err := w.indexer.Index(context.Background(), p)
	if err != nil {
		t.Fatalf("Index: %v", err)
	}
	return res, p
}

// summary describes the stored photos as "name: path=role ..." lines.
func ixSummary(t *testing.T, s ports.LibraryStore) []string {
	t.Helper()
	photos, _, err := s.Photos(context.Background(), domain.PhotoQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range photos {
		var parts []string
		for _, f := range p.Files {
			parts = append(parts, fmt.Sprintf("%s=%s", f.Path, f.Role))
		}
		out = append(out, p.Name+": "+strings.Join(parts, " "))
	}
	slices.Sort(out)
	return out
}
