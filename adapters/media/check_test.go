package media_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/image/bmp"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

// sample is a sound file of one kind, as a user's library holds them.
type sample struct {
	name string
	data []byte
}

// samples are sound files of every kind the checker knows, each large
// enough that a zero-filled tail of 64 KiB leaves some of it.
func samples(t testing.TB) []sample {
	t.Helper()
	var gifBuf, bmpBuf bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 600, 400), color.Palette{color.Black, color.White, color.Gray{Y: 128}})
	for i := range pal.Pix {
		pal.Pix[i] = uint8((i*7 + i/600*13 + i*i%11) % 3)
	}
	if err := gif.Encode(&gifBuf, pal, nil); err != nil {
		t.Fatal(err)
	}
	if err := bmp.Encode(&bmpBuf, image.NewRGBA(image.Rect(0, 0, 200, 150))); err != nil {
		t.Fatal(err)
	}
	taken := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	return []sample{
		{"IMG_0001.JPG", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 640, Height: 480, TakenAt: taken, Orientation: 6, Seed: 1})},
		{"screen.png", mediatest.PNG(t, 320, 240)},
		{"anim.gif", gifBuf.Bytes()},
		{"scan.bmp", bmpBuf.Bytes()},
		{"sticker.webp", webpFile(200 << 10)},
		{"clip.mp4", mediatest.StandInMP4(1, 300<<10)},
		{"clip.m4v", mediatest.StandInMP4(2, 300<<10)},
		{"camera.mov", mediatest.StandInMOV(3, 300<<10)},
		{"old.mov", oldQuickTime(300 << 10)},
		{"phone.3gp", mediatest.StandInMP4(4, 300<<10)},
		{"IMG_0002.HEIC", mediatest.StandInHEIC(5, 300<<10)},
		{"photo.avif", avifFile(300 << 10)},
		{"raw.dng", mediatest.StandInDNG(6, 4, 80<<10)},
		{"raw.cr2", mediatest.StandInDNG(7, 1, 300<<10)},
		{"raw.cr3", mediatest.StandInCR3(8, 300<<10)},
		{"raw.raf", rafFile(300 << 10)},
		{"old.avi", aviFile(300 << 10)},
		{"clip.mkv", matroskaFile(300<<10, "matroska")},
		{"clip.webm", matroskaFile(300<<10, "webm")},
	}
}

// randomBytes returns n bytes determined by seed.
func randomBytes(seed int64, n int) []byte {
	return mediatest.Video(nopTB{}, seed, int64(n)+200)[200:]
}

