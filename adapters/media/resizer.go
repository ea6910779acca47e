package media

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// MinResizeSide is the smallest maxSide Resize accepts.
const MinResizeSide = 16

// resizeQuality is the JPEG quality of resized copies: they are meant to
// be looked at, not to be thumbnails.
const resizeQuality = 88

// errFits means an image already fits the size asked for.
var errFits = errors.New("fits already")

// Resizer makes smaller JPEG copies of images for uploads.
//
// A JPEG's EXIF segment is copied into the copy, with its Orientation tag
// set to 1 (the pixels are turned instead), its pixel dimensions updated
// and its embedded thumbnail dropped; every other tag, the date taken
// among them, is kept as it was. Its ICC colour profile is copied too, so
// that colours do not shift. A HEIC or AVIF copy gets a small EXIF segment
// with its date taken (see resizeHEIF). Other formats (PNG, GIF, WebP,
// BMP, TIFF) are resized without metadata.
type Resizer struct{}

var _ ports.Resizer = (*Resizer)(nil)

// NewResizer returns a Resizer.
func NewResizer() *Resizer { return &Resizer{} }

// Resize reads an image from r and returns a JPEG that fits a square of
// maxSide pixels, or nil, nil when the image fits already (its header says
// so; it is not decoded). Errors: EINVALID for a maxSide below
// MinResizeSide, or a file that is not a decodable image (RAW, video,
// corrupt, more than MaxPixels pixels); the context's error when ctx
// ends; else the failure to read r.
func (rs *Resizer) Resize(ctx context.Context, name string, r io.Reader, maxSide int) ([]byte, error) {
	if maxSide < MinResizeSide {
		return nil, domain.Errorf(domain.EINVALID, "a resized image must be at least %d pixels, not %d", MinResizeSide, maxSide)
	}
	src := &readerState{r: r, ctx: ctx}
	br := bufio.NewReaderSize(src, 64<<10)
	head, _ := br.Peek(sniffLen)
	if src.err != nil {
		return nil, fmt.Errorf("resize %s: %w", name, src.err)
	}
	f := sniff(name, head)
	if f == formatHEIF || f == formatAVIF {
		return rs.resizeHEIF(ctx, name, f, br, src, maxSide)
	}
	if !f.decodable() {
		return nil, domain.Errorf(domain.EINVALID, "%s is not an image that can be resized", name)
	}
	var in io.Reader = br
	var hdr jpegHeader
	if f == formatJPEG {
		hdr = readJPEGHeader(br)
		in = io.MultiReader(bytes.NewReader(hdr.raw), br)
	}
	img, _, err := decodeBounded(f, in, func(cfg image.Config) error {
		if cfg.Width <= maxSide && cfg.Height <= maxSide {
			return errFits
		}
		return nil
	})
	switch {
	case src.err != nil:
		return nil, fmt.Errorf("resize %s: %w", name, src.err)
	case errors.Is(err, errFits):
		return nil, nil
	case err != nil:
		e := domain.Errorf(domain.EINVALID, "%s cannot be resized: %v", name, err)
		e.Err = err
		return nil, e
	}
	out := orient(fit(img, maxSide), exifOrientation(hdr.exif))
	flatten(out)
	jpg, err := encodeJPEG(out, resizeQuality)
	if err != nil {
		return nil, fmt.Errorf("resize %s: %w", name, err)
	}
	jpg = insertSegments(jpg, markerAPP2, hdr.icc...)
	if exif := patchEXIF(hdr.exif, out.Rect.Dx(), out.Rect.Dy()); exif != nil {
		jpg = insertSegments(jpg, markerAPP1, exif)
	}
	return jpg, nil
}

// resizeHEIF resizes a HEIC or AVIF image to a JPEG, within
// DefaultTimeout (EINVALID past it: the original is sent). Its date taken (EXIF
// DateTimeOriginal with its offset, else the other EXIF dates) is written
// into a small EXIF segment of the copy, with the new size and
// Orientation 1; other metadata is not carried over.
func (rs *Resizer) resizeHEIF(ctx context.Context, name string, f format, br io.Reader, src *readerState, maxSide int) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(br, maxHEIFBytes+1))
	if src.err != nil {
		return nil, fmt.Errorf("resize %s: %w", name, src.err)
	}
	if err != nil {
		return nil, fmt.Errorf("resize %s: %w", name, err)
	}
	m := readMeta(bytes.NewReader(b), name, f)
	type decoded struct {
		img image.Image
		o   int
		err error
	}
	done := make(chan decoded, 1)
	go func() {
		img, o, err := decodeHEIF(f, bytes.NewReader(b), m.Orientation, 0, func(cfg image.Config) error {
			if cfg.Width <= maxSide && cfg.Height <= maxSide {
				return errFits
			}
			return nil
		})
		done <- decoded{img, o, err}
	}()
	// The WebAssembly decoder cannot be stopped: past the time limit it is
	// left to end on its own and the original is sent instead.
	timer := time.NewTimer(DefaultTimeout)
	defer timer.Stop()
	var img image.Image
	var o int
	select {
	case d := <-done:
		img, o, err = d.img, d.o, d.err
	case <-timer.C:
		err = fmt.Errorf("%w (%v)", errTimeout, DefaultTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	switch {
	case errors.Is(err, errFits):
		return nil, nil
	case err != nil:
		e := domain.Errorf(domain.EINVALID, "%s cannot be resized: %v", name, err)
		e.Err = err
		return nil, e
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := orient(fit(img, maxSide), o)
	flatten(out)
	jpg, err := encodeJPEG(out, resizeQuality)
	if err != nil {
		return nil, fmt.Errorf("resize %s: %w", name, err)
	}
	if exif := dateEXIF(m.DateRaw, m.OffsetRaw, out.Rect.Dx(), out.Rect.Dy()); exif != nil {
		jpg = insertSegments(jpg, markerAPP1, exif)
	}
	return jpg, nil
}
