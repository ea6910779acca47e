package bench

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/photosync/photosync/adapters/media/mediatest"
)

// dataset is a generated library: its folder, files and bytes.
type dataset struct {
	dir   string
	files int
	bytes int64
}

// generate writes files JPEGs totalling about total bytes into folders
// subfolders of dir, reproducibly from seed. Each file is a small real JPEG
// (so photosync's indexer decodes it as a valid image) followed by random
// bytes after its end marker up to a photo-like size, between 0.2 and 1.8
// times the mean; the random tail cannot be compressed by anyone.
func generate(t testing.TB, dir string, files, folders int, total int64, seed uint64) dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x62656e6368))
	mean := total / int64(files)
	d := dataset{dir: dir, files: files}
	tail := rand.NewChaCha8([32]byte{byte(seed), 'b', 'e', 'n', 'c', 'h'})
	for i := range files {
		head := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, Seed: int64(i)})
		size := max(int64(len(head)), mean/5+rng.Int64N(mean*8/5+1))
		data := make([]byte, size)
		copy(data, head)
		tail.Read(data[len(head):])
		rel := filepath.Join(fmt.Sprintf("%04d-%02d", 2000+i%folders/12, 1+i%folders%12), fmt.Sprintf("IMG_%05d.JPG", i))
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		d.bytes += size
	}
	return d
}
