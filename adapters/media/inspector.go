package media

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	"io"
	"strings"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Inspector reads files for the library index: checksum, date taken,
// orientation, dimensions and soundness.
//
// It reads a file's bytes once, in chunks through one pooled buffer,
// computing the SHA-1 and checking the file's structure in the same pass
// (see Checker): a truncated, emptied or zero-filled file of any kind
// (image, RAW or video) gets Problem domain.ProblemCorrupt with the cause.
// No pixel is decoded: a video of any size costs a few hundred KiB.
// Metadata is read first by seeking to the few places that hold it.
//
// InspectDeep also decodes JPEG, PNG, GIF (its first frame), WebP and BMP
// images whole, which finds damage inside the compressed data that the
// structure does not show (docs/integrity.md compares the two). An image
// whose header declares more than MaxPixels pixels, or that uses a variant
// the pure-Go decoders lack, is not decoded and gets no Problem from the
// decode: a huge panorama is a photo, not a fault.
// A video's date taken, duration and size come from its moov box (see
// readVideoMeta).
type Inspector struct{}

var (
	_ ports.MediaInspector = (*Inspector)(nil)
	_ ports.DeepInspector  = (*Inspector)(nil)
)

// NewInspector returns an Inspector.
func NewInspector() *Inspector { return &Inspector{} }

// Inspect reads r (of size bytes) from its start. Dates without an EXIF
// offset are wall-clock times represented in UTC (see parseEXIFTime).
// Width and Height are the stored dimensions, before orientation. The
// error is the context's when ctx ends, else a failure to read r or a
// size that differs from the bytes read.
func (in *Inspector) Inspect(ctx context.Context, name string, r io.ReadSeeker, size int64) (domain.MediaInfo, error) {
	return in.inspect(ctx, name, r, size, false)
}

// InspectDeep is Inspect that also decodes a sound image's pixels, reading
// it a second time.
func (in *Inspector) InspectDeep(ctx context.Context, name string, r io.ReadSeeker, size int64) (domain.MediaInfo, error) {
	return in.inspect(ctx, name, r, size, true)
}

func (in *Inspector) inspect(ctx context.Context, name string, r io.ReadSeeker, size int64, deep bool) (domain.MediaInfo, error) {
	var info domain.MediaInfo
	if err := ctx.Err(); err != nil {
		return info, err
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return info, fmt.Errorf("inspect %s: %w", name, err)
	}
	head := make([]byte, sniffLen)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return info, fmt.Errorf("inspect %s: %w", name, err)
	}
	f := sniff(name, head[:n])
	// The metadata readers are guarded: a crafted file that made one
	// panic is a corrupt file, not a crashed indexer. Whether a file's
	// structure is sound is the structural check's to say (below).
	func() {
		defer func() {
			if p := recover(); p != nil {
				info.Problem = fmt.Sprintf("%s: unreadable structure (%v)", domain.ProblemCorrupt, p)
			}
		}()
		m := readMeta(r, name, f)
		info.TakenAt, info.Orientation, info.Width, info.Height = m.TakenAt, m.Orientation, m.Width, m.Height
		switch kindOf(name, head[:n]) {
		case formatRAW:
			if f != formatTIFF { // CR3, RAF, ORF, RW2: see readRAWMeta
				m := readRAWMeta(readerAt(r), size, name, head[:n])
				info.TakenAt, info.Orientation = m.TakenAt, m.Orientation
			}
		case formatVideo:
			// The container's boxes: its creation date, duration and size.
			if n >= 8 && isISOBMFF(bytes.NewReader(head[:n])) {
				if vm, err := readVideoMeta(readerAt(r), size); err == nil {
					if !vm.TakenAt.IsZero() {
						info.TakenAt = vm.TakenAt
					}
					info.Duration, info.Width, info.Height = vm.Duration, vm.Width, vm.Height
				}
			}
		}
	}()
	if info.Width == 0 && n > 0 && f.decodable() && f != formatTIFF {
		if _, err := r.Seek(0, io.SeekStart); err != nil {
			return info, fmt.Errorf("inspect %s: %w", name, err)
		}
		if cfg, err := headerConfig(f, r); err == nil {
			info.Width, info.Height = cfg.Width, cfg.Height
		}
	}

	// The single pass: hash every byte while the structure is checked.
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return info, fmt.Errorf("inspect %s: %w", name, err)
	}
	h := sha1.New()
	buf := getBuf()
	defer putBuf(buf)
	s := newStream(ctx, r, nil, size, *buf, h)
	s.ra = readerAtBeside(r)
	var problem string
	err = nil
	if size > 0 {
		problem, err = checkContent(s, name, s.ra, size)
	}
	if err == nil {
		err = s.drain()
	}
	if err != nil {
		return info, fmt.Errorf("inspect %s: %w", name, err)
	}
	if s.read != size {
		return info, fmt.Errorf("inspect %s: read %d bytes, expected %d (changed while read?)", name, s.read, size)
	}
	info.SHA1 = hex.EncodeToString(h.Sum(nil))
	switch {
	case size == 0:
		info.Problem = domain.ProblemEmpty
	case problem != "":
		// "corrupt or truncated: " says it already.
		info.Problem = domain.ProblemCorrupt + ": " + strings.TrimPrefix(problem, "truncated: ")
	case deep && f.decodable() && f != formatTIFF:
		p, err := deepCheck(ctx, f, r)
		if err != nil {
			return info, fmt.Errorf("inspect %s: %w", name, err)
		}
		info.Problem = p
	}
	return info, nil
}

// headerConfig reads an image's dimensions from its header, never failing
// louder than an error: a decoder that panics on a crafted header is
// caught.
func headerConfig(f format, r io.Reader) (cfg image.Config, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("%s decoder failed: %v", f, p)
		}
	}()
	return decodeConfig(f, bufio.NewReaderSize(r, 16<<10))
}

// deepCheck decodes the image in r from its start, answering the problem
// the decoder finds ("" for none or for an image too large or of a variant
// it cannot check), or the error of reading r.
func deepCheck(ctx context.Context, f format, r io.ReadSeeker) (string, error) {
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	src := &readerState{r: r, ctx: ctx}
	_, _, err := decodeBounded(f, bufio.NewReaderSize(src, 64<<10), nil)
	switch {
	case src.err != nil:
		return "", src.err
	case err == nil, errors.Is(err, errTooLarge), errors.Is(err, errUnsupported):
		return "", nil
	}
	return fmt.Sprintf("%s: %v", domain.ProblemCorrupt, err), nil
}
