package media

import (
	"bytes"
	"os"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
)

// FuzzMediaStructure feeds arbitrary bytes to the readers of file
// structure (ISO base media boxes of videos, HEIF and CR3; TIFF IFDs and
// RAF headers of RAW files): they answer or fail, never panic, loop or
// claim negative sizes. Seeds: the HEIC and AVIF fixtures and generated
// MP4, DNG, CR3 and RAF files.
func FuzzMediaStructure(f *testing.F) {
	for _, name := range []string{"testdata/corners.heic", "testdata/corners.avif"} {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	jpg := mediatest.JPEG(f, mediatest.JPEGOptions{Width: 32, Height: 24})
	f.Add(mediatest.MP4(f, mediatest.MP4Options{Created: time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC), Duration: time.Second, Width: 64, Height: 48,
		AppleCreationDate: "2020-01-02T03:04:05+0100", Day: "2020", Make: "Apple", Model: "iPhone"}))
	f.Add(mediatest.DNG(f, mediatest.DNGOptions{Preview: jpg, Thumb: jpg, Orientation: 6}))
	f.Add(mediatest.CR3(f, jpg))
	f.Add(mediatest.RAF(f, jpg))
	f.Fuzz(func(t *testing.T, b []byte) {
		r, size := bytes.NewReader(b), int64(len(b))
		head := b[:min(len(b), sniffLen)]
		vm, _ := readVideoMeta(r, size)
		if vm.Width < 0 || vm.Height < 0 || vm.Duration < 0 {
			t.Fatalf("video meta %+v", vm)
		}
		if hi, err := readHEIFInfo(r, size); err == nil && (hi.Orientation < 1 || hi.Orientation > 8) {
			t.Fatalf("HEIF orientation %d", hi.Orientation)
		}
		_ = checkTopBoxes(r, size)
		if ps, err := findPreviews(r, size, head); err == nil {
			for _, p := range ps {
				if p.off < 0 || p.n <= 0 || p.off+p.n > size {
					t.Fatalf("preview %+v outside a %d-byte file", p, size)
				}
			}
		}
		_ = readRAWMeta(r, size, "x.raf", head)
		_ = readRAWMeta(r, size, "x.cr3", head)
	})
}

// TestShortVideoBoxes reads boxes too short for what they should hold: a
// handler of 4 bytes, a QuickTime text item of 5. No panic, no date.
func TestShortVideoBoxes(t *testing.T) {
	trak := mediatest.Box("trak", mediatest.Box("mdia", mediatest.Box("hdlr", []byte{0, 0, 0, 0})))
	udta := mediatest.Box("udta", mediatest.Box("\xa9day", []byte{0, 1, 0x15, 0xc7, '2'}))
	file := append(mediatest.Box("ftyp", []byte("isom\x00\x00\x00\x00")), mediatest.Box("moov", trak, udta)...)
	vm, err := readVideoMeta(bytes.NewReader(file), int64(len(file)))
	if err != nil || !vm.TakenAt.IsZero() || vm.Width != 0 {
		t.Errorf("readVideoMeta = %+v, %v; want nothing and no error", vm, err)
	}
}
