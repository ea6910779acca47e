package media

import (
	"bytes"
	"encoding/binary"
	"io"
	"strings"
)

// JPEG markers and EXIF tags this file needs.
const (
	markerSOI  = 0xd8
	markerSOS  = 0xda
	markerAPP1 = 0xe1
	markerAPP2 = 0xe2

	tagOrientation = 0x0112
	tagExifIFD     = 0x8769
	tagPixelX      = 0xa002
	tagPixelY      = 0xa003

	tagDateTimeOriginal   = 0x9003
	tagOffsetTimeOriginal = 0x9011

	typeASCII = 2
	typeShort = 3
	typeLong  = 4
)

var (
	exifPrefix = []byte("Exif\x00\x00")
	iccPrefix  = []byte("ICC_PROFILE\x00")
)

// jpegHeader is what readJPEGHeader keeps of a JPEG's segments.
type jpegHeader struct {
	raw  []byte   // every byte read, to be given back to the decoder
	exif []byte   // the first APP1 Exif payload, from "Exif\0\0" on
	icc  [][]byte // the APP2 ICC profile payloads, in order
}

// readJPEGHeader reads a JPEG's segments up to its first scan (or the
// first thing it does not understand) and keeps the EXIF and ICC profile
// segments. It never fails: what it cannot parse is left to the decoder,
// which gets every byte back from raw.
func readJPEGHeader(r io.Reader) (h jpegHeader) {
	var raw bytes.Buffer
	tr := io.TeeReader(r, &raw)
	defer func() { h.raw = raw.Bytes() }()
	var b [4]byte
	if _, err := io.ReadFull(tr, b[:2]); err != nil || b[0] != 0xff || b[1] != markerSOI {
		return h
	}
	for range 256 {
		if _, err := io.ReadFull(tr, b[:2]); err != nil || b[0] != 0xff {
			return h
		}
		m := b[1]
		if m == 0xff || m == 0x01 || (m >= 0xd0 && m <= 0xd7) {
			continue // fill byte or a marker without a length
		}
		if _, err := io.ReadFull(tr, b[2:4]); err != nil {
			return h
		}
		n := int(binary.BigEndian.Uint16(b[2:4])) - 2
		if n < 0 {
			return h
		}
		if m == markerSOS || (m != markerAPP1 && m != markerAPP2) {
			if m == markerSOS || raw.Len() > 1<<20 {
				return h
			}
			if _, err := io.CopyN(io.Discard, tr, int64(n)); err != nil {
				return h
			}
			continue
		}
		payload := make([]byte, n)
		if _, err := io.ReadFull(tr, payload); err != nil {
			return h
		}
		switch {
		case m == markerAPP1 && h.exif == nil && bytes.HasPrefix(payload, exifPrefix):
			h.exif = payload
		case m == markerAPP2 && bytes.HasPrefix(payload, iccPrefix):
			h.icc = append(h.icc, payload)
		}
	}
	return h
}

// tiffIFD is one IFD of an EXIF TIFF structure.
type tiffIFD struct {
	t     []byte // the TIFF structure
	bo    binary.ByteOrder
	start int // offset of the entry count
	count int
}

