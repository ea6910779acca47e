package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// ISO base media files (MP4, MOV, 3GP, HEIF, AVIF, CR3) are trees of
// boxes: a 32-bit size (1 for a 64-bit size that follows the type, 0 for
// "to the end of the enclosing box"), a four-character type, and for
// "uuid" a 16-byte extended type. This file walks them through an
// io.ReaderAt, reading headers only, so a video of any size costs a few
// small reads; payloads are read by the callers, bounded by what they need.

// bmffBox is one box of an ISO base media file.
type bmffBox struct {
	typ   string // four characters
	start int64  // offset of the box's first byte
	body  int64  // offset of the payload (after the header and any uuid)
	end   int64  // offset just past the box
	uuid  [16]byte
}

// size is the payload's length.
func (b bmffBox) size() int64 { return b.end - b.body }

// maxBoxes bounds the boxes one walk visits, against crafted files made
// of millions of empty boxes.
const maxBoxes = 100_000

// errBoxes means a walk met more than maxBoxes boxes.
var errBoxes = errors.New("too many boxes")

// walkBoxes calls fn for each box in [off, end) of r, in order. It stops
// at the first error fn returns (errStop stops without an error) or at a
// box that runs past end (a truncated file: the boxes before it were
// visited; the error says so). *count is shared by nested walks.
func walkBoxes(r io.ReaderAt, off, end int64, count *int, fn func(bmffBox) error) error {
	var h [32]byte
	for off+8 <= end {
		if *count++; *count > maxBoxes {
			return errBoxes
		}
		if _, err := r.ReadAt(h[:8], off); err != nil {
			return fmt.Errorf("box header at %d: %w", off, eofIsTruncated(err))
		}
		b := bmffBox{typ: string(h[4:8]), start: off, body: off + 8}
		size := int64(binary.BigEndian.Uint32(h[:4]))
		switch size {
		case 0:
			size = end - off
		case 1:
			if _, err := r.ReadAt(h[8:16], off+8); err != nil {
				return fmt.Errorf("box %q at %d: %w", b.typ, off, eofIsTruncated(err))
			}
			u := binary.BigEndian.Uint64(h[8:16])
			if u > 1<<62 {
				return fmt.Errorf("box %q at %d claims %d bytes", b.typ, off, u)
			}
			size = int64(u)
			b.body += 8
		}
		if size < b.body-off {
			return fmt.Errorf("box %q at %d claims %d bytes, less than its header", b.typ, off, size)
		}
		b.end = off + size
		if b.typ == "uuid" {
			if b.end < b.body+16 {
				return fmt.Errorf("uuid box at %d is too short", off)
			}
			if _, err := r.ReadAt(b.uuid[:], b.body); err != nil {
				return fmt.Errorf("uuid box at %d: %w", off, eofIsTruncated(err))
			}
			b.body += 16
		}
		if b.end > end {
			return fmt.Errorf("truncated: the box %q at %d runs %d bytes past its end", b.typ, off, b.end-end)
		}
		if err := fn(b); err != nil {
			if errors.Is(err, errStop) {
				return nil
			}
			return err
		}
		off = b.end
	}
	return nil
}

// errStop ends a walk early without an error.
var errStop = errors.New("stop")

// eofIsTruncated turns an end of file inside a structure into an error
// that says so.
func eofIsTruncated(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("truncated: %w", io.ErrUnexpectedEOF)
	}
	return err
}

// readBody reads at most max bytes of a box's payload.
func readBody(r io.ReaderAt, b bmffBox, max int64) ([]byte, error) {
	n := min(b.size(), max)
	buf := make([]byte, n)
	if _, err := r.ReadAt(buf, b.body); err != nil && !(errors.Is(err, io.EOF) && n == 0) {
		return nil, fmt.Errorf("box %q at %d: %w", b.typ, b.start, eofIsTruncated(err))
	}
	return buf, nil
}

// children walks the boxes inside b, skipping skip bytes of its payload
// first (4 for a "full box" with a version and flags, such as meta).
func children(r io.ReaderAt, b bmffBox, skip int64, count *int, fn func(bmffBox) error) error {
	return walkBoxes(r, b.body+skip, b.end, count, fn)
}

// seekerAt reads at offsets through Seek and Read, for readers that are
// not io.ReaderAt. Not safe for concurrent use.
type seekerAt struct{ r io.ReadSeeker }

// ReadAt reads len(p) bytes at off.
func (s seekerAt) ReadAt(p []byte, off int64) (int, error) {
	if _, err := s.r.Seek(off, io.SeekStart); err != nil {
		return 0, err
	}
	return io.ReadFull(s.r, p)
}

// readerAt returns r as an io.ReaderAt.
func readerAt(r io.ReadSeeker) io.ReaderAt {
	if ra, ok := r.(io.ReaderAt); ok {
		return ra
	}
	return seekerAt{r}
}

// be16 and be32 read big-endian integers from b at i, 0 when b is short.
func be16(b []byte, i int) uint16 {
	if i < 0 || i+2 > len(b) {
		return 0
	}
	return binary.BigEndian.Uint16(b[i:])
}

func be32(b []byte, i int) uint32 {
	if i < 0 || i+4 > len(b) {
		return 0
	}
	return binary.BigEndian.Uint32(b[i:])
}

func be64(b []byte, i int) uint64 {
	if i < 0 || i+8 > len(b) {
		return 0
	}
	return binary.BigEndian.Uint64(b[i:])
}

// checkTopBoxes walks the top-level boxes of a file of size bytes: an
// error when one runs past the end (a truncated file) or is malformed.
func checkTopBoxes(r io.ReaderAt, size int64) error {
	count := 0
	return walkBoxes(r, 0, size, &count, func(bmffBox) error { return nil })
}
