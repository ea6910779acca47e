package localfs_test

import (
	"context"
	"errors"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/domain"
)

// writeFiles creates files (slash-separated paths) with their content
// under dir, each with a distinct modification time.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, name := range slices.Sorted(maps.Keys(files)) {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(files[name]), 0o644); err != nil {
			t.Fatal(err)
		}
		base = base.Add(time.Minute)
		if err := os.Chtimes(p, base, base); err != nil {
			t.Fatal(err)
		}
	}
}

func walk(t *testing.T, lib *localfs.Library) []domain.FileInfo {
	t.Helper()
	var got []domain.FileInfo
	if err := lib.Walk(context.Background(), func(fi domain.FileInfo) error {
		got = append(got, fi)
		return nil
	}); err != nil {
		t.Fatalf("Walk: %v", err)
	}
	return got
}

func TestWalk(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.jpg": "outside", "sub/x.jpg": "outside"})
	writeFiles(t, dir, map[string]string{
		"IMG_1.JPG": "jpeg", "IMG_1.JPG.xmp": "<x/>", "b/z.dng": "raw", "a/y.mp4": "video!", "a/b/c.heic": "h",
		"notes.txt": "no", "IMG_2.jpg.part": "partial", "IMG_3.jpg~": "backup", ".hidden.jpg": "hidden",
		".thumbs/t.jpg": "thumb", "a/.git/o.jpg": "git", "a/@eaDir.jpg/ok.jpg": "ok", "empty.jpg": "",
	})
	if err := os.Symlink(filepath.Join(outside, "secret.jpg"), filepath.Join(dir, "link.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "sub"), filepath.Join(dir, "linkdir")); err != nil {
		t.Fatal(err)
	}
	got := walk(t, localfs.NewLibrary(dir))
	var paths []string
	for _, fi := range got {
		paths = append(paths, fi.Path)
		st, err := os.Stat(filepath.Join(dir, filepath.FromSlash(fi.Path)))
		if err != nil || fi.Size != st.Size() || !fi.ModTime.Equal(st.ModTime()) {
			t.Errorf("%s: size %d modtime %v; on disk %v", fi.Path, fi.Size, fi.ModTime, st)
		}
	}
	want := []string{"IMG_1.JPG", "IMG_1.JPG.xmp", "a/@eaDir.jpg/ok.jpg", "a/b/c.heic", "a/y.mp4", "b/z.dng", "empty.jpg"}
	if !slices.Equal(paths, want) {
		t.Errorf("Walk: %q\nwant %q", paths, want)
	}
}

func TestWalkThroughLinkedRoot(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"x/IMG_1.jpg": "jpeg"})
	link := filepath.Join(t.TempDir(), "library")
	if err := os.Symlink(dir, link); err != nil {
		t.Fatal(err)
	}
	got := walk(t, localfs.NewLibrary(link))
	if len(got) != 1 || got[0].Path != "x/IMG_1.jpg" || got[0].Size != 4 {
		t.Fatalf("Walk through a linked root: %+v", got)
	}
}

func TestWalkErrors(t *testing.T) {
	ctx := context.Background()
	err := localfs.NewLibrary(filepath.Join(t.TempDir(), "nope")).Walk(ctx, func(domain.FileInfo) error { return nil })
	if domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Walk of a missing root: %v, want ENOTFOUND", err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{"a.jpg": "1", "b.jpg": "2", "c.jpg": "3", "file.jpg": "x"})
	err = localfs.NewLibrary(filepath.Join(dir, "file.jpg")).Walk(ctx, func(domain.FileInfo) error { return nil })
	if domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Walk of a file: %v, want EINVALID", err)
	}

	stop := errors.New("stop")
	var seen int
	err = localfs.NewLibrary(dir).Walk(ctx, func(domain.FileInfo) error { seen++; return stop })
	if !errors.Is(err, stop) || seen != 1 {
		t.Errorf("Walk with fn failing: %v after %d files, want stop after 1", err, seen)
	}

	cctx, cancel := context.WithCancel(ctx)
	seen = 0
	err = localfs.NewLibrary(dir).Walk(cctx, func(domain.FileInfo) error { seen++; cancel(); return nil })
	if !errors.Is(err, context.Canceled) || seen != 1 {
		t.Errorf("Walk cancelled: %v after %d files, want context.Canceled after 1", err, seen)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	outside := t.TempDir()
	writeFiles(t, outside, map[string]string{"secret.jpg": "outside"})
	writeFiles(t, dir, map[string]string{"a/IMG_1.jpg": "0123456789", "b.jpg": "b"})
	if err := os.Symlink(filepath.Join(outside, "secret.jpg"), filepath.Join(dir, "escape.jpg")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../b.jpg", filepath.Join(dir, "a", "inside.jpg")); err != nil {
		t.Fatal(err)
	}
	lib := localfs.NewLibrary(dir)

	f, err := lib.Open(ctx, "a/IMG_1.jpg")
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	if _, err := f.Seek(4, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	rest, err := io.ReadAll(f)
	if err != nil || string(rest) != "456789" {
		t.Errorf("read after seek: %q, %v", rest, err)
	}
	if err := f.Close(); err != nil {
		t.Error(err)
	}
	// A link that stays inside the root may be opened.
	if f, err := lib.Open(ctx, "a/inside.jpg"); err != nil {
		t.Errorf("Open of a link inside the root: %v", err)
	} else {
		f.Close()
	}

	tests := []struct {
		path string
		code string
	}{
		{"missing.jpg", domain.ENOTFOUND},
		{"../" + filepath.Base(outside) + "/secret.jpg", domain.EINVALID},
		{"a/../b.jpg", domain.EINVALID},
		{filepath.Join(dir, "b.jpg"), domain.EINVALID},
		{"/b.jpg", domain.EINVALID},
		{"", domain.EINVALID},
		{".", domain.EINVALID},
		{"a/", domain.EINVALID},
		{`a\IMG_1.jpg`, domain.EINVALID},
		{"a", domain.EINVALID},
		{"escape.jpg", domain.EINVALID},
	}
	for _, tt := range tests {
		f, err := lib.Open(ctx, tt.path)
		if err == nil {
			f.Close()
		}
		if domain.ErrorCode(err) != tt.code {
			t.Errorf("Open(%q): %v (%s), want %s", tt.path, err, domain.ErrorCode(err), tt.code)
		}
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := lib.Open(cctx, "b.jpg"); !errors.Is(err, context.Canceled) {
		t.Errorf("Open with a cancelled context: %v", err)
	}
	if _, err := localfs.NewLibrary(filepath.Join(dir, "nope")).Open(ctx, "b.jpg"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Open in a missing root: %v, want ENOTFOUND", err)
	}
}
