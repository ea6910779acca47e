package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"image"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

// The HEIC and AVIF fixtures in testdata were made with libheif's heif-enc
// (Debian's libheif-examples, heif-enc -q 80) from mediatest.JPEG(128×96, Seed 7, taken
// 2021-07-04 18:30:05 +02:00, Orientation 1): the red and blue corner
// markers, the EXIF date and orientation carried into the HEIF's Exif item.
// (Not 64 pixels wide: github.com/gen2brain/heic v0.4.5 garbles the
// chroma of images that narrow; photos are never that small.)
var fixtureTaken = time.Date(2021, 7, 4, 16, 30, 5, 0, time.UTC)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// topBoxes splits an ISO base media file into its top-level boxes.
func topBoxes(t *testing.T, b []byte) [][]byte {
	t.Helper()
	var out [][]byte
	for len(b) >= 8 {
		n := int(binary.BigEndian.Uint32(b))
		if n < 8 || n > len(b) {
			t.Fatalf("bad box size %d", n)
		}
		out = append(out, b[:n])
		b = b[n:]
	}
	return out
}

// withTransforms returns a HEIF file whose primary item also has the
// given properties (irot, imir boxes), in order, after its own. The meta
// box is rebuilt at the end of the file and the old one becomes a free
// box, so that the item locations (file offsets) stay right.
func withTransforms(t *testing.T, file []byte, props ...[]byte) []byte {
	t.Helper()
	var out []byte
	var meta []byte
	for _, b := range topBoxes(t, file) {
		if string(b[4:8]) == "meta" {
			meta = b
			b = append(append([]byte{}, b[:4]...), append([]byte("free"), b[8:]...)...)
		}
		out = append(out, b...)
	}
	if meta == nil {
		t.Fatal("no meta box")
	}
	var primary uint32
	var kids [][]byte
	for _, c := range topBoxes(t, meta[12:]) {
		switch string(c[4:8]) {
		case "pitm":
			primary = uint32(binary.BigEndian.Uint16(c[12:]))
		case "iprp":
			var ipco, ipma []byte
			for _, d := range topBoxes(t, c[8:]) {
				switch string(d[4:8]) {
				case "ipco":
					ipco = d
				case "ipma":
					ipma = d
				}
			}
			nprops := len(topBoxes(t, ipco[8:]))
			ipco = mediatest.Box("ipco", append(append([]byte{}, ipco[8:]...), bytes.Join(props, nil)...))
			c = mediatest.Box("iprp", ipco, rebuildIPMA(t, ipma, primary, nprops, len(props)))
		}
		kids = append(kids, c)
	}
	return append(out, mediatest.Box("meta", append([]byte{0, 0, 0, 0}, bytes.Join(kids, nil)...))...)
}

// rebuildIPMA adds the properties nprops+1 .. nprops+n, essential, to the
// item primary's associations.
func rebuildIPMA(t *testing.T, ipma []byte, primary uint32, nprops, n int) []byte {
	t.Helper()
	body := ipma[8:]
	version, flags := body[0], body[3]
	count := int(binary.BigEndian.Uint32(body[4:]))
	out := append([]byte{}, body[:8]...)
	off := 8
	for range count {
		var item uint32
		if version < 1 {
			item = uint32(binary.BigEndian.Uint16(body[off:]))
			out = append(out, body[off:off+2]...)
			off += 2
		} else {
			item = binary.BigEndian.Uint32(body[off:])
			out = append(out, body[off:off+4]...)
			off += 4
		}
		k := int(body[off])
		width := 1
		if flags&1 != 0 {
			width = 2
		}
		assoc := body[off+1 : off+1+k*width]
		off += 1 + k*width
		if item == primary {
			out = append(out, byte(k+n))
			out = append(out, assoc...)
			for i := range n {
				if width == 2 {
					out = binary.BigEndian.AppendUint16(out, 0x8000|uint16(nprops+1+i))
				} else {
					out = append(out, 0x80|byte(nprops+1+i))
				}
			}
			continue
		}
		out = append(out, byte(k))
		out = append(out, assoc...)
	}
	return mediatest.Box("ipma", out)
}

