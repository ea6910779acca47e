package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"time"
)

// CameraJPEG returns a w×h JPEG as a camera writes one: a picture with
// smooth gradients and sensor-like noise (about 2.5 bits a pixel at
// quality 92, so 12 MP make 3-5 MB), with an EXIF segment holding the
// date taken (on its own wall clock) and orientation 1. Encoding 12 MP
// takes a second or two: make one and derive others with JPEGVariant.
func CameraJPEG(w, h int, seed int64, takenAt time.Time) ([]byte, error) {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x63616d))
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	fx, fy := 1+rng.IntN(5), 1+rng.IntN(5)
	for y := range h {
		row := img.Y[y*img.YStride : y*img.YStride+w]
		base := 40 + 140*y/h
		for x := range row {
			v := base + (60*x/w)*fx%90 + int(rng.Uint32()%28)
			if (x/(w/fx+1)+y/(h/fy+1))%2 == 0 {
				v += 25
			}
			row[x] = uint8(min(v, 255))
		}
	}
	for y := range (h + 1) / 2 {
		for x := range (w + 1) / 2 {
			i := y*img.CStride + x
			img.Cb[i] = uint8(110 + 30*x/w + int(rng.Uint32()%6))
			img.Cr[i] = uint8(120 + 30*y/h + int(rng.Uint32()%6))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 92}); err != nil {
		return nil, err
	}
	jpg := buf.Bytes()
	payload := append([]byte("Exif\x00\x00"), exifTIFF(binary.LittleEndian, takenAt, 1)...)
	seg := append([]byte{0xff, 0xe1}, binary.BigEndian.AppendUint16(nil, uint16(len(payload)+2))...)
	out := make([]byte, 0, len(jpg)+len(seg)+len(payload))
	out = append(out, jpg[:2]...)
	out = append(append(out, seg...), payload...)
	return append(out, jpg[2:]...), nil
}

// JPEGVariant returns jpg (which starts with SOI) with a comment segment
// of n bytes (at most 65533) determined by seed right after SOI: another
// file, with another SHA-1, that decodes to the same picture.
func JPEGVariant(jpg []byte, seed int64, n int) []byte {
	n = max(1, min(n, 65533))
	out := make([]byte, 0, len(jpg)+4+n)
	out = append(out, jpg[:2]...)
	out = append(out, 0xff, 0xfe)
	out = binary.BigEndian.AppendUint16(out, uint16(n+2))
	com := make([]byte, n)
	randomBytes(seed, com)
	out = append(out, com...)
	return append(out, jpg[2:]...)
}
