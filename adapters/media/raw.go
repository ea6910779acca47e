package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"path"
	"strings"
)

// RAW files are not developed: their thumbnails are made of the JPEG
// previews the camera embedded in them. This file finds those previews:
//
//   - TIFF-based RAW (DNG, CR2, NEF, ARW, PEF, SRW, ORF, RW2, ...): every
//     IFD of the chain from IFD0, their SubIFDs and the EXIF IFD, for a
//     JPEG either at JPEGInterchangeFormat/Length or as the single strip
//     of an image with JPEG compression, and Panasonic's JpgFromRaw tag;
//   - CR3: the PRVW box in the uuid box Canon puts at the top level (a
//     1620-pixel preview) and the THMB box in moov's uuid box;
//   - RAF: the JPEG whose offset and length its header gives.
//
// Each candidate must start like a JPEG and have a header the standard
// decoder reads (a lossless-JPEG raw image fails there and is passed
// over).

// rawPreview is one embedded JPEG.
type rawPreview struct {
	off, n        int64
	width, height int
}

// maxPreviewBytes bounds an embedded preview read into memory.
const maxPreviewBytes = 64 << 20

// TIFF tags the preview search reads.
const (
	tagNewSubfileType = 0x00fe
	tagCompression    = 0x0103
	tagStripOffsets   = 0x0111
	tagStripCounts    = 0x0117
	tagSubIFDs        = 0x014a
	tagJPEGOffset     = 0x0201
	tagJPEGLength     = 0x0202
	tagRW2JpgFromRaw  = 0x002e
)

// isRAW reports whether a file's name is that of a camera RAW format.
func isRAW(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".dng", ".cr2", ".cr3", ".crw", ".nef", ".nrw", ".arw", ".srf", ".sr2", ".raf", ".orf", ".rw2",
		".pef", ".srw", ".x3f", ".3fr", ".erf", ".kdc", ".mef", ".mos", ".mrw", ".raw", ".rwl", ".iiq":
		return true
	}
	return false
}

// findPreviews returns the JPEG previews embedded in a RAW file of size
// bytes, whose first bytes are head.
func findPreviews(r io.ReaderAt, size int64, head []byte) ([]rawPreview, error) {
	var cands [][2]int64
	var err error
	switch {
	case bytes.HasPrefix(head, []byte("FUJIFILMCCD-RAW")):
		cands, err = rafPreviews(r)
	case len(head) >= 12 && string(head[4:12]) == "ftypcrx ":
		cands, err = cr3Previews(r, size)
	default:
		cands, err = tiffPreviews(r, size)
	}
	var out []rawPreview
	for _, c := range cands {
		if c[0] <= 0 || c[1] < 4 || c[0]+c[1] > size || c[1] > maxPreviewBytes {
			continue
		}
		cfg, ok := jpegConfigAt(r, c[0], c[1])
		if !ok {
			continue
		}
		out = append(out, rawPreview{off: c[0], n: c[1], width: cfg.Width, height: cfg.Height})
	}
	if len(out) == 0 {
		if err == nil {
			err = errors.New("no JPEG preview embedded")
		}
		return nil, err
	}
	return out, nil
}

// jpegConfigAt reads the header of the JPEG at [off, off+n) of r, when
// that is a JPEG the standard decoder can read.
func jpegConfigAt(r io.ReaderAt, off, n int64) (image.Config, bool) {
	var soi [3]byte
	if _, err := r.ReadAt(soi[:], off); err != nil || soi != [3]byte{0xff, 0xd8, 0xff} {
		return image.Config{}, false
	}
	cfg, err := jpeg.DecodeConfig(io.NewSectionReader(r, off, n))
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 {
		return image.Config{}, false
	}
	return cfg, true
}