func irot(quarterTurnsCCW byte) []byte { return mediatest.Box("irot", []byte{quarterTurnsCCW}) }
func imir(mode byte) []byte            { return mediatest.Box("imir", []byte{mode}) }

// withEXIFOrientation sets the EXIF Orientation of the fixture (1, in
// Intel byte order) to o in place.
func withEXIFOrientation(t *testing.T, file []byte, o byte) []byte {
	t.Helper()
	entry := []byte{0x12, 0x01, 3, 0, 1, 0, 0, 0, 1, 0}
	i := bytes.Index(file, entry)
	if i < 0 || bytes.Count(file, entry) != 1 {
		t.Fatal("the fixture's EXIF Orientation entry is not found once")
	}
	out := bytes.Clone(file)
	out[i+8] = o
	return out
}

func thumbOf(t *testing.T, name string, data []byte, size int, opts ...media.Option) ([]byte, error) {
	t.Helper()
	root := t.TempDir()
	mediatest.WriteFile(t, root, name, data)
	th := media.NewThumbnails(root, t.TempDir(), opts...)
	return th.Thumbnail(context.Background(), libraryFile(name, data), size)
}

// TestHEIFAndAVIFOrientation decodes the HEIC and AVIF fixtures with each
// transformation HEIF can store (irot, imir and both, in order), with
// EXIF's Orientation alone, and with both (irot wins), and checks where
// the corner markers land.
func TestHEIFAndAVIFOrientation(t *testing.T) {
	cases := []struct {
		name  string
		edit  func(*testing.T, []byte) []byte
		exifO int // the EXIF orientation with the same effect
	}{
		{"none", func(_ *testing.T, b []byte) []byte { return b }, 1},
		{"irot 1", func(t *testing.T, b []byte) []byte { return withTransforms(t, b, irot(1)) }, 8},
		{"irot 2", func(t *testing.T, b []byte) []byte { return withTransforms(t, b, irot(2)) }, 3},
		{"irot 3", func(t *testing.T, b []byte) []byte { return withTransforms(t, b, irot(3)) }, 6},
		{"imir 1 (left-right)", func(t *testing.T, b []byte) []byte { return withTransforms(t, b, imir(1)) }, 2},
		{"imir 0 (top-bottom)", func(t *testing.T, b []byte) []byte { return withTransforms(t, b, imir(0)) }, 4},
		{"irot 1 then imir 0", func(t *testing.T, b []byte) []byte { return withTransforms(t, b, irot(1), imir(0)) }, 5},
		{"irot 3 then imir 0", func(t *testing.T, b []byte) []byte { return withTransforms(t, b, irot(3), imir(0)) }, 7},
		{"EXIF 6 alone", func(t *testing.T, b []byte) []byte { return withEXIFOrientation(t, b, 6) }, 6},
		{"EXIF 6 and irot 2", func(t *testing.T, b []byte) []byte { return withTransforms(t, withEXIFOrientation(t, b, 6), irot(2)) }, 3},
	}
	for _, name := range []string{"corners.heic", "corners.avif"} {
		orig := fixture(t, name)
		for _, c := range cases {
			b, err := thumbOf(t, name, c.edit(t, orig), 256)
			if err != nil {
				t.Errorf("%s, %s: %v", name, c.name, err)
				continue
			}
			img := decodeJPEG(t, b)
			want := orientationCorners[c.exifO]
			red, blue := markerCorners(t, img)
			size := img.Bounds().Size()
			wantSize := image.Pt(128, 96)
			if c.exifO >= 5 {
				wantSize = image.Pt(96, 128)
			}
			if red != want[0] || blue != want[1] || size != wantSize {
				t.Errorf("%s, %s: red %s, blue %s, %v; want red %s, blue %s, %v", name, c.name, red, blue, size, want[0], want[1], wantSize)
			}
		}
	}
}

