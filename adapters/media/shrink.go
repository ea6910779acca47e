package media

import (
	"image"
	"image/color"

	"golang.org/x/image/draw"
)

// shrink reduces img by an integer factor k, each pixel of the result the
// plain average of a k×k block (the blocks at the right and bottom edges
// may be smaller). A box average cannot alias, so the filter that follows
// it does not need to look at the whole source: this is what makes
// thumbnails of large photos cheap. JPEGs (*image.YCbCr) and *image.RGBA
// are read directly; other images are converted to RGBA first.
func shrink(img image.Image, k int) *image.RGBA {
	b := img.Bounds()
	w, h := (b.Dx()+k-1)/k, (b.Dy()+k-1)/k
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	if src, ok := img.(*image.YCbCr); ok && b.Min.X >= 0 {
		shrinkYCbCr(dst, src, k)
		return dst
	}
	if src, ok := img.(*image.RGBA); ok {
		shrinkRGBA(dst, src, k)
		return dst
	}
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
	shrinkRGBA(dst, rgba, k)
	return dst
}

// shrinkYCbCr averages luma and chroma separately and converts each
// result pixel once: the conversion is affine, so the average of the
// converted pixels is the converted average (up to rounding).
func shrinkYCbCr(dst *image.RGBA, src *image.YCbCr, k int) {
	b := src.Rect
	// Horizontally, one chroma sample serves 1<<shift luma samples.
	var shift uint
	switch src.SubsampleRatio {
	case image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio422:
		shift = 1
	case image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410:
		shift = 2
	}
	for oy := range dst.Rect.Dy() {
		y0, y1 := b.Min.Y+oy*k, min(b.Min.Y+(oy+1)*k, b.Max.Y)
		for ox := range dst.Rect.Dx() {
			x0, x1 := b.Min.X+ox*k, min(b.Min.X+(ox+1)*k, b.Max.X)
			var sy, scb, scr, n uint32
			for y := y0; y < y1; y++ {
				ys := src.Y[src.YOffset(x0, y) : src.YOffset(x1-1, y)+1]
				for _, v := range ys {
					sy += uint32(v)
				}
				// Chroma offsets as image.YCbCr.COffset computes them
				// (x is not negative: see shrink).
				row := src.COffset(b.Min.X, y) - b.Min.X>>shift
				for x := x0; x < x1; x++ {
					ci := row + x>>shift
					scb += uint32(src.Cb[ci])
					scr += uint32(src.Cr[ci])
				}
				n += uint32(x1 - x0)
			}
			r, g, bl := color.YCbCrToRGB(uint8((sy+n/2)/n), uint8((scb+n/2)/n), uint8((scr+n/2)/n))
			i := oy*dst.Stride + ox*4
			dst.Pix[i], dst.Pix[i+1], dst.Pix[i+2], dst.Pix[i+3] = r, g, bl, 0xff
		}
	}
}

// shrinkRGBA averages premultiplied RGBA pixels.
func shrinkRGBA(dst, src *image.RGBA, k int) {
	b := src.Rect
	for oy := range dst.Rect.Dy() {
		y0, y1 := b.Min.Y+oy*k, min(b.Min.Y+(oy+1)*k, b.Max.Y)
		for ox := range dst.Rect.Dx() {
			x0, x1 := b.Min.X+ox*k, min(b.Min.X+(ox+1)*k, b.Max.X)
			var s [4]uint32
			var n uint32
			for y := y0; y < y1; y++ {
				p := src.Pix[src.PixOffset(x0, y):src.PixOffset(x1, y)]
				for i := 0; i+3 < len(p); i += 4 {
					s[0] += uint32(p[i])
					s[1] += uint32(p[i+1])
					s[2] += uint32(p[i+2])
					s[3] += uint32(p[i+3])
				}
				n += uint32(x1 - x0)
			}
			i := oy*dst.Stride + ox*4
			for c := range 4 {
				dst.Pix[i+c] = uint8((s[c] + n/2) / n)
			}
		}
	}
}
