package media_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

// corner names a corner of an image as seen.
type corner string

const (
	tl corner = "top-left"
	tr corner = "top-right"
	bl corner = "bottom-left"
	br corner = "bottom-right"
)

// Where mediatest's corner markers (red stored top-left, blue stored
// top-right) must appear once each EXIF orientation is applied, from the
// EXIF specification's description of the orientations.
var orientationCorners = map[int][2]corner{
	1: {tl, tr}, 2: {tr, tl}, 3: {br, bl}, 4: {bl, br},
	5: {tl, bl}, 6: {tr, br}, 7: {br, tr}, 8: {bl, tl},
}

// markerCorners finds the red and the blue corner of a decoded image.
func markerCorners(t *testing.T, img image.Image) (red, blue corner) {
	t.Helper()
	b := img.Bounds()
	at := map[corner]image.Point{
		tl: {b.Min.X + 2, b.Min.Y + 2}, tr: {b.Max.X - 3, b.Min.Y + 2},
		bl: {b.Min.X + 2, b.Max.Y - 3}, br: {b.Max.X - 3, b.Max.Y - 3},
	}
	for c, p := range at {
		r, g, bb, _ := img.At(p.X, p.Y).RGBA()
		switch {
		case r>>8 > 170 && g>>8 < 90 && bb>>8 < 90:
			red = c
		case bb>>8 > 170 && r>>8 < 90 && g>>8 < 90:
			blue = c
		}
	}
	return red, blue
}

func decodeJPEG(t *testing.T, b []byte) image.Image {
	t.Helper()
	img, err := jpeg.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the result is no JPEG: %v", err)
	}
	return img
}

// library writes files into a fresh library and returns it with its
// Thumbnails.
func library(t *testing.T, files map[string][]byte) (string, string, *media.Thumbnails) {
	t.Helper()
	root, cache := t.TempDir(), t.TempDir()
	for rel, data := range files {
		mediatest.WriteFile(t, root, rel, data)
	}
	return root, cache, media.NewThumbnails(root, cache)
}

func libraryFile(rel string, data []byte) domain.LibraryFile {
	return domain.LibraryFile{Path: rel, Kind: domain.KindOf(rel), Size: int64(len(data)), SHA1: sha1Hex(data)}
}

func TestThumbnailAppliesEveryOrientation(t *testing.T) {
	for o := 1; o <= 8; o++ {
		// 960 pixels to 64 goes through shrink's box average.
		jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 960, Height: 480, Orientation: o, Seed: int64(o)})
		_, _, th := library(t, map[string][]byte{"o.jpg": jpg})
		b, err := th.Thumbnail(context.Background(), libraryFile("o.jpg", jpg), 64)
		if err != nil {
			t.Fatalf("orientation %d: %v", o, err)
		}
		img := decodeJPEG(t, b)
		wantW, wantH := 64, 32
		if o >= 5 {
			wantW, wantH = 32, 64
		}
		if got := img.Bounds().Size(); got != image.Pt(wantW, wantH) {
			t.Errorf("orientation %d: thumbnail %v, want %dx%d", o, got, wantW, wantH)
		}
		red, blue := markerCorners(t, img)
		if want := orientationCorners[o]; red != want[0] || blue != want[1] {
			t.Errorf("orientation %d: red %q and blue %q corners, want %q and %q", o, red, blue, want[0], want[1])
		}
	}
}

func TestThumbnailCache(t *testing.T) {
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 400, Height: 300})
	root, cache, th := library(t, map[string][]byte{"2020/a.jpg": jpg})
	f := libraryFile("2020/a.jpg", jpg)
	first, err := th.Thumbnail(context.Background(), f, 128)
	if err != nil {
		t.Fatal(err)
	}
	cached := filepath.Join(cache, f.SHA1[:2], f.SHA1+"_128.jpg")
	if b, err := os.ReadFile(cached); err != nil || !bytes.Equal(b, first) {
		t.Errorf("cache file %s: %v, same bytes %v", cached, err, bytes.Equal(b, first))
	}
	if err := os.Remove(filepath.Join(root, "2020", "a.jpg")); err != nil {
		t.Fatal(err)
	}
	second, err := th.Thumbnail(context.Background(), f, 128)
	if err != nil || !bytes.Equal(first, second) {
		t.Errorf("second call after the original was removed: %v, same bytes %v", err, bytes.Equal(first, second))
	}
	if _, err := th.Thumbnail(context.Background(), f, 256); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("a new size of a removed original: %v, want ENOTFOUND", err)
	}
	if got := decodeJPEG(t, first).Bounds().Size(); got != image.Pt(128, 96) {
		t.Errorf("thumbnail size %v, want 128x96", got)
	}
}