// TestHEIFResized makes the fit_N copy of a HEIC and an AVIF: a JPEG of
// the size asked for, turned, that keeps the date taken.
func TestHEIFResized(t *testing.T) {
	in, rs := media.NewInspector(), media.NewResizer()
	for _, name := range []string{"corners.heic", "corners.avif"} {
		src := withTransforms(t, fixture(t, name), irot(3))
		out, err := rs.Resize(context.Background(), name, bytes.NewReader(src), 32)
		if err != nil {
			t.Fatalf("Resize(%s): %v", name, err)
		}
		info := inspect(t, "copy.jpg", out)
		if info.Width != 24 || info.Height != 32 || info.Problem != "" {
			t.Errorf("%s resized: %+v, want a sound 24×32 JPEG", name, info)
		}
		if name == "corners.heic" && !info.TakenAt.Equal(fixtureTaken) {
			t.Errorf("%s resized: taken %v, want %v", name, info.TakenAt, fixtureTaken)
		}
		if o := info.Orientation; o != 0 && o != 1 {
			t.Errorf("%s resized: orientation %d, want 1 (pixels turned)", name, o)
		}
		// Already small enough: the original is sent.
		if out, err := rs.Resize(context.Background(), name, bytes.NewReader(src), 128); out != nil || err != nil {
			t.Errorf("Resize(%s, 128) = %d bytes, %v; want nil, nil", name, len(out), err)
		}
		_ = in
	}
}

// TestHEIFLimitsAndDamage checks that a HEIC claiming a huge size is not
// decoded, that a truncated or scrambled one is a problem with its cause,
// and that none of them crashes.
func TestHEIFLimitsAndDamage(t *testing.T) {
	orig := fixture(t, "corners.heic")
	// ispe 128×96 becomes 40000×40000: 1.6 gigapixels.
	ispe := []byte("ispe\x00\x00\x00\x00\x00\x00\x00\x80\x00\x00\x00\x60")
	if !bytes.Contains(orig, ispe) {
		t.Fatal("the fixture's ispe 128×96 is not found")
	}
	bomb := bytes.Replace(orig, ispe, []byte("ispe\x00\x00\x00\x00\x00\x00\x9c\x40\x00\x00\x9c\x40"), 1)
	if _, err := thumbOf(t, "bomb.heic", bomb, 224); domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "too large") {
		t.Errorf("thumbnail of a 40000×40000 HEIC: %v, want EINVALID too large", err)
	}

	truncated := orig[:len(orig)-100]
	if info := inspect(t, "cut.heic", truncated); !strings.HasPrefix(info.Problem, domain.ProblemCorrupt) || !strings.Contains(info.Problem, "truncated") {
		t.Errorf("truncated HEIC: Problem %q, want corrupt: truncated", info.Problem)
	}
	if _, err := thumbOf(t, "cut.heic", truncated, 224); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("thumbnail of a truncated HEIC: %v, want EINVALID", err)
	}
	// Every byte of the meta box flipped in turn: errors, never a panic.
	for i := 28; i < min(len(orig), 600); i += 7 {
		b := bytes.Clone(orig)
		b[i] ^= 0xff
		_, _ = thumbOf(t, "x.heic", b, 64)
		_ = inspect(t, "x.heic", b)
	}
}