// aviFile is an AVI stand-in: a RIFF AVI chunk holding a movi list of n
// random bytes.
func aviFile(n int) []byte {
	out := []byte("RIFF\x00\x00\x00\x00AVI LIST")
	out = binary.LittleEndian.AppendUint32(out, uint32(n+4))
	out = append(append(out, "movi"...), randomBytes(13, n)...)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

// matroskaFile is a Matroska stand-in: an EBML header of the doc type and
// a Segment of n random bytes, its size in an 8-byte variable integer.
func matroskaFile(n int, docType string) []byte {
	docTypeEl := append([]byte{0x42, 0x82, 0x80 | byte(len(docType))}, docType...)
	out := append([]byte{0x1a, 0x45, 0xdf, 0xa3, 0x80 | byte(len(docTypeEl))}, docTypeEl...)
	out = append(out, 0x18, 0x53, 0x80, 0x67, 0x01)
	out = append(out, binary.BigEndian.AppendUint64(nil, uint64(n))[1:]...)
	return append(out, randomBytes(14, n)...)
}

// webpFile is a WebP stand-in: RIFF, a VP8L chunk of n random bytes.
func webpFile(n int) []byte {
	data := mediatest.Video(nopTB{}, 9, int64(n)+40)[40:] // random bytes
	out := []byte("RIFF\x00\x00\x00\x00WEBPVP8L")
	out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
	out = append(out, data...)
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

// avifFile is an AVIF stand-in: a HEIC's boxes with the avif brand.
func avifFile(n int) []byte {
	heic := mediatest.StandInHEIC(10, n)
	copy(heic[8:12], "avif")
	return heic
}

// oldQuickTime is a QuickTime movie without ftyp: mdat, then moov.
func oldQuickTime(n int) []byte {
	mov := mediatest.StandInMOV(11, n)
	return mov[28:] // past ftyp (20 bytes) and wide (8)
}

// rafFile is a Fujifilm RAF stand-in: the header's preview, CFA header
// and CFA data offsets point to random bytes that fill the file.
func rafFile(n int) []byte {
	out := make([]byte, 160)
	copy(out, "FUJIFILMCCD-RAW 0201FF383501X-T3")
	put := func(at, off, size int) {
		binary.BigEndian.PutUint32(out[at:], uint32(off))
		binary.BigEndian.PutUint32(out[at+4:], uint32(size))
	}
	put(84, 160, n/4)
	put(92, 160+n/4, 64)
	put(100, 160+n/4+64, n-n/4-64)
	return append(out, mediatest.Video(nopTB{}, 12, int64(n)+40)[40:]...)
}

// nopTB lets the testing.TB generators run where no test is (they fail
// only on bad arguments).
type nopTB struct{ testing.TB }

func (nopTB) Helper() {}

// corruption is a way a file gets broken.
type corruption struct {
	name string
	do   func([]byte) []byte
}

var corruptions = []corruption{
	{"truncated at 10%", func(b []byte) []byte { return b[:len(b)/10] }},
	{"truncated at 50%", func(b []byte) []byte { return b[:len(b)/2] }},
	{"truncated at 90%", func(b []byte) []byte { return b[:len(b)*9/10] }},
	{"emptied", func([]byte) []byte { return nil }},
	{"zero-filled tail", func(b []byte) []byte {
		out := bytes.Clone(b)
		clear(out[len(out)-min(64<<10, len(out)/4):])
		return out
	}},
}

// check runs the Checker on data in memory.
func check(name string, data []byte) error {
	return media.NewChecker().Check(context.Background(), name, bytes.NewReader(data), int64(len(data)))
}

func TestCheckAcceptsSoundFiles(t *testing.T) {
	for _, s := range samples(t) {
		if err := check(s.name, s.data); err != nil {
			t.Errorf("Check(%s, %d bytes) = %v, want nil", s.name, len(s.data), err)
		}
		if info := inspect(t, s.name, s.data); info.Problem != "" {
			t.Errorf("Inspect(%s).Problem = %q, want none", s.name, info.Problem)
		}
	}
}

// TestCheckCatchesBrokenFiles proves that every kind, cut at 10, 50 or 90%,
// emptied or with a zero-filled tail, is found broken, by Check and by
// Inspect alike, each read from a file on disk.
func TestCheckCatchesBrokenFiles(t *testing.T) {
	dir := t.TempDir()
	in := media.NewInspector()
	for _, s := range samples(t) {
		for _, c := range corruptions {
			if s.name == "scan.bmp" && c.name == "zero-filled tail" {
				// An uncompressed bitmap's last rows may be black: zeros
				// are pixels there, and this one is black all over.
				if err := check(s.name, c.do(s.data)); err != nil {
					t.Errorf("Check(a black BMP) = %v, want nil", err)
				}
				continue
			}
			data := c.do(s.data)
			p := filepath.Join(dir, s.name)
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
			f, err := os.Open(p)
			if err != nil {
				t.Fatal(err)
			}
			err = media.NewChecker().Check(context.Background(), s.name, f, int64(len(data)))
			info, ierr := in.Inspect(context.Background(), s.name, f, int64(len(data)))
			f.Close()
			if ierr != nil {
				t.Fatalf("Inspect(%s %s): %v", c.name, s.name, ierr)
			}
			if domain.ErrorCode(err) != domain.EINVALID {
				t.Errorf("Check(%s %s) = %v, want EINVALID", c.name, s.name, err)
				continue
			}
			msg := domain.ErrorMessage(err)
			want := domain.ProblemCorrupt + ": " + strings.TrimPrefix(msg, "truncated: ")
			if len(data) == 0 {
				want = domain.ProblemEmpty
			}
			if info.Problem != want {
				t.Errorf("Inspect(%s %s).Problem = %q, want %q (what Check said)", c.name, s.name, info.Problem, want)
			}
			t.Logf("%-14s %-17s %s", s.name, c.name, msg)
		}
	}
}

func TestCheckMessages(t *testing.T) {
	mp4 := mediatest.StandInMP4(1, 3<<20)
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 300, Height: 200})
	png := mediatest.PNG(t, 300, 200)
	flipped := bytes.Clone(png)
	flipped[len(flipped)/2] ^= 0x20
	dng := mediatest.StandInDNG(1, 4, 256<<10)
	zeroTail := bytes.Clone(mp4)
	clear(zeroTail[len(zeroTail)-100<<10:])
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty.jpg", nil, "empty file"},
		{"clip.mp4", mp4[:len(mp4)-1258291], "truncated: the MP4 box 'mdat' runs 1.3 MB past the end of the file"},
		{"clip.mp4", zeroTail, "the last 102.4 kB are zeros"},
		{"clip.mp4", append(bytes.Clone(mp4), 0, 0, 0, 9, 'x'), fmt.Sprintf("truncated: the MP4 ends inside a box header at offset %d", len(mp4))},
		{"a.jpg", jpg[:len(jpg)-2], "truncated: the JPEG ends before its end-of-image marker"},
		{"a.jpg", []byte("this is no picture at all"), "not a JPEG file"},
		{"a.png", flipped, fmt.Sprintf("the PNG chunk IDAT at offset %d is damaged (its checksum does not match)", idatAt(t, png, len(png)/2))},
		{"a.dng", dng[:len(dng)-300<<10], "truncated: the DNG's image data (strip 4 of the directory at offset 216) runs 307.2 kB past the end of the file"},
		{"a.heic", append(mediatest.Box("ftyp", []byte("heic\x00\x00\x00\x00mif1heic")), mediatest.Box("mdat", make([]byte, 9))...), "the HEIC has no 'meta' box (its index of images)"},
		{"a.mov", mediatest.Box("mdat", make([]byte, 10)), "the MOV has no 'moov' box (its index of frames): it was cut short or never finished"},
		{"a.avi", make([]byte, 5000), "the file is all zeros"},
		{"a.3gp", make([]byte, 5000), "not a 3GP file (the file is all zeros)"},
		{"a.mts", make([]byte, 5000), "the file is all zeros"},
		{"a.webm", matroskaFile(1000, "webm")[:900], fmt.Sprintf("truncated: the WebM's Segment runs %d B past the end of the file", len(matroskaFile(1000, "webm"))-900)},
	}
	for _, tt := range tests {
		err := check(tt.name, tt.data)
		if domain.ErrorCode(err) != domain.EINVALID || domain.ErrorMessage(err) != tt.want {
			t.Errorf("Check(%s) = %v, want EINVALID %q", tt.name, err, tt.want)
		}
	}
}