// parseTIFF finds IFD0 of an EXIF payload ("Exif\0\0" and a TIFF
// structure); false when the structure is broken.
func parseTIFF(exif []byte) (tiffIFD, bool) {
	if !bytes.HasPrefix(exif, exifPrefix) || len(exif) < len(exifPrefix)+8 {
		return tiffIFD{}, false
	}
	t := exif[len(exifPrefix):]
	var bo binary.ByteOrder
	switch string(t[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return tiffIFD{}, false
	}
	if bo.Uint16(t[2:4]) != 42 {
		return tiffIFD{}, false
	}
	return ifdAt(t, bo, bo.Uint32(t[4:8]))
}

// ifdAt is the IFD at offset off of t.
func ifdAt(t []byte, bo binary.ByteOrder, off uint32) (tiffIFD, bool) {
	if off < 8 || uint64(off)+2 > uint64(len(t)) {
		return tiffIFD{}, false
	}
	count := int(bo.Uint16(t[off:]))
	if int(off)+2+12*count+4 > len(t) {
		return tiffIFD{}, false
	}
	return tiffIFD{t: t, bo: bo, start: int(off), count: count}, true
}

// entry returns the offset of the 12-byte entry of tag, its type and count.
func (d tiffIFD) entry(tag uint16) (off int, typ uint16, count uint32, ok bool) {
	for i := range d.count {
		e := d.start + 2 + 12*i
		if d.bo.Uint16(d.t[e:]) == tag {
			return e, d.bo.Uint16(d.t[e+2:]), d.bo.Uint32(d.t[e+4:]), true
		}
	}
	return 0, 0, 0, false
}

// uint reads an entry's single SHORT or LONG value.
func (d tiffIFD) uint(tag uint16) (uint32, bool) {
	e, typ, count, ok := d.entry(tag)
	switch {
	case !ok || count != 1:
		return 0, false
	case typ == typeShort:
		return uint32(d.bo.Uint16(d.t[e+8:])), true
	case typ == typeLong:
		return d.bo.Uint32(d.t[e+8:]), true
	}
	return 0, false
}

// setUint writes an entry's single SHORT or LONG value in place, if the
// entry exists and the value fits its type.
func (d tiffIFD) setUint(tag uint16, v uint32) {
	e, typ, count, ok := d.entry(tag)
	switch {
	case !ok || count != 1:
	case typ == typeShort && v <= 0xffff:
		d.bo.PutUint16(d.t[e+8:], uint16(v))
	case typ == typeLong:
		d.bo.PutUint32(d.t[e+8:], v)
	}
}

// exifOrientation reads the orientation from an EXIF payload; 0 when it
// has none.
func exifOrientation(exif []byte) int {
	ifd0, ok := parseTIFF(exif)
	if !ok {
		return 0
	}
	o, ok := ifd0.uint(tagOrientation)
	if !ok || o < 1 || o > 8 {
		return 0
	}
	return int(o)
}

// patchEXIF returns a copy of an EXIF payload fit for a resized copy of
// its image, with the orientation already applied: Orientation set to 1,
// the pixel dimensions set to w×h, and the link to IFD1 (the embedded
// thumbnail, which still has the old size and orientation) cut. Every
// other tag, the date taken among them, stays as it was. nil when the
// payload is not a sound TIFF structure.
func patchEXIF(exif []byte, w, h int) []byte {
	out := bytes.Clone(exif)
	ifd0, ok := parseTIFF(out)
	if !ok {
		return nil
	}
	ifd0.setUint(tagOrientation, 1)
	ifd0.bo.PutUint32(ifd0.t[ifd0.start+2+12*ifd0.count:], 0)
	if off, ok := ifd0.uint(tagExifIFD); ok {
		if sub, ok := ifdAt(ifd0.t, ifd0.bo, off); ok {
			sub.setUint(tagPixelX, uint32(w))
			sub.setUint(tagPixelY, uint32(h))
		}
	}
	return out
}

// insertSegments puts APPn segments right after a JPEG's SOI marker,
// where EXIF readers look for them. Payloads too long for a segment are
// left out.
func insertSegments(jpg []byte, marker byte, payloads ...[]byte) []byte {
	var seg bytes.Buffer
	for _, p := range payloads {
		if len(p) == 0 || len(p)+2 > 0xffff {
			continue
		}
		seg.Write([]byte{0xff, marker})
		seg.Write(binary.BigEndian.AppendUint16(nil, uint16(len(p)+2)))
		seg.Write(p)
	}
	out := make([]byte, 0, len(jpg)+seg.Len())
	out = append(out, jpg[:2]...)
	out = append(out, seg.Bytes()...)
	return append(out, jpg[2:]...)
}

// dateEXIF builds an EXIF payload ("Exif\0\0" and a little-endian TIFF
// structure) for a JPEG made from another format: IFD0 with Orientation
// 1, and an Exif IFD with DateTimeOriginal (date, as EXIF writes it),
// OffsetTimeOriginal when offset is set, and the pixel dimensions. nil when
// date is empty.
func dateEXIF(date, offset string, w, h int) []byte {
	date = strings.TrimRight(date, "\x00")
	offset = strings.TrimRight(offset, "\x00")
	if len(date) < 19 {
		return nil
	}
	type ent struct {
		tag, typ uint16
		count    uint32
		val      []byte // when longer than 4 bytes, stored after the IFD
	}
	le := binary.LittleEndian
	u32 := func(v uint32) []byte { return le.AppendUint32(nil, v) }
	u16 := func(v uint16) []byte { return append(le.AppendUint16(nil, v), 0, 0) }
	ascii := func(s string) []byte { return append([]byte(s), 0) }
	exifIFD := []ent{{tagDateTimeOriginal, typeASCII, 20, ascii(date[:19])}}
	if offset != "" && len(offset) <= 6 {
		exifIFD = append(exifIFD, ent{tagOffsetTimeOriginal, typeASCII, uint32(len(offset) + 1), ascii(offset)})
	}
	exifIFD = append(exifIFD, ent{tagPixelX, typeLong, 1, u32(uint32(w))}, ent{tagPixelY, typeLong, 1, u32(uint32(h))})
	ifd0 := []ent{{tagOrientation, typeShort, 1, u16(1)}, {tagExifIFD, typeLong, 1, nil}}

	// Layout: header (8), IFD0, Exif IFD, then the long values.
	ifdLen := func(es []ent) int { return 2 + 12*len(es) + 4 }
	ifd0Off := 8
	exifOff := ifd0Off + ifdLen(ifd0)
	dataOff := exifOff + ifdLen(exifIFD)
	ifd0[1].val = u32(uint32(exifOff))
	t := []byte("II*\x00")
	t = le.AppendUint32(t, uint32(ifd0Off))
	var data []byte
	write := func(es []ent) {
		t = le.AppendUint16(t, uint16(len(es)))
		for _, e := range es {
			t = le.AppendUint16(t, e.tag)
			t = le.AppendUint16(t, e.typ)
			t = le.AppendUint32(t, e.count)
			if len(e.val) <= 4 {
				t = append(t, e.val...)
				t = append(t, make([]byte, 4-len(e.val))...)
			} else {
				t = le.AppendUint32(t, uint32(dataOff+len(data)))
				data = append(data, e.val...)
				if len(data)%2 == 1 {
					data = append(data, 0)
				}
			}
		}
		t = le.AppendUint32(t, 0)
	}
	write(ifd0)
	write(exifIFD)
	return append(append(append([]byte{}, exifPrefix...), t...), data...)
}