// TestDNGPreview builds a DNG with a 64×48 preview in its SubIFD and a
// 16×12 one in IFD0, Orientation 6: the thumbnail is the larger preview,
// turned upright, and the details name the camera, lens and preview.
func TestDNGPreview(t *testing.T) {
	taken := time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)
	dng := mediatest.DNG(t, mediatest.DNGOptions{
		Preview:     mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, Seed: 1}),
		Thumb:       mediatest.JPEG(t, mediatest.JPEGOptions{Width: 16, Height: 12, Seed: 2}),
		Orientation: 6, TakenAt: taken, Make: "Canon", Model: "Canon EOS 6D", Lens: "EF24-105mm f/4L IS USM",
	})
	b, err := thumbOf(t, "IMG_1.DNG", dng, 32)
	if err != nil {
		t.Fatal(err)
	}
	img := decodeJPEG(t, b)
	red, blue := markerCorners(t, img)
	if img.Bounds().Size() != image.Pt(24, 32) || red != tr || blue != br {
		t.Errorf("DNG thumbnail: %v, red %s, blue %s; want 24×32 with red top-right, blue bottom-right", img.Bounds().Size(), red, blue)
	}
	info := inspect(t, "IMG_1.DNG", dng)
	if !info.TakenAt.Equal(taken) || info.Orientation != 6 || info.Problem != "" {
		t.Errorf("Inspect(DNG) = %+v, want taken %v, orientation 6", info, taken)
	}
	d := details(t, "IMG_1.DNG", dng)
	if d.Camera != "Canon EOS 6D" || d.Lens != "EF24-105mm f/4L IS USM" || d.TakenSource != domain.TakenFromEXIF ||
		!d.TakenAt.Equal(taken) || d.DateField != "DateTimeOriginal" || d.Preview != "embedded JPEG 64×48" {
		t.Errorf("Details(DNG) = %+v", d)
	}
	// A DNG with no JPEG in it (the stand-in): no thumbnail, EINVALID.
	if _, err := thumbOf(t, "IMG_2.dng", mediatest.RAW(t, 1, 4000), 224); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("thumbnail of a DNG without a preview: %v, want EINVALID", err)
	}
}

// TestCR3AndRAFPreview checks the previews of Canon's CR3 (PRVW box) and
// Fujifilm's RAF (header).
func TestCR3AndRAFPreview(t *testing.T) {
	rafTaken := time.Date(2023, 3, 4, 5, 6, 7, 0, time.UTC)
	preview := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 64, Height: 48, Orientation: 8, Seed: 3, TakenAt: rafTaken})
	for name, data := range map[string][]byte{"IMG_1.CR3": mediatest.CR3(t, preview), "DSCF1.RAF": mediatest.RAF(t, preview)} {
		b, err := thumbOf(t, name, data, 48)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		img := decodeJPEG(t, b)
		red, blue := markerCorners(t, img)
		// The preview's own EXIF says orientation 8.
		if img.Bounds().Size() != image.Pt(36, 48) || red != bl || blue != tl {
			t.Errorf("%s thumbnail: %v, red %s, blue %s; want 36×48, red bottom-left, blue top-left", name, img.Bounds().Size(), red, blue)
		}
		// The date: CR3's CMT2 box, RAF's preview's EXIF.
		want := rafTaken
		if strings.HasSuffix(name, ".CR3") {
			want = mediatest.CR3Taken
		}
		if info := inspect(t, name, data); !info.TakenAt.Equal(want) || info.Problem != "" {
			t.Errorf("Inspect(%s) = %+v, want taken %v", name, info, want)
		}
		if d := details(t, name, data); strings.HasSuffix(name, ".CR3") && (d.Camera != "Canon EOS R5" || d.TakenSource != domain.TakenFromEXIF) {
			t.Errorf("Details(%s) = %+v, want the camera and date of CMT1 and CMT2", name, d)
		}
		// Cut inside the preview: no thumbnail, and no crash.
		if _, err := thumbOf(t, name, data[:len(data)-len(preview)/2], 48); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("%s cut short: %v, want EINVALID", name, err)
		}
	}
}

// details writes data into a library and reads its details.
func details(t *testing.T, name string, data []byte, opts ...media.Option) domain.MediaDetails {
	t.Helper()
	root := t.TempDir()
	p := mediatest.WriteFile(t, root, name, data)
	mtime := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	if err := os.Chtimes(p, mtime, mtime); err != nil {
		t.Fatal(err)
	}
	d, err := media.NewThumbnails(root, t.TempDir(), opts...).Details(context.Background(), libraryFile(name, data))
	if err != nil {
		t.Fatalf("Details(%s): %v", name, err)
	}
	return d
}

