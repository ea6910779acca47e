package media_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/domain"
)

// inspect runs Inspect on data in memory.
func inspect(t *testing.T, name string, data []byte) domain.MediaInfo {
	t.Helper()
	info, err := media.NewInspector().Inspect(context.Background(), name, bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("Inspect(%s): %v", name, err)
	}
	if want := sha1Hex(data); info.SHA1 != want {
		t.Errorf("Inspect(%s).SHA1 = %s, want %s", name, info.SHA1, want)
	}
	return info
}

func sha1Hex(b []byte) string {
	sum := sha1.Sum(b)
	return hex.EncodeToString(sum[:])
}

func TestInspectReadsWhatJPEGWrote(t *testing.T) {
	paris := time.FixedZone("CEST", 2*3600)
	tests := []struct {
		name   string
		opts   mediatest.JPEGOptions
		wantAt time.Time
	}{
		{"utc wall clock", mediatest.JPEGOptions{TakenAt: time.Date(2019, 6, 14, 10, 41, 33, 0, time.UTC), Orientation: 1},
			time.Date(2019, 6, 14, 10, 41, 33, 0, time.UTC)},
		{"with offset", mediatest.JPEGOptions{TakenAt: time.Date(2020, 1, 30, 9, 57, 18, 0, paris), Orientation: 6},
			time.Date(2020, 1, 30, 7, 57, 18, 0, time.UTC)},
		{"big endian", mediatest.JPEGOptions{TakenAt: time.Date(1919, 3, 1, 12, 0, 0, 0, time.UTC), Orientation: 8, BigEndian: true},
			time.Date(1919, 3, 1, 12, 0, 0, 0, time.UTC)},
		{"orientation only", mediatest.JPEGOptions{Orientation: 3}, time.Time{}},
		{"no exif", mediatest.JPEGOptions{}, time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Width, tt.opts.Height = 96, 64
			info := inspect(t, "IMG_0001.JPG", mediatest.JPEG(t, tt.opts))
			if !info.TakenAt.Equal(tt.wantAt) || info.TakenAt.Location() != time.UTC {
				t.Errorf("TakenAt = %v, want %v in UTC", info.TakenAt, tt.wantAt)
			}
			if info.Orientation != tt.opts.Orientation {
				t.Errorf("Orientation = %d, want %d", info.Orientation, tt.opts.Orientation)
			}
			if info.Width != 96 || info.Height != 64 {
				t.Errorf("size = %dx%d, want 96x64", info.Width, info.Height)
			}
			if info.Problem != "" {
				t.Errorf("Problem = %q, want none", info.Problem)
			}
		})
	}
}

func TestInspectKinds(t *testing.T) {
	var gifBuf bytes.Buffer
	pal := image.NewPaletted(image.Rect(0, 0, 30, 20), color.Palette{color.Black, color.White})
	if err := gif.Encode(&gifBuf, pal, nil); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		data       []byte
		wantAt     time.Time
		wantW      int
		wantH      int
		wantPrefix string // of Problem; "" for none
	}{
		{"a.png", mediatest.PNG(t, 40, 30), time.Time{}, 40, 30, ""},
		{"a.gif", gifBuf.Bytes(), time.Time{}, 30, 20, ""},
		{"a.dng", mediatest.RAW(t, 5, 4096), mediatest.RAWTakenAt(5), 160, 120, ""},
		{"a.mp4", mediatest.Video(t, 1, 10000), time.Time{}, 0, 0, ""},
		{"a.xmp", mediatest.Sidecar(t, "a"), time.Time{}, 0, 0, ""},
		{"cut.jpg", mediatest.Corrupt(t), time.Time{}, 256, 192, domain.ProblemCorrupt + ": "},
		{"noeoi.jpg", withoutEOI(t), time.Time{}, 64, 48, domain.ProblemCorrupt + ": "},
		{"header.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{})[:20], time.Time{}, 0, 0, domain.ProblemCorrupt + ": "},
		{"cut.png", cut(mediatest.PNG(t, 40, 30), 100), time.Time{}, 0, 0, domain.ProblemCorrupt + ": "},
		{"cut.gif", cut(gifBuf.Bytes(), 1), time.Time{}, 30, 20, domain.ProblemCorrupt + ": the GIF ends before its trailer"},
		{"text.jpg", []byte("this is no picture at all"), time.Time{}, 0, 0, domain.ProblemCorrupt + ": not a JPEG file"},
		{"empty.jpg", nil, time.Time{}, 0, 0, domain.ProblemEmpty},
		{"empty.mov", nil, time.Time{}, 0, 0, domain.ProblemEmpty},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			info := inspect(t, tt.name, tt.data)
			if !info.TakenAt.Equal(tt.wantAt) {
				t.Errorf("TakenAt = %v, want %v", info.TakenAt, tt.wantAt)
			}
			if tt.wantPrefix == "" && info.Problem != "" || !strings.HasPrefix(info.Problem, tt.wantPrefix) {
				t.Errorf("Problem = %q, want it to start with %q", info.Problem, tt.wantPrefix)
			}
			if tt.wantPrefix == "" && (info.Width != tt.wantW || info.Height != tt.wantH) {
				t.Errorf("size = %dx%d, want %dx%d", info.Width, info.Height, tt.wantW, tt.wantH)
			}
			t.Logf("%s: %+v", tt.name, info)
		})
	}
}

