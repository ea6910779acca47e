package localfs_test

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/domain"
)

// TestRemoveTemps: what crashed writes left (hidden .<name>.photosync-<16
// hex>.tmp files) is removed, and nothing else.
func TestRemoveTemps(t *testing.T) {
	ctx := context.Background()
	lib, outside := t.TempDir(), t.TempDir()
	temps := map[string]string{
		"nextcloud/.IMG_1.jpg.photosync-0123456789abcdef.tmp":       "partial",
		"nextcloud/2024/.IMG_2.dng.photosync-fedcba9876543210.tmp":  "partial",
		"nextcloud/2024/05/.a b.mp4.photosync-00000000aaaaaaaa.tmp": "partial",
		"other/.IMG_3.jpg.photosync-1111111111111111.tmp":           "partial",
		"nextcloud/.hidden/.x.jpg.photosync-2222222222222222.tmp":   "partial",
	}
	kept := map[string]string{
		"nextcloud/IMG_1.jpg":                                        "photo",
		"nextcloud/.IMG_1.jpg.photosync-0123.tmp":                    "too short to be ours",
		"nextcloud/.IMG_1.jpg.photosync-0123456789abcdeg.tmp":        "not hex",
		"nextcloud/IMG_1.jpg.photosync-0123456789abcdef.tmp":         "not hidden",
		"nextcloud/.photosync-0123456789abcdef.tmp":                  "no name",
		"nextcloud/a.tmp":                                            "someone else's",
		"nextcloud/.hidden.jpg":                                      "hidden",
		"nextcloud/2024/.IMG_2.dng.photosync-fedcba9876543210.tmp.x": "another suffix",
	}
	writeFiles(t, lib, temps)
	writeFiles(t, lib, kept)
	writeFiles(t, outside, map[string]string{".secret.jpg.photosync-3333333333333333.tmp": "outside"})
	if err := os.Symlink(outside, filepath.Join(lib, "nextcloud", "out")); err != nil {
		t.Fatal(err)
	}
	w := localfs.NewWriter(lib)

	n, err := w.RemoveTemps(ctx, "other")
	if err != nil || n != 1 {
		t.Fatalf("RemoveTemps(other) = %d, %v; want 1", n, err)
	}
	n, err = w.RemoveTemps(ctx, "nextcloud")
	if err != nil || n != 4 {
		t.Fatalf("RemoveTemps(nextcloud) = %d, %v; want 4", n, err)
	}
	for name := range kept {
		if _, err := os.Stat(filepath.Join(lib, filepath.FromSlash(name))); err != nil {
			t.Errorf("%s was removed: %v", name, err)
		}
	}
	for name := range temps {
		if _, err := os.Lstat(filepath.Join(lib, filepath.FromSlash(name))); !os.IsNotExist(err) {
			t.Errorf("%s is still there after RemoveTemps (%v)", name, err)
		}
	}
	checkOnly(t, outside, ".secret.jpg.photosync-3333333333333333.tmp")

	for _, dir := range []string{"", ".", "missing"} {
		if n, err := w.RemoveTemps(ctx, dir); err != nil || n != 0 {
			t.Errorf("RemoveTemps(%q) on a clean library = %d, %v; want 0", dir, n, err)
		}
	}
	if _, err := w.RemoveTemps(ctx, "../x"); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("RemoveTemps(../x) = %v, want EINVALID", err)
	}
}

// TestRemoveTempsSparesWritesInProgress: a write of this Writer that is
// still receiving keeps its temporary file.
func TestRemoveTempsSparesWritesInProgress(t *testing.T) {
	ctx := context.Background()
	lib := t.TempDir()
	w := localfs.NewWriter(lib)
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, err := w.WriteFile(ctx, "a/IMG_1.jpg", pr, 6, time.Time{}, "", false)
		done <- err
	}()
	if _, err := pw.Write([]byte("abc")); err != nil {
		t.Fatal(err)
	}
	// The temporary file exists once the first bytes were taken.
	deadline := time.Now().Add(10 * time.Second)
	for len(libraryFiles(t, lib)) == 0 {
		if time.Now().After(deadline) {
			t.Fatal("no temporary file appeared")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if n, err := w.RemoveTemps(ctx, "."); err != nil || n != 0 {
		t.Fatalf("RemoveTemps during a write = %d, %v; want 0", n, err)
	}
	if _, err := pw.Write([]byte("def")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
	checkContent(t, filepath.Join(lib, "a", "IMG_1.jpg"), []byte("abcdef"))
	checkOnly(t, lib, "a/IMG_1.jpg")
}