func TestCheckSharedMedia(t *testing.T) {
	dir := sharedDir(t)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	broken := map[string]bool{"empty.jpg": true, "broken-animated-earth.jpg": true} // as its README says
	for _, e := range entries {
		if e.IsDir() || domain.KindOf(e.Name()) == domain.KindNone {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		err = check(e.Name(), data)
		switch {
		case broken[e.Name()] && domain.ErrorCode(err) != domain.EINVALID:
			t.Errorf("Check(%s) = %v, want EINVALID", e.Name(), err)
		case !broken[e.Name()] && err != nil:
			t.Errorf("Check(%s) = %v, want nil", e.Name(), err)
		}
		t.Logf("%-34s %v", e.Name(), err)
	}
}

var errRead = errors.New("bad sector")

// failingAt fails every read that reaches past a position.
type failingAt struct {
	data  []byte
	after int64
}

func (f failingAt) ReadAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > f.after {
		return 0, errRead
	}
	return bytes.NewReader(f.data).ReadAt(p, off)
}

func TestCheckReadErrorsAreNotProblems(t *testing.T) {
	for _, s := range samples(t) {
		err := media.NewChecker().Check(context.Background(), s.name, failingAt{s.data, int64(len(s.data)) / 2}, int64(len(s.data)))
		// A kind whose check reads only headers may not reach the bad
		// sector; one that does must say so.
		if err != nil && (!errors.Is(err, errRead) || domain.ErrorCode(err) == domain.EINVALID) {
			t.Errorf("Check(%s) over a failing disk = %v, want the read error", s.name, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := media.NewChecker().Check(ctx, "a.jpg", bytes.NewReader([]byte{1}), 1); !errors.Is(err, context.Canceled) {
		t.Errorf("Check with a cancelled context = %v", err)
	}
}

// idatAt is the offset of the PNG chunk that holds byte i.
func idatAt(t *testing.T, png []byte, i int) int {
	t.Helper()
	for at := 8; at < len(png); {
		n := int(binary.BigEndian.Uint32(png[at:]))
		if i < at+12+n {
			return at
		}
		at += 12 + n
	}
	t.Fatal("no chunk holds the byte")
	return 0
}

// onlyReadSeeker hides a reader's ReadAt, as a stream from elsewhere may.
type onlyReadSeeker struct{ io.ReadSeeker }

// TestInspectWithoutReaderAt: the TIFF checks read directories at offsets
// while the file is hashed in order; a reader without ReadAt gets both
// right by seeking back and forth.
func TestInspectWithoutReaderAt(t *testing.T) {
	dng := mediatest.StandInDNG(3, 4, 64<<10)
	for _, data := range [][]byte{dng, dng[:len(dng)-1000]} {
		want := inspect(t, "a.dng", data)
		got, err := media.NewInspector().Inspect(context.Background(), "a.dng", onlyReadSeeker{bytes.NewReader(data)}, int64(len(data)))
		if err != nil || got != want {
			t.Errorf("Inspect without ReadAt = %+v, %v; want %+v", got, err, want)
		}
	}
	if p := inspect(t, "a.dng", dng[:len(dng)-1000]).Problem; !strings.HasPrefix(p, domain.ProblemCorrupt) {
		t.Errorf("a cut DNG: problem %q", p)
	}
}
