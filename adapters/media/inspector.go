package media

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Inspector reads files for the library index: checksum, date taken,
// orientation, dimensions and soundness.
//
// It reads a file's bytes once for the SHA-1, in chunks, and holds at most
// one decoded image in memory (at most MaxPixels pixels): a video of any
// size costs a few hundred KiB. Metadata is read first by seeking to the
// few places that hold it.
//
// JPEG, PNG, GIF (its first frame), WebP and BMP images are decoded whole;
// one that does not decode gets Problem domain.ProblemCorrupt with the
// decoder's reason. A JPEG must end with its EOI marker and a GIF with its
// trailer. An image whose header declares more than MaxPixels pixels, or
// that uses a variant the pure-Go decoders lack, is not decoded and gets
// no Problem: a huge panorama is a photo, not a fault. HEIC, AVIF, TIFF,
// RAW and video files are not decoded; their EXIF is read where the file
// has it. The boxes of HEIC, AVIF and ISO base media videos (MP4, MOV,
// M4V, 3GP) are walked: a box that runs past the end of the file makes
// the file corrupt, and a video's date taken, duration and size come from
// its moov box (see readVideoMeta).
type Inspector struct{}

var _ ports.MediaInspector = (*Inspector)(nil)

// NewInspector returns an Inspector.
func NewInspector() *Inspector { return &Inspector{} }

// Inspect reads r (of size bytes) from its start. Dates without an EXIF
// offset are wall-clock times represented in UTC (see parseEXIFTime).
// Width and Height are the stored dimensions, before orientation. The
// error is the context's when ctx ends, else a failure to read r or a
// size that differs from the bytes read.
func (in *Inspector) Inspect(ctx context.Context, name string, r io.ReadSeeker, size int64) (domain.MediaInfo, error) {
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
	// The metadata and structure readers are guarded: a crafted file that
	// made one panic is a corrupt file, not a crashed indexer.
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
			// The container's boxes: its creation date, duration and size. A
			// file whose boxes are broken (truncated, most often) is corrupt;
			// one that is no ISO base media file (AVI, MKV) is not read.
			if n >= 8 && isISOBMFF(bytes.NewReader(head[:n])) {
				vm, err := readVideoMeta(readerAt(r), size)
				info.TakenAt, info.Duration, info.Width, info.Height = vm.TakenAt, vm.Duration, vm.Width, vm.Height
				if err == nil {
					err = checkTopBoxes(readerAt(r), size)
				}
				if err != nil {
					info.Problem = fmt.Sprintf("%s: %v", domain.ProblemCorrupt, err)
				}
			}
		case formatHEIF, formatAVIF:
			_, err := readHEIFInfo(readerAt(r), size)
			if err == nil {
				err = checkTopBoxes(readerAt(r), size)
			}
			if err != nil {
				info.Problem = fmt.Sprintf("%s: %v", domain.ProblemCorrupt, err)
			}
		}
	}()

	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return info, fmt.Errorf("inspect %s: %w", name, err)
	}
	h := &hashCounter{h: sha1.New()}
	src := &readerState{r: r, ctx: ctx}
	br := bufio.NewReaderSize(src, 64<<10) // the chunks read and hashed

	switch {
	case n == 0:
		// Empty: nothing to decode; the hash below confirms the size.
	case f == formatUnknown && formatOfExt(name) != formatUnknown:
		info.Problem = fmt.Sprintf("%s: not a %s file", domain.ProblemCorrupt, formatOfExt(name))
	case f.decodable() && f != formatTIFF:
		img, cfg, err := decodeBounded(f, io.TeeReader(br, h), nil)
		switch {
		case src.err != nil:
			return info, fmt.Errorf("inspect %s: %w", name, src.err)
		case err == nil:
			b := img.Bounds()
			info.Width, info.Height = b.Dx(), b.Dy()
		case errors.Is(err, errTooLarge), errors.Is(err, errUnsupported):
			// Not checked; see the type's comment.
			if info.Width == 0 {
				info.Width, info.Height = cfg.Width, cfg.Height
			}
		default:
			info.Problem = fmt.Sprintf("%s: %v", domain.ProblemCorrupt, err)
		}
	}

	if _, err := io.Copy(h, br); err != nil {
		return info, fmt.Errorf("inspect %s: %w", name, err)
	}
	if src.err != nil {
		return info, fmt.Errorf("inspect %s: %w", name, src.err)
	}
	if h.n != size {
		return info, fmt.Errorf("inspect %s: read %d bytes, expected %d (changed while read?)", name, h.n, size)
	}
	info.SHA1 = hex.EncodeToString(h.h.Sum(nil))
	switch {
	case h.n == 0:
		info.Problem = domain.ProblemEmpty
	case f == formatGIF && info.Problem == "" && h.last != 0x3b:
		info.Problem = domain.ProblemCorrupt + ": GIF without its trailer"
	}
	return info, nil
}

// hashCounter hashes what is written to it, counting the bytes and keeping
// the last one.
type hashCounter struct {
	h    hash.Hash
	n    int64
	last byte
}

// Write hashes p.
func (c *hashCounter) Write(p []byte) (int, error) {
	if len(p) > 0 {
		c.h.Write(p)
		c.n += int64(len(p))
		c.last = p[len(p)-1]
	}
	return len(p), nil
}