// withoutEOI is a whole JPEG but for its final EOI marker.
func withoutEOI(t *testing.T) []byte {
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 3})
	if !bytes.HasSuffix(jpg, []byte{0xff, 0xd9}) {
		t.Fatal("the generated JPEG does not end with EOI")
	}
	return jpg[:len(jpg)-2]
}

func cut(b []byte, n int) []byte { return b[:len(b)-n] }

func TestInspectErrors(t *testing.T) {
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 300, Height: 200})
	in := media.NewInspector()

	if _, err := in.Inspect(context.Background(), "a.jpg", bytes.NewReader(jpg), int64(len(jpg))+1); err == nil {
		t.Error("Inspect with a size larger than the data: no error")
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := in.Inspect(ctx, "a.jpg", bytes.NewReader(jpg), int64(len(jpg))); !errors.Is(err, context.Canceled) {
		t.Errorf("Inspect with a cancelled context = %v, want context.Canceled", err)
	}

	// Cancelling while the file is read stops the reading.
	ctx, cancel = context.WithCancel(context.Background())
	video := mediatest.Video(t, 3, 4<<20)
	cancelling := &cancellingReader{ReadSeeker: bytes.NewReader(video), cancel: cancel, after: 1 << 20}
	if _, err := in.Inspect(ctx, "v.mp4", cancelling, int64(len(video))); !errors.Is(err, context.Canceled) || cancelling.pos > 2<<20 {
		t.Errorf("Inspect cancelled after 1 MiB = %v after reading %d bytes, want context.Canceled soon after", err, cancelling.pos)
	}

	// A read failure mid-file is an error, not a corrupt image.
	failing := &failingReader{ReadSeeker: bytes.NewReader(jpg), after: int64(len(jpg) / 2)}
	info, err := in.Inspect(context.Background(), "a.jpg", failing, int64(len(jpg)))
	if !errors.Is(err, errDisk) {
		t.Errorf("Inspect of a failing reader = %+v, %v; want errDisk", info, err)
	}
}

var errDisk = errors.New("disk on fire")

// failingReader fails every read past a position.
type failingReader struct {
	io.ReadSeeker
	after int64
	pos   int64
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.pos+int64(len(p)) > f.after {
		return 0, errDisk
	}
	n, err := f.ReadSeeker.Read(p)
	f.pos += int64(n)
	return n, err
}

func (f *failingReader) Seek(off int64, whence int) (int64, error) {
	n, err := f.ReadSeeker.Seek(off, whence)
	f.pos = n
	return n, err
}

// cancellingReader cancels a context once it has read a number of bytes.
type cancellingReader struct {
	io.ReadSeeker
	cancel func()
	after  int64
	pos    int64
}

func (c *cancellingReader) Read(p []byte) (int, error) {
	n, err := c.ReadSeeker.Read(p)
	c.pos += int64(n)
	if c.pos >= c.after {
		c.cancel()
	}
	return n, err
}

// bombPNG is a small PNG whose header declares w×h pixels: a decompression
// bomb, or a giant panorama, as far as a header tells.
func bombPNG(w, h uint32) []byte {
	chunk := func(typ string, data []byte) []byte {
		out := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
		out = append(append(out, typ...), data...)
		return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	}
	ihdr := binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, w), h)
	ihdr = append(ihdr, 8, 2, 0, 0, 0) // 8-bit RGB
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, chunk("IHDR", ihdr)...)
	out = append(out, chunk("IDAT", []byte{0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01})...)
	return append(out, chunk("IEND", nil)...)
}

func TestHugeImagesAreNotDecoded(t *testing.T) {
	bomb := bombPNG(20000, 20000)
	info := inspect(t, "panorama.png", bomb)
	if info.Problem != "" || info.Width != 20000 || info.Height != 20000 {
		t.Errorf("Inspect of a 400-megapixel header = %+v, want its size and no problem", info)
	}
	_, _, th := library(t, map[string][]byte{"panorama.png": bomb})
	if _, err := th.Thumbnail(context.Background(), libraryFile("panorama.png", bomb), 64); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Thumbnail of a 400-megapixel header = %v, want EINVALID", err)
	}
	if _, err := media.NewResizer().Resize(context.Background(), "panorama.png", bytes.NewReader(bomb), 64); domain.ErrorCode(err) != domain.EINVALID {
		t.Errorf("Resize of a 400-megapixel header = %v, want EINVALID", err)
	}
	// Just within the limit, the same file is sound in structure (its
	// chunks are whole) and a deep inspection decodes it and finds it short.
	small := bombPNG(1000, 1000)
	if info := inspect(t, "small.png", small); info.Problem != "" {
		t.Errorf("Inspect of a 1-megapixel header without its pixels = %+v, want no problem found without decoding", info)
	}
	info, err := media.NewInspector().InspectDeep(context.Background(), "small.png", bytes.NewReader(small), int64(len(small)))
	if err != nil || !strings.HasPrefix(info.Problem, domain.ProblemCorrupt) {
		t.Errorf("InspectDeep of a 1-megapixel header without its pixels = %+v, %v; want corrupt", info, err)
	}
}
