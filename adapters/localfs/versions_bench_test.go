package localfs_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
)

// BenchmarkKeep measures keeping a 24 MB file (a RAW photo): the rename,
// the records with their fsyncs, and the SHA-1 of the moved file, which
// is most of it.
func BenchmarkKeep(b *testing.B) {
	ctx := context.Background()
	lib := b.TempDir()
	s := localfs.NewVersionStore(lib, &testClock{now: time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC)})
	data := make([]byte, 24<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		b.StopTimer()
		if err := os.WriteFile(filepath.Join(lib, "IMG_1.CR2"), data, 0o644); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := s.Keep(ctx, "IMG_1.CR2", 0, ""); err != nil {
			b.Fatal(err)
		}
	}
}