// TestVideoContainerDates checks the date, duration and size read from
// generated MP4 and MOV files: mvhd alone, Apple's creation date with its
// zone over mvhd, ©day, a portrait video, and none.
func TestVideoContainerDates(t *testing.T) {
	mvhd := time.Date(2019, 6, 14, 8, 41, 33, 0, time.UTC)
	cases := []struct {
		name      string
		opts      mediatest.MP4Options
		want      time.Time
		field     string
		w, h      int
		wantNoDay bool
	}{
		{"mvhd.mp4", mediatest.MP4Options{Created: mvhd, Duration: 7500 * time.Millisecond, Width: 1920, Height: 1080}, mvhd, "mvhd", 1920, 1080, false},
		{"apple.mov", mediatest.MP4Options{Brand: "qt  ", Created: mvhd.Add(time.Hour), Duration: 3 * time.Second, Width: 1920, Height: 1080, Rotate90: true,
			AppleCreationDate: "2019-06-14T10:41:33+0200", Make: "Apple", Model: "iPhone 12"}, mvhd, "com.apple.quicktime.creationdate", 1080, 1920, false},
		{"day.m4v", mediatest.MP4Options{Day: "2018-01-02T03:04:05Z", Duration: time.Minute, Width: 640, Height: 480}, time.Date(2018, 1, 2, 3, 4, 5, 0, time.UTC), "©day", 640, 480, false},
		{"none.3gp", mediatest.MP4Options{Brand: "3gp4", Duration: time.Second, Width: 176, Height: 144}, time.Time{}, "", 176, 144, true},
	}
	for _, c := range cases {
		data := mediatest.MP4(t, c.opts)
		info := inspect(t, c.name, data)
		if !info.TakenAt.Equal(c.want) || info.Duration != c.opts.Duration || info.Width != c.w || info.Height != c.h || info.Problem != "" {
			t.Errorf("Inspect(%s) = %+v; want taken %v, %v, %d×%d", c.name, info, c.want, c.opts.Duration, c.w, c.h)
		}
		d := details(t, c.name, data)
		wantSource := domain.TakenFromContainer
		if c.wantNoDay {
			wantSource = domain.TakenFromMTime
		}
		if d.TakenSource != wantSource || d.DateField != c.field || d.Duration != c.opts.Duration || d.Width != c.w {
			t.Errorf("Details(%s) = %+v; want source %s field %q", c.name, d, wantSource, c.field)
		}
		if c.name == "apple.mov" && d.Camera != "Apple iPhone 12" {
			t.Errorf("Details(%s).Camera = %q, want Apple iPhone 12", c.name, d.Camera)
		}
	}
	// Truncated in its mdat: corrupt, with the cause.
	data := mediatest.MP4(t, mediatest.MP4Options{Created: mvhd, Duration: time.Second, Mdat: 1000})
	if info := inspect(t, "cut.mp4", data[:len(data)-10]); !strings.HasPrefix(info.Problem, domain.ProblemCorrupt) || !strings.Contains(info.Problem, "mdat") {
		t.Errorf("truncated MP4: Problem %q, want corrupt naming the mdat box", info.Problem)
	}
}

// TestVideoPoster checks the thumbnail of a video without ffmpeg: a JPEG
// in the video's aspect ratio, dark, with the duration drawn.
func TestVideoPoster(t *testing.T) {
	data := mediatest.MP4(t, mediatest.MP4Options{Duration: 83 * time.Second, Width: 1280, Height: 720})
	b, err := thumbOf(t, "clip.mp4", data, 224)
	if err != nil {
		t.Fatal(err)
	}
	img := decodeJPEG(t, b)
	if img.Bounds().Size() != image.Pt(224, 126) {
		t.Errorf("poster is %v, want 224×126 (16:9)", img.Bounds().Size())
	}
	// The duration label is light text on a dark box in the lower right.
	light := 0
	for y := 126 - 30; y < 126; y++ {
		for x := 224 - 60; x < 224; x++ {
			if r, _, _, _ := img.At(x, y).RGBA(); r>>8 > 200 {
				light++
			}
		}
	}
	if light < 20 {
		t.Errorf("poster has %d light pixels where the duration is written, want the text 1:23", light)
	}
	d := details(t, "clip.mp4", data)
	if d.Preview != "drawn poster" || d.Duration != 83*time.Second {
		t.Errorf("Details(clip.mp4) = %+v", d)
	}
	// A poster is not cached: a frame replaces it once ffmpeg is there.
	_, cache, th := library(t, map[string][]byte{"clip.mp4": data})
	if _, err := th.Thumbnail(context.Background(), libraryFile("clip.mp4", data), 224); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(cache); len(entries) != 0 {
		t.Errorf("the poster was cached: %v", entries)
	}
}

