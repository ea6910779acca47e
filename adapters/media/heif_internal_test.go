package media

import (
	"bytes"
	"image"
	"os"
	"testing"
)

// TestHEIFOwnThumbnail decodes a HEIC that holds a 160×120 thumbnail of
// its 256×192 photo (made with heif-enc -q 60 -t 160 from
// mediatest.JPEG(256×192, Seed 7)): a small thumbnail is made from it, a
// larger one or a resized copy from the photo.
func TestHEIFOwnThumbnail(t *testing.T) {
	b, err := os.ReadFile("testdata/corners-thumb.heic")
	if err != nil {
		t.Fatal(err)
	}
	hi, err := readHEIFInfo(bytes.NewReader(b), int64(len(b)))
	if err != nil || len(hi.Thumbs) != 1 || hi.Thumbs[0].Width != 160 || hi.Width != 256 {
		t.Fatalf("readHEIFInfo = %+v, %v; want a 256×192 photo with one 160×120 thumbnail", hi, err)
	}
	for _, c := range []struct {
		want int
		size image.Point
	}{{64, image.Pt(160, 120)}, {160, image.Pt(160, 120)}, {161, image.Pt(256, 192)}, {0, image.Pt(256, 192)}} {
		img, o, err := decodeHEIF(formatHEIF, bytes.NewReader(b), 1, c.want, nil)
		if err != nil || img.Bounds().Size() != c.size || o != 1 {
			t.Errorf("decodeHEIF(want %d) = %v, %d, %v; want %v", c.want, img.Bounds(), o, err, c.size)
			continue
		}
		// The red marker in the top-left corner, the blue one top-right.
		r, g, bl, _ := img.At(2, 2).RGBA()
		r2, g2, bl2, _ := img.At(img.Bounds().Dx()-3, 2).RGBA()
		if r>>8 < 170 || g>>8 > 90 || bl>>8 > 90 || bl2>>8 < 170 || r2>>8 > 90 || g2>>8 > 90 {
			t.Errorf("decodeHEIF(want %d): corners %d,%d,%d and %d,%d,%d; want red and blue", c.want, r>>8, g>>8, bl>>8, r2>>8, g2>>8, bl2>>8)
		}
	}
}
