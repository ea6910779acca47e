package media_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bep/imagemeta"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/domain"
)

// sharedMedia is the project's folder of real camera files; the tests that
// use it skip where it is absent.
const sharedMedia = "../../../shared/testdata/media"

// sharedDir returns the shared media folder, or skips the test.
func sharedDir(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(sharedMedia)
	if err == nil {
		_, err = os.Stat(dir)
	}
	if err != nil {
		t.Skipf("no shared test media at %s: %v", sharedMedia, err)
	}
	return dir
}

func TestInspectSharedMedia(t *testing.T) {
	dir := sharedDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	in := media.NewInspector()
	got := map[string]domain.MediaInfo{}
	for _, e := range entries {
		if e.IsDir() || domain.KindOf(e.Name()) == domain.KindNone {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		f, err := os.Open(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		info, err := in.Inspect(context.Background(), e.Name(), f, int64(len(data)))
		f.Close()
		if err != nil {
			t.Errorf("Inspect(%s): %v", e.Name(), err)
			continue
		}
		if info.SHA1 != sha1Hex(data) {
			t.Errorf("%s: SHA1 %s, want %s", e.Name(), info.SHA1, sha1Hex(data))
		}
		t.Logf("%-34s taken %-25s orientation %d  %5dx%-5d %q", e.Name(), info.TakenAt.Format(time.RFC3339), info.Orientation, info.Width, info.Height, info.Problem)
		got[e.Name()] = info
	}

	if p := got["empty.jpg"].Problem; p != domain.ProblemEmpty {
		t.Errorf("empty.jpg: Problem %q, want %q", p, domain.ProblemEmpty)
	}
	if p := got["broken-animated-earth.jpg"].Problem; !strings.HasPrefix(p, domain.ProblemCorrupt) {
		t.Errorf("broken-animated-earth.jpg: Problem %q, want %q", p, domain.ProblemCorrupt)
	}
	if at := got["IMG_4120.JPG"].TakenAt; at.Year() < 2018 || at.Year() > 2020 {
		t.Errorf("IMG_4120.JPG: taken %v, want a date around 2019", at)
	}
	if at := got["telegram_2020-01-30_09-57-18.jpg"].TakenAt; !at.IsZero() {
		t.Errorf("telegram_2020-01-30_09-57-18.jpg: taken %v, want no EXIF date", at)
	}
	if heic := got["iphone_7.heic"]; heic.TakenAt.IsZero() || heic.Orientation != 6 {
		t.Errorf("iphone_7.heic: %+v, want its EXIF date and orientation 6", heic)
	}
	if dng := got["canon_eos_6d.dng"]; dng.TakenAt.IsZero() || dng.Width == 0 {
		t.Errorf("canon_eos_6d.dng: %+v, want its EXIF date and size", dng)
	}
	// The sample videos' containers carry no date (mvhd, tkhd and mdhd say
	// 0; no ©day, no QuickTime creation date): their duration and size.
	for name, want := range map[string]domain.MediaInfo{
		"christmas.mp4": {Width: 640, Height: 416, Duration: 810 * time.Millisecond},
		"earth.mov":     {Width: 480, Height: 270, Duration: 30571 * time.Millisecond},
	} {
		v := got[name]
		if !v.TakenAt.IsZero() || v.Width != want.Width || v.Height != want.Height || (v.Duration-want.Duration).Abs() > 10*time.Millisecond {
			t.Errorf("%s: %+v, want no date, %dx%d, %v", name, v, want.Width, want.Height, want.Duration)
		}
	}
	for name, info := range got {
		if name != "empty.jpg" && name != "broken-animated-earth.jpg" && info.Problem != "" {
			t.Errorf("%s: Problem %q, want none", name, info.Problem)
		}
	}
}

func TestResizeSharedMedia(t *testing.T) {
	dir := sharedDir(t)
	in, rs := media.NewInspector(), media.NewResizer()
	for _, name := range []string{"IMG_4120.JPG", "6720px_white.jpg", "dog_created_1919.jpg", "gps-2000.jpg"} {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		orig := inspect(t, name, data)
		out, err := rs.Resize(context.Background(), name, bytes.NewReader(data), 200)
		if err != nil {
			t.Errorf("Resize(%s): %v", name, err)
			continue
		}
		got, err := in.Inspect(context.Background(), name, bytes.NewReader(out), int64(len(out)))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %dx%d %v -> %dx%d %v, %d bytes", name, orig.Width, orig.Height, orig.TakenAt, got.Width, got.Height, got.TakenAt, len(out))
		if !got.TakenAt.Equal(orig.TakenAt) || max(got.Width, got.Height) != 200 || got.Problem != "" {
			t.Errorf("%s resized: %+v, want the date %v kept and 200 pixels on the longer side", name, got, orig.TakenAt)
		}
		// The EXIF kept describes the new image and has no stale thumbnail.
		tags := map[string]any{}
		_, err = imagemeta.Decode(imagemeta.Options{
			R: bytes.NewReader(out), ImageFormat: imagemeta.JPEG, Sources: imagemeta.EXIF,
			ShouldHandleTag: func(imagemeta.TagInfo) bool { return true },
			HandleTag: func(ti imagemeta.TagInfo) error {
				tags[ti.Namespace+"/"+ti.Tag] = ti.Value
				return nil
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		dims := 0
		for k, v := range tags {
			if strings.HasSuffix(k, "/ExifImageWidth") || strings.HasSuffix(k, "/ExifImageHeight") {
				dims++
			}
			switch {
			case strings.HasPrefix(k, "IFD1"):
				t.Errorf("%s resized: thumbnail tag %s kept", name, k)
			case strings.HasSuffix(k, "/ExifImageWidth") && fmt.Sprint(v) != fmt.Sprint(got.Width),
				strings.HasSuffix(k, "/ExifImageHeight") && fmt.Sprint(v) != fmt.Sprint(got.Height):
				t.Errorf("%s resized: %s = %v, want %dx%d", name, k, v, got.Width, got.Height)
			}
		}
		if name == "IMG_4120.JPG" && dims != 2 {
			t.Errorf("%s resized: %d of ExifImageWidth and ExifImageHeight kept, want both", name, dims)
		}
	}
}

func TestThumbnailSharedMedia(t *testing.T) {
	dir := sharedDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	th := media.NewThumbnails(dir, t.TempDir(), media.WithFFmpeg(ffmpegPath(t)))
	seen := 0
	for _, e := range entries {
		kind := domain.KindOf(e.Name())
		if kind == domain.KindNone {
			continue
		}
		// Every real image, RAW file and video gets a JPEG; the empty and
		// the corrupt file and the sidecars do not.
		want := kind != domain.KindSidecar && e.Name() != "empty.jpg" && e.Name() != "broken-animated-earth.jpg"
		start := time.Now()
		b, err := th.Thumbnail(context.Background(), domain.LibraryFile{Path: e.Name(), Kind: kind}, 224)
		switch {
		case want && err != nil:
			t.Errorf("Thumbnail(%s): %v", e.Name(), err)
		case want:
			seen++
			img := decodeJPEG(t, b)
			size := img.Bounds().Size()
			t.Logf("%-34s %4dx%-4d %6d bytes in %v", e.Name(), size.X, size.Y, len(b), time.Since(start).Round(time.Millisecond))
			if max(size.X, size.Y) != 224 && !strings.HasPrefix(e.Name(), "pythagoras") {
				t.Errorf("Thumbnail(%s) is %v, want 224 pixels on the longer side", e.Name(), size)
			}
			// Portrait as taken: the iPhone HEIC is stored landscape with a
			// quarter turn (irot, EXIF orientation 6).
			if e.Name() == "iphone_7.heic" && size.X >= size.Y {
				t.Errorf("Thumbnail(%s) is %v, want it upright (portrait)", e.Name(), size)
			}
		case domain.ErrorCode(err) != domain.EINVALID:
			t.Errorf("Thumbnail(%s) = %d bytes, %v; want EINVALID", e.Name(), len(b), err)
		}
	}
	if seen < 20 {
		t.Errorf("%d thumbnails made, want every real file's", seen)
	}
}

// ffmpegPath is the ffmpeg the tests run: PHOTOSYNC_FFMPEG, else the one
// on PATH; "" when there is none (the tests that need it say so).
func ffmpegPath(t testing.TB) string {
	if p := os.Getenv("PHOTOSYNC_FFMPEG"); p != "" {
		return p
	}
	p, err := exec.LookPath("ffmpeg")
	if err != nil {
		t.Logf("no ffmpeg on PATH: video thumbnails are drawn posters")
		return ""
	}
	return p
}
