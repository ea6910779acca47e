package media

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"path"
	"strings"
	"time"
)

// Option configures Thumbnails (and Details).
type Option func(*options)

type options struct {
	ffmpeg   string        // path of ffmpeg; "" for drawn video posters
	timeout  time.Duration // per file
	parallel int           // decodes at once
}

// DefaultTimeout is how long making one thumbnail may take before the
// file is given up on (its kind icon is shown instead).
const DefaultTimeout = 30 * time.Second

func defaultOptions() options {
	return options{timeout: DefaultTimeout, parallel: 2}
}

// WithFFmpeg makes video thumbnails from a frame that the ffmpeg program
// at path extracts (its own rotation of the frame applied). "" keeps the
// drawn poster.
func WithFFmpeg(path string) Option { return func(o *options) { o.ffmpeg = path } }

// withTimeout sets the time limit for making one thumbnail (decoding, or
// running ffmpeg); d <= 0 keeps DefaultTimeout.
func withTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// errTimeout means a file took longer than the time limit to decode.
var errTimeout = errors.New("took longer than the time limit")

// limited runs decode within the time limit, at most opts.parallel at
// once in each pool of slots; decode gets a context that ends with the
// time limit (the Go decoders' reads and ffmpeg stop with it). A decoder
// that overruns keeps its slot until it ends (the WebAssembly decoders
// cannot be interrupted), so overrunning files do not pile up in memory;
// the caller gets errTimeout at once.
func (t *Thumbnails) limited(ctx context.Context, slots chan struct{}, decode func(context.Context) (image.Image, error)) (image.Image, error) {
	ctx, cancel := context.WithTimeout(ctx, t.opts.timeout)
	defer cancel()
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return nil, fmt.Errorf("%w (%v) waiting for other thumbnails", errTimeout, t.opts.timeout)
	}
	type result struct {
		img image.Image
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() { <-slots }()
		defer func() {
			if p := recover(); p != nil {
				done <- result{err: fmt.Errorf("decoder failed: %v", p)}
			}
		}()
		img, err := decode(ctx)
		done <- result{img, err}
	}()
	select {
	case r := <-done:
		return r.img, r.err
	case <-ctx.Done():
		return nil, fmt.Errorf("%w (%v)", errTimeout, t.opts.timeout)
	}
}

// kindOf is how a file is shown: formatVideo for a video (by its content
// or, for an unknown content, its name), formatRAW for a camera RAW file
// (by its name: most RAW formats are TIFF inside), else its format.
func kindOf(name string, head []byte) format {
	f := sniff(name, head)
	switch {
	case f == formatRAW:
		return formatRAW
	case isRAW(name) && (f == formatTIFF || f == formatUnknown):
		return formatRAW
	case f == formatUnknown && isVideoName(name):
		return formatVideo
	}
	return f
}

// isVideoName reports whether a name has a video extension.
func isVideoName(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".mp4", ".m4v", ".mov", ".qt", ".3gp", ".3g2", ".mts", ".m2ts", ".avi", ".mkv", ".webm", ".wmv", ".mpg", ".mpeg":
		return true
	}
	return false
}

// decodeForDisplay decodes a still image file for display, with the EXIF
// orientation still to apply to it: r reads the file from its start,
// ra reads it at offsets (the same file, of size bytes), head is its
// first bytes. thumbSize is the size the image is for (a RAW file's
// preview is chosen by it; 0 for the largest). fallback is the
// orientation to use when the file says none.
func decodeForDisplay(r io.Reader, ra io.ReaderAt, size int64, name string, head []byte, thumbSize, fallback int) (image.Image, int, error) {
	f := kindOf(name, head)
	switch {
	case f == formatHEIF || f == formatAVIF:
		o := readMeta(io.NewSectionReader(ra, 0, size), name, f).Orientation
		return decodeHEIF(f, r, orientationOr(o, fallback), thumbSize, nil)
	case f == formatRAW:
		img, p, err := decodeRAWPreview(ra, size, head, thumbSize)
		if err != nil {
			return nil, 0, err
		}
		o := readRAWMeta(ra, size, name, head).Orientation
		if o == 0 {
			// The preview's own EXIF says, when it has one.
			o = exifOrientation(readJPEGHeader(io.NewSectionReader(ra, p.off, p.n)).exif)
		}
		return img, orientationOr(o, fallback), nil
	case f.decodable():
		o := readMeta(io.NewSectionReader(ra, 0, size), name, f).Orientation
		img, _, err := decodeBounded(f, bufioReader(r), nil)
		return img, orientationOr(o, fallback), err
	case f == formatUnknown && formatOfExt(name) != formatUnknown:
		return nil, 0, fmt.Errorf("not a %s file", formatOfExt(name))
	}
	return nil, 0, fmt.Errorf("no decoder for %s files", f)
}

// orientationOr is o, or fallback when o is unknown.
func orientationOr(o, fallback int) int {
	if o == 0 {
		return fallback
	}
	return o
}

// bufioReader buffers r for the decoders, which read in small pieces.
func bufioReader(r io.Reader) io.Reader {
	if _, ok := r.(*bytes.Reader); ok {
		return r
	}
	return bufio.NewReaderSize(r, 64<<10)
}
