package bench

import (
	"fmt"
	"io"
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

// generate writes photos JPEGs of minKB to maxKB (uniformly) and videos
// MP4-named files of videoMB each into folders subfolders of dir,
// reproducibly from seed. Each photo is a small real JPEG (so photosync's
// indexer decodes it as a valid image) followed by random bytes after its
// end marker; the random bytes cannot be compressed by anyone.
func generate(t testing.TB, dir string, photos, videos, folders int, minKB, maxKB, videoMB int64, seed uint64) dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x62656e6368))
	tail := rand.NewChaCha8([32]byte{byte(seed), 'b', 'e', 'n', 'c', 'h'})
	d := dataset{dir: dir}
	for i := range photos + videos {
		var head []byte
		var size int64
		name := fmt.Sprintf("IMG_%05d.JPG", i)
		if i < photos {
			head = mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, Seed: int64(i)})
			size = max(int64(len(head)), (minKB+rng.Int64N(maxKB-minKB+1))<<10)
		} else {
			name = fmt.Sprintf("VID_%05d.MP4", i)
			size = videoMB << 20
		}
		rel := filepath.Join(folderName(i, folders), name)
		writeRandom(t, filepath.Join(dir, rel), head, size, tail)
		d.files++
		d.bytes += size
	}
	return d
}

// folderName is the i-th file's folder among n, like a camera's dated
// folders.
func folderName(i, n int) string {
	f := i % n
	return fmt.Sprintf("%04d-%02d-%02d", 2000+f/360, 1+f/30%12, 1+f%30)
}

// writeRandom writes head and then random bytes up to size at p.
func writeRandom(t testing.TB, p string, head []byte, size int64, rng io.Reader) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(head); err != nil {
		t.Fatal(err)
	}
	if _, err := io.CopyN(f, rng, size-int64(len(head))); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// generateMany writes n small photos (one real JPEG, each with a distinct
// tail of a few hundred bytes) into folders subfolders of dir: the shape of
// a library where the count matters, not the bytes.
func generateMany(t testing.TB, dir string, n, folders int, seed uint64) dataset {
	t.Helper()
	head := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, Seed: int64(seed)})
	tail := rand.NewChaCha8([32]byte{byte(seed), 'm', 'a', 'n', 'y'})
	d := dataset{dir: dir}
	made := map[string]bool{}
	buf := make([]byte, len(head)+512)
	copy(buf, head)
	for i := range n {
		folder := filepath.Join(dir, folderName(i, folders))
		if !made[folder] {
			if err := os.MkdirAll(folder, 0o755); err != nil {
				t.Fatal(err)
			}
			made[folder] = true
		}
		tail.Read(buf[len(head):])
		if err := os.WriteFile(filepath.Join(folder, fmt.Sprintf("IMG_%06d.JPG", i)), buf, 0o644); err != nil {
			t.Fatal(err)
		}
		d.files++
		d.bytes += int64(len(buf))
	}
	return d
}

// addFile adds one new photo to a library folder and answers its path.
func addFile(t testing.TB, d dataset, name string) string {
	t.Helper()
	head := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, Seed: 7})
	p := filepath.Join(d.dir, folderName(3, 500), name)
	writeRandom(t, p, head, 300<<10, rand.NewChaCha8([32]byte{'n', 'e', 'w'}))
	return p
}
