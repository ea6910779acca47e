package mediatest

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

// TIFF tags and types the generated files use.
const (
	tagImageWidth         = 0x0100
	tagImageLength        = 0x0101
	tagMake               = 0x010f
	tagModel              = 0x0110
	tagOrientation        = 0x0112
	tagDateTime           = 0x0132
	tagExifIFD            = 0x8769
	tagDateTimeOriginal   = 0x9003
	tagOffsetTimeOriginal = 0x9011
	tagDNGVersion         = 0xc612

	typeByte  = 1
	typeASCII = 2
	typeShort = 3
	typeLong  = 4
)

// byteOrder is a TIFF byte order: binary.LittleEndian or binary.BigEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// entry is one IFD entry; val is its value in the file's byte order.
type entry struct {
	tag, typ uint16
	count    uint32
	val      []byte
}

func shortEntry(bo byteOrder, tag uint16, v uint16) entry {
	return entry{tag, typeShort, 1, bo.AppendUint16(nil, v)}
}

func longEntry(bo byteOrder, tag uint16, v uint32) entry {
	return entry{tag, typeLong, 1, bo.AppendUint32(nil, v)}
}

func asciiEntry(tag uint16, s string) entry {
	return entry{tag, typeASCII, uint32(len(s) + 1), append([]byte(s), 0)}
}

// exifDate formats t as EXIF writes dates, on t's own wall clock.
func exifDate(t time.Time) string { return t.Format("2006:01:02 15:04:05") }

// exifOffset formats t's UTC offset as EXIF's OffsetTime tags do.
func exifOffset(t time.Time) string { return t.Format("-07:00") }

// buildTIFF lays out a TIFF structure: the 8-byte header, IFD0 and, when
// exif is not empty, an Exif IFD that IFD0 points to. Values longer than
// four bytes follow their IFD, at even offsets.
func buildTIFF(bo byteOrder, ifd0, exif []entry) []byte {
	out := []byte("II*\x00\x08\x00\x00\x00")
	if bo == binary.BigEndian {
		out = []byte("MM\x00*\x00\x00\x00\x08")
	}
	if len(exif) > 0 {
		ifd0 = append(slices.Clone(ifd0), longEntry(bo, tagExifIFD, 0))
	}
	out, pos := appendIFD(out, bo, ifd0)
	if len(exif) > 0 {
		bo.PutUint32(out[pos[tagExifIFD]:], uint32(len(out)))
		out, _ = appendIFD(out, bo, exif)
	}
	return out
}

// appendIFD appends an IFD whose offset is len(out) and its out-of-line
// values. It returns where each entry's value field is.
func appendIFD(out []byte, bo byteOrder, entries []entry) ([]byte, map[uint16]int) {
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b entry) int { return int(a.tag) - int(b.tag) })
	dataOff := len(out) + 2 + 12*len(entries) + 4
	var data []byte
	pos := map[uint16]int{}
	out = bo.AppendUint16(out, uint16(len(entries)))
	for _, e := range entries {
		out = bo.AppendUint16(out, e.tag)
		out = bo.AppendUint16(out, e.typ)
		out = bo.AppendUint32(out, e.count)
		pos[e.tag] = len(out)
		if len(e.val) <= 4 {
			out = append(out, e.val...)
			out = append(out, make([]byte, 4-len(e.val))...)
			continue
		}
		out = bo.AppendUint32(out, uint32(dataOff+len(data)))
		data = append(data, e.val...)
		if len(data)%2 == 1 {
			data = append(data, 0)
		}
	}
	out = bo.AppendUint32(out, 0) // no next IFD
	return append(out, data...), pos
}

// exifTIFF is the TIFF structure of a JPEG's EXIF segment: IFD0 with the
// orientation (when not 0) and an Exif IFD with the date taken (when not
// zero) and, for a time not in UTC, its offset.
func exifTIFF(bo byteOrder, takenAt time.Time, orientation int) []byte {
	ifd0 := []entry{asciiEntry(tagMake, "photosync"), asciiEntry(tagModel, "mediatest")}
	if orientation != 0 {
		ifd0 = append(ifd0, shortEntry(bo, tagOrientation, uint16(orientation)))
	}
	var exif []entry
	if !takenAt.IsZero() {
		exif = append(exif, asciiEntry(tagDateTimeOriginal, exifDate(takenAt)))
		if takenAt.Location() != time.UTC {
			exif = append(exif, asciiEntry(tagOffsetTimeOriginal, exifOffset(takenAt)))
		}
	}
	return buildTIFF(bo, ifd0, exif)
}

// RAWTakenAt is the date taken that RAW writes for a seed.
func RAWTakenAt(seed int64) time.Time {
	base := time.Date(2021, time.June, 7, 8, 9, 10, 0, time.UTC)
	return base.Add(time.Duration(seed%1_000_000) * time.Minute)
}

// rawHeader is the TIFF structure of a stand-in DNG.
func rawHeader(seed int64) []byte {
	bo := binary.LittleEndian
	takenAt := RAWTakenAt(seed)
	ifd0 := []entry{
		longEntry(bo, tagImageWidth, 160),
		longEntry(bo, tagImageLength, 120),
		asciiEntry(tagMake, "photosync"),
		asciiEntry(tagModel, fmt.Sprintf("mediatest RAW %d", seed)),
		shortEntry(bo, tagOrientation, 1),
		asciiEntry(tagDateTime, exifDate(takenAt)),
		{tagDNGVersion, typeByte, 4, []byte{1, 4, 0, 0}},
	}
	return buildTIFF(bo, ifd0, []entry{asciiEntry(tagDateTimeOriginal, exifDate(takenAt))})
}
