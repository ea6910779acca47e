package bench

import (
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
)

// dataset is a generated library: its folder, files and bytes.
type dataset struct {
	dir   string
	files int
	bytes int64
	desc  string // what the files are, for the notes; "" for the tiny kind
}

// generate writes photos JPEGs of minKB to maxKB (uniformly) and videos
// MP4s of videoMB each into folders subfolders of dir, reproducibly from
// seed. Each photo is a small real JPEG followed by random bytes after its
// end marker (valid: data after EOI is allowed); each video an MP4's boxes
// (ftyp, moov, an mdat to the end) around random bytes. The random bytes
// cannot be compressed by anyone. The tiny data set of `make test`.
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
			head = mediatest.MP4Head(size)
		}
		rel := filepath.Join(folderName(i, folders), name)
		writeRandom(t, filepath.Join(dir, rel), head, size, tail)
		d.files++
		d.bytes += size
	}
	return d
}

// cameraSizes are the pictures a camera library's JPEGs are made of: 12,
// 16 and 24 MP.
var cameraSizes = [...][2]int{{4000, 3000}, {4608, 3456}, {6000, 4000}}

// generateCamera writes a library as cameras and phones fill it, into
// folders subfolders of dir, reproducibly from seed: photos files of
// which one in ten is a HEIC stand-in (2-4 MB: its boxes around random
// bytes), one in ten a DNG stand-in (16-24 MB: directories, an
// uncompressed preview and raw strips of random bytes) and the rest
// decodable camera JPEGs of 12 to 24 MP with EXIF (3-9 MB), and videos
// MP4s of videoMB. Encoding a 24 MP JPEG takes seconds, so three are
// encoded once and every photo is one of them with a comment segment of
// its own: another file, with another SHA-1, that decodes the same.
func generateCamera(t testing.TB, dir string, photos, videos, folders int, videoMB int64, seed uint64) dataset {
	t.Helper()
	rng := rand.New(rand.NewPCG(seed, 0x63616d))
	tail := rand.NewChaCha8([32]byte{byte(seed), 'c', 'a', 'm'})
	var jpegs [len(cameraSizes)][]byte
	for k, wh := range cameraSizes {
		b, err := mediatest.CameraJPEG(wh[0], wh[1], int64(seed)+int64(k), time.Date(2023, 7, 1+k, 10, 0, 0, 0, time.UTC))
		if err != nil {
			t.Fatal(err)
		}
		jpegs[k] = b
	}
	d := dataset{dir: dir}
	var counts [4]int
	var sizes [4]int64
	for i := range photos + videos {
		var name string
		var data []byte
		kind := 0
		switch {
		case i >= photos:
			kind, name = 3, fmt.Sprintf("VID_%05d.MP4", i)
			size := videoMB << 20
			writeRandom(t, filepath.Join(dir, folderName(i, folders), name), mediatest.MP4Head(size), size, tail)
			counts[kind]++
			sizes[kind] += size
			d.files++
			d.bytes += size
			continue
		case i%10 == 3:
			kind, name = 1, fmt.Sprintf("IMG_%05d.HEIC", i)
			data = mediatest.StandInHEIC(int64(seed)<<20+int64(i), (2<<20)+rng.IntN(2<<20))
		case i%10 == 7:
			kind, name = 2, fmt.Sprintf("IMG_%05d.DNG", i)
			data = mediatest.StandInDNG(int64(seed)<<20+int64(i), 8, (2<<20)+rng.IntN(1<<20))
		default:
			name = fmt.Sprintf("IMG_%05d.JPG", i)
			data = mediatest.JPEGVariant(jpegs[rng.IntN(len(jpegs))], int64(seed)<<20+int64(i), 1000+rng.IntN(60000))
		}
		mediatest.WriteFile(t, dir, filepath.Join(folderName(i, folders), name), data)
		counts[kind]++
		sizes[kind] += int64(len(data))
		d.files++
		d.bytes += int64(len(data))
	}
	mb := func(k int) float64 { return float64(sizes[k]) / 1e6 }
	d.desc = fmt.Sprintf("%d camera JPEGs of 12-24 MP with EXIF (%.0f MB), %d HEIC stand-ins (%.0f MB), %d DNG stand-ins (%.0f MB) and %d MP4s of %d MB, %.1f MB in %d folders",
		counts[0], mb(0), counts[1], mb(1), counts[2], mb(2), counts[3], videoMB, float64(d.bytes)/1e6, folders)
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