// choosePreview picks the preview to make a thumbnail of size pixels of:
// the smallest that is at least size pixels on its longer side (decoding
// a 24-megapixel JPEG for a 224-pixel tile takes ten times as long as a
// 1620-pixel one), else the largest; none above MaxPixels.
func choosePreview(ps []rawPreview, size int) (rawPreview, bool) {
	var best rawPreview
	found := false
	for _, p := range ps {
		if int64(p.width)*int64(p.height) > MaxPixels {
			continue
		}
		long, bestLong := max(p.width, p.height), max(best.width, best.height)
		switch {
		case !found:
		case bestLong >= size && long >= size && long < bestLong:
		case bestLong < size && long > bestLong:
		default:
			continue
		}
		best, found = p, true
	}
	return best, found
}

// tiffPreviews walks the IFDs of a TIFF-based RAW file for JPEGs, as
// [offset, length] pairs. It accepts the variants of the TIFF header that
// Olympus ("IIRO", "MMOR", "IIRS") and Panasonic ("IIU\0") write.
func tiffPreviews(r io.ReaderAt, size int64) ([][2]int64, error) {
	var h [8]byte
	if _, err := r.ReadAt(h[:], 0); err != nil {
		return nil, fmt.Errorf("TIFF header: %w", eofIsTruncated(err))
	}
	var bo binary.ByteOrder
	switch string(h[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return nil, errors.New("not a TIFF-based file")
	}
	switch bo.Uint16(h[2:4]) {
	case 42, 0x55, 0x4f52, 0x5352:
	default:
		return nil, errors.New("not a TIFF-based file")
	}
	var out [][2]int64
	seen := map[int64]bool{}
	queue := []int64{int64(bo.Uint32(h[4:8]))}
	for len(queue) > 0 && len(seen) < 64 {
		off := queue[0]
		queue = queue[1:]
		if off < 8 || off+2 > size || seen[off] {
			continue
		}
		seen[off] = true
		ifd, next, err := readIFD(r, bo, off, size)
		if err != nil {
			return out, err
		}
		if next != 0 {
			queue = append(queue, next)
		}
		queue = append(queue, ifd.offsets(r, tagSubIFDs)...)
		queue = append(queue, ifd.offsets(r, tagExifIFD)...)
		if o, n := ifd.value(tagJPEGOffset), ifd.value(tagJPEGLength); o > 0 && n > 0 {
			out = append(out, [2]int64{o, n})
		}
		if c := ifd.value(tagCompression); c == 6 || c == 7 || c == 99 {
			offs, counts := ifd.offsets(r, tagStripOffsets), ifd.offsets(r, tagStripCounts)
			if len(offs) == 1 && len(counts) == 1 {
				out = append(out, [2]int64{offs[0], counts[0]})
			}
		}
		if e, ok := ifd.entries[tagRW2JpgFromRaw]; ok && e.count > 4 {
			out = append(out, [2]int64{int64(e.value), int64(e.count)})
		}
	}
	return out, nil
}

// ifdEntry is one 12-byte IFD entry.
type ifdEntry struct {
	typ   uint16
	count uint32
	value uint32 // the value itself when it fits in 4 bytes, else its offset
	raw   [4]byte
}

// rawIFD is an IFD read from a file.
type rawIFD struct {
	bo      binary.ByteOrder
	entries map[uint16]ifdEntry
}

// readIFD reads the IFD at off and the offset of the next one.
func readIFD(r io.ReaderAt, bo binary.ByteOrder, off, size int64) (rawIFD, int64, error) {
	var nb [2]byte
	if _, err := r.ReadAt(nb[:], off); err != nil {
		return rawIFD{}, 0, fmt.Errorf("IFD at %d: %w", off, eofIsTruncated(err))
	}
	n := int64(bo.Uint16(nb[:]))
	if off+2+12*n+4 > size {
		return rawIFD{}, 0, fmt.Errorf("truncated: the IFD at %d runs past the end of the file", off)
	}
	buf := make([]byte, 12*n+4)
	if _, err := r.ReadAt(buf, off+2); err != nil {
		return rawIFD{}, 0, fmt.Errorf("IFD at %d: %w", off, eofIsTruncated(err))
	}
	ifd := rawIFD{bo: bo, entries: make(map[uint16]ifdEntry, n)}
	for i := range n {
		e := buf[12*i:]
		ent := ifdEntry{typ: bo.Uint16(e[2:]), count: bo.Uint32(e[4:]), value: bo.Uint32(e[8:])}
		copy(ent.raw[:], e[8:12])
		if ent.typ == typeShort && ent.count == 1 {
			ent.value = uint32(bo.Uint16(e[8:]))
		}
		ifd.entries[bo.Uint16(e)] = ent
	}
	return ifd, int64(bo.Uint32(buf[12*n:])), nil
}

// value is a tag's single SHORT or LONG value; 0 when absent.
func (d rawIFD) value(tag uint16) int64 {
	e, ok := d.entries[tag]
	if !ok || e.count != 1 {
		return 0
	}
	return int64(e.value)
}

// offsets reads a tag's SHORT, LONG or IFD values (at most 64).
func (d rawIFD) offsets(r io.ReaderAt, tag uint16) []int64 {
	e, ok := d.entries[tag]
	if !ok || e.count == 0 || e.count > 64 {
		return nil
	}
	width := 4
	if e.typ == typeShort {
		width = 2
	} else if e.typ != typeLong && e.typ != 13 { // 13: IFD
		return nil
	}
	data := e.raw[:]
	if int(e.count)*width > 4 {
		data = make([]byte, int(e.count)*width)
		if _, err := r.ReadAt(data, int64(e.value)); err != nil {
			return nil
		}
	}
	out := make([]int64, 0, e.count)
	for i := range int(e.count) {
		if width == 2 {
			out = append(out, int64(d.bo.Uint16(data[2*i:])))
		} else {
			out = append(out, int64(d.bo.Uint32(data[4*i:])))
		}
	}
	return out
}

// rafPreviews reads the offset and length of the JPEG a Fujifilm RAF's
// header points to (big-endian, at byte 84).
func rafPreviews(r io.ReaderAt) ([][2]int64, error) {
	var b [8]byte
	if _, err := r.ReadAt(b[:], 84); err != nil {
		return nil, fmt.Errorf("RAF header: %w", eofIsTruncated(err))
	}
	return [][2]int64{{int64(binary.BigEndian.Uint32(b[:4])), int64(binary.BigEndian.Uint32(b[4:]))}}, nil
}

// Canon's uuid boxes in a CR3: the one in moov holds THMB, the top-level
// one holds PRVW.
var (
	uuidCanonMoov = [16]byte{0x85, 0xc0, 0xb6, 0x87, 0x82, 0x0f, 0x11, 0xe0, 0x81, 0x11, 0xf4, 0xce, 0x46, 0x2b, 0x6a, 0x48}
	uuidCanonPRVW = [16]byte{0xea, 0xf4, 0x2b, 0x5e, 0x1c, 0xeb, 0x4b, 0x88, 0xb9, 0xfb, 0xb7, 0xdc, 0x40, 0x6e, 0x4d, 0x16}
)

// cr3Previews finds the JPEGs of a CR3's PRVW and THMB boxes. Both start
// with a small header (sizes and a length) before the JPEG, which ends at
// the end of the box; the JPEG is found by its SOI marker within the
// header's first bytes.
func cr3Previews(r io.ReaderAt, size int64) ([][2]int64, error) {
	var out [][2]int64
	count := 0
	find := func(b bmffBox) {
		head := make([]byte, min(64, b.size()))
		if _, err := r.ReadAt(head, b.body); err != nil {
			return
		}
		if i := bytes.Index(head, []byte{0xff, 0xd8, 0xff}); i >= 0 {
			out = append(out, [2]int64{b.body + int64(i), b.end - b.body - int64(i)})
		}
	}
	err := walkBoxes(r, 0, size, &count, func(b bmffBox) error {
		switch {
		case b.typ == "uuid" && b.uuid == uuidCanonPRVW:
			// 8 bytes of Canon's own, then boxes.
			return walkBoxes(r, b.body+8, b.end, &count, func(c bmffBox) error {
				if c.typ == "PRVW" {
					find(c)
				}
				return nil
			})
		case b.typ == "moov":
			return children(r, b, 0, &count, func(c bmffBox) error {
				if c.typ == "uuid" && c.uuid == uuidCanonMoov {
					return children(r, c, 0, &count, func(d bmffBox) error {
						if d.typ == "THMB" {
							find(d)
						}
						return nil
					})
				}
				return nil
			})
		}
		return nil
	})
	return out, err
}

// decodeRAWPreview decodes the preview of a RAW file best for a thumbnail
// of size pixels (0 for the largest), with the RAW file's orientation o
// applied (previews are stored as the sensor saw them).
func decodeRAWPreview(r io.ReaderAt, fileSize int64, head []byte, size int) (image.Image, rawPreview, error) {
	ps, err := findPreviews(r, fileSize, head)
	if err != nil {
		return nil, rawPreview{}, err
	}
	if size <= 0 {
		size = 1 << 30
	}
	p, ok := choosePreview(ps, size)
	if !ok {
		return nil, rawPreview{}, fmt.Errorf("%w: every embedded preview is larger than %d pixels", errTooLarge, MaxPixels)
	}
	img, _, err := decodeBounded(formatJPEG, io.NewSectionReader(r, p.off, p.n), nil)
	if err != nil {
		return nil, p, fmt.Errorf("embedded preview at %d: %w", p.off, err)
	}
	return img, p, nil
}

// readRAWMeta reads the metadata of a RAW file: the EXIF of a TIFF-based
// one; for a CR3 its CMT1 (IFD0: camera, orientation) and CMT2 (Exif IFD:
// date taken, lens) boxes, each a TIFF structure; for a RAF, Olympus ORF
// or Panasonic RW2 the EXIF of the embedded preview JPEG, which the camera
// copies there.
func readRAWMeta(r io.ReaderAt, size int64, name string, head []byte) meta {
	whole := io.NewSectionReader(r, 0, size)
	switch {
	case bytes.HasPrefix(head, []byte("II*\x00")), bytes.HasPrefix(head, []byte("MM\x00*")):
		return readMeta(whole, name, formatTIFF)
	case len(head) >= 12 && string(head[4:12]) == "ftypcrx ":
		return readCR3Meta(r, size)
	}
	ps, err := findPreviews(r, size, head)
	if err != nil {
		return meta{}
	}
	p, _ := choosePreview(ps, 1<<30)
	m := readMeta(io.NewSectionReader(r, p.off, p.n), "preview.jpg", formatJPEG)
	m.Width, m.Height = 0, 0 // the preview's, not the RAW image's
	return m
}

// readCR3Meta reads a CR3's CMT1 and CMT2 boxes (in moov's Canon uuid box).
func readCR3Meta(r io.ReaderAt, size int64) meta {
	var m meta
	count := 0
	_ = walkBoxes(r, 0, size, &count, func(b bmffBox) error {
		if b.typ != "moov" {
			return nil
		}
		_ = children(r, b, 0, &count, func(c bmffBox) error {
			if c.typ != "uuid" || c.uuid != uuidCanonMoov {
				return nil
			}
			return children(r, c, 0, &count, func(d bmffBox) error {
				if d.typ != "CMT1" && d.typ != "CMT2" || d.size() > maxMetaBox {
					return nil
				}
				t := readMeta(io.NewSectionReader(r, d.body, d.size()), "cmt.tif", formatTIFF)
				m.Make, m.Model = firstNonEmpty(m.Make, t.Make), firstNonEmpty(m.Model, t.Model)
				m.Lens = firstNonEmpty(m.Lens, t.Lens)
				if m.Orientation == 0 {
					m.Orientation = t.Orientation
				}
				if d.typ == "CMT2" || m.TakenAt.IsZero() {
					if !t.TakenAt.IsZero() {
						m.TakenAt, m.DateRaw, m.OffsetRaw, m.DateTag = t.TakenAt, t.DateRaw, t.OffsetRaw, t.DateTag
					}
				}
				return nil
			})
		})
		return errStop
	})
	return m
}
