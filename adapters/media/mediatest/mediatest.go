// Package mediatest generates media files for tests: real JPEGs with real
// EXIF segments, PNGs, and stand-ins for RAW files, videos and XMP
// sidecars. Every generator is deterministic: the same arguments give the
// same bytes.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Marker colours JPEG paints in the corners of the stored image, so that
// a test can tell where they went after orientation.
var (
	TopLeft  = color.RGBA{R: 230, G: 20, B: 20, A: 255} // red
	TopRight = color.RGBA{R: 20, G: 20, B: 230, A: 255} // blue
)

// JPEGOptions describe a generated JPEG.
type JPEGOptions struct {
	Width, Height int // 64×48 when zero
	// TakenAt becomes EXIF DateTimeOriginal, on its own wall clock; a
	// time whose location is not UTC also gets OffsetTimeOriginal.
	TakenAt time.Time
	// Orientation (1-8) becomes the EXIF Orientation tag; 0 writes none.
	Orientation int
	Seed        int64
	// BigEndian writes the EXIF structure in Motorola byte order ("MM",
	// as Apple's cameras do) rather than Intel's ("II").
	BigEndian bool
}

// JPEG returns a JPEG encoded by image/jpeg: a noisy gradient with a red
// block in the stored image's top-left corner and a blue one in its
// top-right corner, each a quarter of the width and height. When TakenAt
// or Orientation is set it has an APP1 Exif segment, built by hand, right
// after SOI: IFD0 with Make, Model and Orientation, pointing to an Exif IFD
// with DateTimeOriginal (and OffsetTimeOriginal).
func JPEG(t testing.TB, opts JPEGOptions) []byte {
	t.Helper()
	w, h := opts.Width, opts.Height
	if w == 0 && h == 0 {
		w, h = 64, 48
	}
	if w <= 0 || h <= 0 || opts.Orientation < 0 || opts.Orientation > 8 {
		t.Fatalf("mediatest.JPEG: bad options %+v", opts)
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, picture(w, h, opts.Seed), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatalf("mediatest.JPEG: %v", err)
	}
	jpg := buf.Bytes()
	if opts.TakenAt.IsZero() && opts.Orientation == 0 {
		return jpg
	}
	var bo byteOrder = binary.LittleEndian
	if opts.BigEndian {
		bo = binary.BigEndian
	}
	payload := append([]byte("Exif\x00\x00"), exifTIFF(bo, opts.TakenAt, opts.Orientation)...)
	seg := append([]byte{0xff, 0xe1}, binary.BigEndian.AppendUint16(nil, uint16(len(payload)+2))...)
	out := append([]byte{}, jpg[:2]...)
	out = append(out, seg...)
	out = append(out, payload...)
	return append(out, jpg[2:]...)
}

// picture is JPEG's image.
func picture(w, h int, seed int64) *image.RGBA {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6d65646961))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			n := uint8(rng.IntN(24))
			img.SetRGBA(x, y, color.RGBA{
				R: uint8(60 + 100*x/w + int(n)),
				G: uint8(90 + 100*y/h + int(n)),
				B: uint8(70 + int(n)),
				A: 255,
			})
		}
	}
	for y := range max(1, h/4) {
		for x := range max(1, w/4) {
			img.SetRGBA(x, y, TopLeft)
			img.SetRGBA(w-1-x, y, TopRight)
		}
	}
	return img
}

// PNG returns a w×h PNG encoded by image/png, with the same picture as
// JPEG's for seed 0.
func PNG(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, picture(w, h, 0)); err != nil {
		t.Fatalf("mediatest.PNG: %v", err)
	}
	return buf.Bytes()
}

// Corrupt returns a 256×192 JPEG cut in the middle of its scan data: no
// decoder can finish it.
func Corrupt(t testing.TB) []byte {
	t.Helper()
	jpg := JPEG(t, JPEGOptions{Width: 256, Height: 192, Seed: 7})
	sos := bytes.Index(jpg, []byte{0xff, 0xda})
	if sos < 0 {
		t.Fatal("mediatest.Corrupt: no scan in the JPEG")
	}
	return jpg[:sos+(len(jpg)-sos)/2]
}

// WriteFile writes data to dir/rel (rel slash-separated), creating the
// folders, and returns the file's path.
func WriteFile(t testing.TB, dir, rel string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}