func TestThumbnailConcurrentRequests(t *testing.T) {
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 800, Height: 600})
	_, cache, th := library(t, map[string][]byte{"a.jpg": jpg})
	f := libraryFile("a.jpg", jpg)
	results := make([][]byte, 6)
	var wg sync.WaitGroup
	for i := range results {
		wg.Go(func() {
			b, err := th.Thumbnail(context.Background(), f, 96)
			if err != nil {
				t.Error(err)
			}
			results[i] = b
		})
	}
	wg.Wait()
	for i, b := range results {
		if len(b) == 0 || !bytes.Equal(b, results[0]) {
			t.Errorf("request %d got %d bytes, different from the first", i, len(b))
		}
	}
	files, _ := filepath.Glob(filepath.Join(cache, f.SHA1[:2], "*"))
	if len(files) != 1 {
		t.Errorf("cache folder holds %v, want one thumbnail and no temporary files", files)
	}
}

func TestThumbnailRejects(t *testing.T) {
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{})
	outside := mediatest.WriteFile(t, t.TempDir(), "secret.jpg", jpg)
	root, _, th := library(t, map[string][]byte{
		"a.jpg": jpg, "cut.jpg": mediatest.Corrupt(t), "raw.dng": mediatest.RAW(t, 1, 2048),
		"clip.mp4": mediatest.Video(t, 1, 4096), "empty.jpg": nil,
	})
	if err := os.Symlink(outside, filepath.Join(root, "link.jpg")); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path string
		size int
		code string
	}{
		{"a.jpg", 0, domain.EINVALID},
		{"a.jpg", 100000, domain.EINVALID},
		{"../a.jpg", 64, domain.EINVALID},
		{"x/../../a.jpg", 64, domain.EINVALID},
		{"/etc/passwd", 64, domain.EINVALID},
		{"./a.jpg", 64, domain.EINVALID},
		{"", 64, domain.EINVALID},
		{"cut.jpg", 64, domain.EINVALID},
		{"raw.dng", 64, domain.EINVALID},
		{"empty.jpg", 64, domain.EINVALID},
		{"gone.jpg", 64, domain.ENOTFOUND},
	}
	for _, tt := range tests {
		_, err := th.Thumbnail(context.Background(), domain.LibraryFile{Path: tt.path}, tt.size)
		if domain.ErrorCode(err) != tt.code {
			t.Errorf("Thumbnail(%q, %d) = %v, want %s", tt.path, tt.size, err, tt.code)
		}
	}
	// A video without ffmpeg gets a drawn poster, not an error.
	if b, err := th.Thumbnail(context.Background(), domain.LibraryFile{Path: "clip.mp4"}, 64); err != nil {
		t.Errorf("Thumbnail(clip.mp4) = %v, want the drawn poster", err)
	} else {
		decodeJPEG(t, b)
	}
	// A symbolic link that leads out of the library is not followed.
	if b, err := th.Thumbnail(context.Background(), domain.LibraryFile{Path: "link.jpg"}, 64); err == nil {
		t.Errorf("Thumbnail of a link out of the library = %d bytes, want an error", len(b))
	}
}

func TestThumbnailOfPNG(t *testing.T) {
	data := mediatest.PNG(t, 900, 600)
	_, _, th := library(t, map[string][]byte{"p.png": data})
	b, err := th.Thumbnail(context.Background(), libraryFile("p.png", data), 90)
	if err != nil {
		t.Fatal(err)
	}
	img := decodeJPEG(t, b)
	if got := img.Bounds().Size(); got != image.Pt(90, 60) {
		t.Errorf("thumbnail %v, want 90x60", got)
	}
	if red, blue := markerCorners(t, img); red != tl || blue != tr {
		t.Errorf("red %q and blue %q corners, want top-left and top-right", red, blue)
	}
}

func TestThumbnailOfTransparentPNGIsWhite(t *testing.T) {
	img := image.NewNRGBA(image.Rect(0, 0, 400, 200)) // all transparent
	img.Set(0, 0, color.NRGBA{R: 255, A: 255})
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	_, _, th := library(t, map[string][]byte{"t.png": buf.Bytes()})
	b, err := th.Thumbnail(context.Background(), libraryFile("t.png", buf.Bytes()), 40)
	if err != nil {
		t.Fatal(err)
	}
	r, g, bb, _ := decodeJPEG(t, b).At(30, 15).RGBA()
	if r>>8 < 240 || g>>8 < 240 || bb>>8 < 240 {
		t.Errorf("transparent pixel became %d,%d,%d, want white", r>>8, g>>8, bb>>8)
	}
}

// BenchmarkThumbnail makes a 256-pixel thumbnail of a 4000×3000 JPEG,
// uncached (the file has no checksum).
func BenchmarkThumbnail(b *testing.B) {
	jpg := mediatest.JPEG(b, mediatest.JPEGOptions{Width: 4000, Height: 3000, Orientation: 6})
	root := b.TempDir()
	mediatest.WriteFile(b, root, "big.jpg", jpg)
	th := media.NewThumbnails(root, b.TempDir())
	b.SetBytes(int64(len(jpg)))
	for b.Loop() {
		if _, err := th.Thumbnail(context.Background(), domain.LibraryFile{Path: "big.jpg"}, 256); err != nil {
			b.Fatal(err)
		}
	}
}
