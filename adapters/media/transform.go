package media

import (
	"bytes"
	"image"
	"image/jpeg"

	"golang.org/x/image/draw"
)

// fit scales img down to fit a square of maxSide pixels, keeping its
// aspect ratio; an image that already fits is only copied. The result is
// always a fresh *image.RGBA whose bounds start at (0, 0).
//
// A large reduction first averages blocks of pixels (shrink) down to
// between two and four times the target, then Catmull-Rom does the rest.
// On a 4000×3000 JPEG to 256 pixels that takes about 25 ms where
// Catmull-Rom alone takes about 250 ms (decoding takes about 135 ms), and
// unlike a bilinear first step it does not alias (see BenchmarkThumbnail).
func fit(img image.Image, maxSide int) *image.RGBA {
	b := img.Bounds()
	w, h := fitSize(b.Dx(), b.Dy(), maxSide)
	if w == b.Dx() && h == b.Dy() {
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		draw.Draw(dst, dst.Bounds(), img, b.Min, draw.Src)
		return dst
	}
	src := img
	if k := min(b.Dx()/w, b.Dy()/h) / 2; k >= 2 {
		src = shrink(img, k)
	}
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, src.Bounds(), draw.Src, nil)
	return dst
}

// fitSize is the size of a w×h image scaled down to fit maxSide×maxSide,
// at least one pixel each way.
func fitSize(w, h, maxSide int) (int, int) {
	if w <= maxSide && h <= maxSide {
		return w, h
	}
	if w >= h {
		return maxSide, max(1, int((int64(h)*int64(maxSide)+int64(w)/2)/int64(w)))
	}
	return max(1, int((int64(w)*int64(maxSide)+int64(h)/2)/int64(h))), maxSide
}

// orient turns an image stored with EXIF orientation o (1-8) into the
// image as it is meant to be seen. Orientations 5 to 8 swap width and
// height. Any other o returns src unchanged.
func orient(src *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return src
	}
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for dy := range dh {
		for dx := range dw {
			sx, sy := storedPixel(o, dx, dy, w, h)
			si := src.PixOffset(src.Rect.Min.X+sx, src.Rect.Min.Y+sy)
			di := dy*dst.Stride + dx*4
			copy(dst.Pix[di:di+4], src.Pix[si:si+4])
		}
	}
	return dst
}

// storedPixel maps a pixel (dx, dy) of the image as seen to the pixel of
// the stored w×h image under EXIF orientation o.
func storedPixel(o, dx, dy, w, h int) (int, int) {
	switch o {
	case 2: // mirrored left to right
		return w - 1 - dx, dy
	case 3: // turned 180°
		return w - 1 - dx, h - 1 - dy
	case 4: // mirrored top to bottom
		return dx, h - 1 - dy
	case 5: // mirrored along the top-left diagonal
		return dy, dx
	case 6: // stored turned 90° counter-clockwise: turn clockwise to see
		return dy, h - 1 - dx
	case 7: // mirrored along the top-right diagonal
		return w - 1 - dy, h - 1 - dx
	case 8: // stored turned 90° clockwise: turn counter-clockwise to see
		return w - 1 - dy, dx
	}
	return dx, dy
}

// encodeJPEG encodes img as a baseline JPEG of the given quality.
func encodeJPEG(img image.Image, quality int) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// flatten puts img on a white background in place, since JPEG has no
// transparency: a transparent PNG would otherwise turn black.
func flatten(img *image.RGBA) {
	for i := 0; i+3 < len(img.Pix); i += 4 {
		a := img.Pix[i+3]
		if a == 0xff {
			continue
		}
		// Premultiplied: over white adds (255 - alpha) to each channel.
		add := 0xff - a
		img.Pix[i] += add
		img.Pix[i+1] += add
		img.Pix[i+2] += add
		img.Pix[i+3] = 0xff
	}
}
