package bench

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/photosync/photosync/adapters/media"
)

// checkSound fails the test unless the content checker finds every file of
// a generated library sound: a bench whose files photosync holds back as
// broken would time nothing.
func checkSound(t *testing.T, d dataset) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(d.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return err
		}
		n++
		if err := media.NewChecker().Check(context.Background(), p, f, fi.Size()); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		return nil
	})
	if err != nil || n != d.files {
		t.Fatalf("checked %d of %d files: %v", n, d.files, err)
	}
}

func TestGeneratedDataIsSound(t *testing.T) {
	checkSound(t, generate(t, t.TempDir(), 5, 2, 2, 10, 40, 1, 1))
	checkSound(t, generateMany(t, t.TempDir(), 30, 3, 1))
}
