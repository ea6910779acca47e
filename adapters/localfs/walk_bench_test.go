package localfs_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/domain"
)

// BenchmarkWalk walks a library of 20,000 files in 1,000 folders: one
// stat per file, most of an unchanged re-index.
func BenchmarkWalk(b *testing.B) {
	dir := b.TempDir()
	for i := range 20000 {
		p := filepath.Join(dir, fmt.Sprintf("%04d", i/20), fmt.Sprintf("IMG_%06d.JPG", i))
		if i%20 == 0 {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				b.Fatal(err)
			}
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	lib := localfs.NewLibrary(dir)
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if err := lib.Walk(context.Background(), func(domain.FileInfo) error { n++; return nil }); err != nil || n != 20000 {
			b.Fatalf("walk: %d files, %v", n, err)
		}
	}
}
