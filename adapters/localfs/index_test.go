package localfs_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/system"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// countingInspector counts the files the real inspector reads.
type countingInspector struct {
	media.Inspector
	calls atomic.Int64
}

func (c *countingInspector) Inspect(ctx context.Context, name string, r io.ReadSeeker, size int64) (domain.MediaInfo, error) {
	c.calls.Add(1)
	return c.Inspector.Inspect(ctx, name, r, size)
}

// TestIndexOnDisk indexes a library on disk into SQLite, end to end: an
// unchanged library is not read again (modification times survive the
// database to the nanosecond), a touched file is read again, a deleted
// one is marked missing.
func TestIndexOnDisk(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	taken := time.Date(2022, 2, 22, 22, 22, 22, 0, time.UTC)
	mediatest.WriteFile(t, dir, "a/IMG_1.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{TakenAt: taken, Orientation: 6}))
	mediatest.WriteFile(t, dir, "a/IMG_1.dng", mediatest.RAW(t, 1, 4096))
	mediatest.WriteFile(t, dir, "a/IMG_1.JPG.xmp", mediatest.Sidecar(t, "IMG_1"))
	mediatest.WriteFile(t, dir, "a/PXL_20210101_101010123.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 5}))
	mediatest.WriteFile(t, dir, "b/clip.mp4", mediatest.Video(t, 3, 10000))
	mediatest.WriteFile(t, dir, "b/.thumbs/x.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{}))
	mediatest.WriteFile(t, dir, "b/broken.jpg", mediatest.Corrupt(t))

	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "photosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store := sqlite.NewLibraryStore(db)
	insp := &countingInspector{}
	ix := app.NewIndexer(localfs.NewLibrary(dir), store, insp, system.Clock{}, slog.New(slog.DiscardHandler))

	res, err := ix.Index(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != 6 || res.Read != 6 || res.Photos != 3 || len(res.Problems) != 1 || insp.calls.Load() != 6 {
		t.Fatalf("first index: %+v, %d inspected", res, insp.calls.Load())
	}
	photos, _, err := store.Photos(ctx, domain.PhotoQuery{Text: "img_1"})
	if err != nil || len(photos) != 1 || len(photos[0].Files) != 3 {
		t.Fatalf("IMG_1: %+v, %v", photos, err)
	}
	if jpg := photos[0].Files[0]; jpg.Role != domain.RolePrimary || !jpg.TakenAt.Equal(taken) || jpg.Orientation != 6 || jpg.SHA1 == "" {
		t.Errorf("IMG_1.JPG: %+v", jpg)
	}
	pxl, _, _ := store.Photos(ctx, domain.PhotoQuery{Text: "pxl"})
	if len(pxl) != 1 || pxl[0].Files[0].TakenSource != domain.TakenFromName ||
		!pxl[0].TakenAt.Equal(time.Date(2021, 1, 1, 10, 10, 10, 0, time.UTC)) {
		t.Errorf("PXL photo: %+v", pxl)
	}

	if res, err = ix.Index(ctx, nil); err != nil || res.Read != 0 || insp.calls.Load() != 6 {
		t.Fatalf("re-index of an unchanged library: %+v, %v, %d inspected in all", res, err, insp.calls.Load())
	}

	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(filepath.Join(dir, "a", "IMG_1.dng"), later, later); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "b", "clip.mp4")); err != nil {
		t.Fatal(err)
	}
	if res, err = ix.Index(ctx, nil); err != nil || res.Read != 1 || res.Missing != 1 || res.Photos != 2 || insp.calls.Load() != 7 {
		t.Fatalf("index after a touch and a delete: %+v, %v, %d inspected in all", res, err, insp.calls.Load())
	}
	files, _ := store.LibraryFiles(ctx)
	for _, f := range files {
		if (f.Path == "b/clip.mp4") != f.Missing {
			t.Errorf("%s: missing %v", f.Path, f.Missing)
		}
	}
}