// TestVideoFrameFFmpeg makes a real video with ffmpeg (a red picture)
// and checks that its thumbnail is a frame of it, and that its date comes
// from its container. ffmpeg is installed by .ci/deps (make test).
func TestVideoFrameFFmpeg(t *testing.T) {
	ffmpeg := ffmpegPath(t)
	if ffmpeg == "" {
		t.Fatal("ffmpeg is needed for this test: install it (.ci/deps does) or set PHOTOSYNC_FFMPEG")
	}
	dir := t.TempDir()
	clip := filepath.Join(dir, "red.mp4")
	out, err := exec.Command(ffmpeg, "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "color=c=red:size=160x90:rate=10:duration=2",
		"-c:v", "mpeg4", "-metadata", "creation_time=2020-05-06T07:08:09Z", clip).CombinedOutput()
	if err != nil {
		t.Fatalf("ffmpeg: %v: %s", err, out)
	}
	data, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}
	b, err := thumbOf(t, "red.mp4", data, 64, media.WithFFmpeg(ffmpeg))
	if err != nil {
		t.Fatal(err)
	}
	img := decodeJPEG(t, b)
	size := img.Bounds().Size()
	r, g, bl, _ := img.At(size.X/2, size.Y/2).RGBA()
	if size != image.Pt(64, 36) || r>>8 < 200 || g>>8 > 60 || bl>>8 > 60 {
		t.Errorf("frame is %v with centre %d,%d,%d; want a red 64×36 frame", size, r>>8, g>>8, bl>>8)
	}
	info := inspect(t, "red.mp4", data)
	if want := time.Date(2020, 5, 6, 7, 8, 9, 0, time.UTC); !info.TakenAt.Equal(want) || info.Duration < 1900*time.Millisecond {
		t.Errorf("Inspect(red.mp4) = %+v, want taken %v and a 2 s duration", info, want)
	}
	// ffmpeg that fails (not a video inside): the drawn poster instead.
	fake := mediatest.MP4(t, mediatest.MP4Options{Duration: time.Second, Width: 160, Height: 90})
	if b, err := thumbOf(t, "fake.mp4", fake, 64, media.WithFFmpeg(ffmpeg)); err != nil {
		t.Errorf("thumbnail of a video ffmpeg cannot read: %v, want the poster", err)
	} else if img := decodeJPEG(t, b); img.Bounds().Dx() != 64 {
		t.Errorf("poster is %v", img.Bounds())
	}
}

// TestThumbnailTimeLimit gives a HEIC less time than decoding takes: the
// thumbnail fails at once with the reason, and the next one with time
// enough succeeds.
func TestThumbnailTimeLimit(t *testing.T) {
	data := fixture(t, "corners.heic")
	_, err := thumbOf(t, "slow.heic", data, 64, media.WithTimeout(time.Microsecond))
	if domain.ErrorCode(err) != domain.EINVALID || !strings.Contains(err.Error(), "time limit") {
		t.Errorf("thumbnail within 1µs: %v, want EINVALID over the time limit", err)
	}
	if _, err := thumbOf(t, "slow.heic", data, 64); err != nil {
		t.Errorf("thumbnail with the default limit: %v", err)
	}
}
