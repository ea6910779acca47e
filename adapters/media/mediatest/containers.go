package mediatest

import (
	"encoding/binary"
	"fmt"
)

// The container stand-ins below have the structure of real files (the
// boxes of an MP4, MOV, HEIC or CR3; the directories and strips of a DNG)
// around random bytes where the coded pictures would be: a structural
// check takes them for sound files, and a cut, emptied or zero-filled copy
// for a broken one. They need no testing.TB, so that the bench's data
// generator uses them too.

// fullBox is Box with a version and flags word first.
func fullBox(typ string, payload ...[]byte) []byte {
	return Box(typ, append([][]byte{{0, 0, 0, 0}}, payload...)...)
}

// ftypBox is an ftyp box of a major brand and compatible brands.
func ftypBox(major string, compatible ...string) []byte {
	p := append([]byte(major), 0, 0, 0, 0)
	for _, c := range compatible {
		p = append(p, c...)
	}
	return Box("ftyp", p)
}

// moovBox is a movie box with a movie header and one empty track.
func moovBox() []byte {
	mvhd := make([]byte, 96)
	binary.BigEndian.PutUint32(mvhd[8:], 1000)   // time scale
	binary.BigEndian.PutUint32(mvhd[16:], 1<<16) // rate 1.0
	binary.BigEndian.PutUint16(mvhd[20:], 1<<8)  // volume 1.0
	binary.BigEndian.PutUint32(mvhd[92:], 2)     // next track ID
	tkhd := make([]byte, 80)
	binary.BigEndian.PutUint32(tkhd[8:], 1) // track ID
	return Box("moov", fullBox("mvhd", mvhd), Box("trak", fullBox("tkhd", tkhd)))
}

// random returns n bytes determined by seed.
func random(seed int64, n int) []byte {
	b := make([]byte, n)
	randomBytes(seed, b)
	return b
}

// StandInMP4 returns an MP4 stand-in as phones write them for streaming: ftyp
// (isom), moov, then an mdat of n random bytes.
func StandInMP4(seed int64, n int) []byte {
	out := ftypBox("isom", "isom", "mp41")
	out = append(out, moovBox()...)
	return append(out, Box("mdat", random(seed, n))...)
}

// StandInMOV returns a QuickTime stand-in as cameras write them: ftyp (qt), a
// wide atom, an mdat of n random bytes, and the moov last.
func StandInMOV(seed int64, n int) []byte {
	out := ftypBox("qt  ", "qt  ")
	out = append(out, Box("wide")...)
	out = append(out, Box("mdat", random(seed, n))...)
	return append(out, moovBox()...)
}

// StandInHEIC returns a HEIC stand-in: ftyp (heic), a meta box whose item
// location points into the mdat, and an mdat of n random bytes.
func StandInHEIC(seed int64, n int) []byte {
	ftyp := ftypBox("heic", "mif1", "heic")
	meta := func(dataAt uint32) []byte {
		hdlr := append(make([]byte, 4), "pict"...)
		hdlr = append(hdlr, make([]byte, 13)...)
		infe := Box("infe", []byte{2, 0, 0, 0, 0, 1, 0, 0}, []byte("hvc1\x00")) // version 2, item 1
		iinf := fullBox("iinf", []byte{0, 1}, infe)
		iloc := []byte{0x44, 0x00, 0, 1, 0, 1, 0, 0, 0, 1}
		iloc = binary.BigEndian.AppendUint32(iloc, dataAt)
		iloc = binary.BigEndian.AppendUint32(iloc, uint32(n))
		return fullBox("meta", fullBox("hdlr", hdlr), fullBox("pitm", []byte{0, 1}), iinf, fullBox("iloc", iloc))
	}
	m := meta(0)
	m = meta(uint32(len(ftyp) + len(m) + 8))
	out := append(ftyp, m...)
	return append(out, Box("mdat", random(seed, n))...)
}

// StandInCR3 returns a Canon CR3 stand-in: ftyp (crx), moov, and an mdat of n
// random bytes.
func StandInCR3(seed int64, n int) []byte {
	out := ftypBox("crx ", "crx ", "isom")
	out = append(out, moovBox()...)
	return append(out, Box("mdat", random(seed, n))...)
}

// TIFF tags of DNG's layout.
const (
	tagStripByteCounts = 0x0117
)

// StandInDNG returns a DNG stand-in laid out as cameras and converters write
// them: the header, IFD0 (a small preview, uncompressed, and the camera's
// Make, Model, date and orientation) pointing to a SubIFD for the raw
// image (lossless-JPEG compressed: strips strips of stripSize random
// bytes) and to an Exif IFD with DateTimeOriginal (RAWTakenAt(seed)),
// then the preview's and the raw image's strips, to the end of the file.
func StandInDNG(seed int64, strips, stripSize int) []byte {
	if strips < 1 || stripSize < 1 {
		panic(fmt.Sprintf("mediatest.DNG: %d strips of %d bytes", strips, stripSize))
	}
	bo := binary.LittleEndian
	takenAt := RAWTakenAt(seed)
	const preview = 96 * 64 * 3
	longs := func(tag uint16, n int) entry {
		return entry{tag, typeLong, uint32(n), make([]byte, 4*n)}
	}
	ifd0 := []entry{
		longEntry(bo, tagNewSubfileType, 1),
		longEntry(bo, tagImageWidth, 96),
		longEntry(bo, tagImageLength, 64),
		shortEntry(bo, tagCompression, 1),
		asciiEntry(tagMake, "photosync"),
		asciiEntry(tagModel, fmt.Sprintf("mediatest DNG %d", seed)),
		shortEntry(bo, tagOrientation, 1),
		longEntry(bo, tagStripOffsets, 0),
		longEntry(bo, tagStripByteCounts, preview),
		asciiEntry(tagDateTime, exifDate(takenAt)),
		longEntry(bo, tagSubIFDs, 0),
		longEntry(bo, tagExifIFD, 0),
		{tagDNGVersion, typeByte, 4, []byte{1, 4, 0, 0}},
	}
	raw := []entry{
		longEntry(bo, tagNewSubfileType, 0),
		longEntry(bo, tagImageWidth, 4000),
		longEntry(bo, tagImageLength, 3000),
		shortEntry(bo, tagCompression, 7),
		longs(tagStripOffsets, strips),
		longs(tagStripByteCounts, strips),
	}
	if strips == 1 {
		raw[4], raw[5] = longEntry(bo, tagStripOffsets, 0), longEntry(bo, tagStripByteCounts, 0)
	}
	out := []byte("II*\x00\x08\x00\x00\x00")
	out, pos0 := appendIFD(out, bo, ifd0)
	bo.PutUint32(out[pos0[tagSubIFDs]:], uint32(len(out)))
	out, posRaw := appendIFD(out, bo, raw)
	bo.PutUint32(out[pos0[tagExifIFD]:], uint32(len(out)))
	out, _ = appendIFD(out, bo, []entry{asciiEntry(tagDateTimeOriginal, exifDate(takenAt))})

	// The strips follow the directories.
	bo.PutUint32(out[pos0[tagStripOffsets]:], uint32(len(out)))
	out = append(out, random(seed^0x5eed, preview)...)
	put := func(tag uint16, i int, v uint32) {
		at := posRaw[tag]
		if strips > 1 {
			at = int(bo.Uint32(out[at:])) + 4*i
		}
		bo.PutUint32(out[at:], v)
	}
	data := random(seed, strips*stripSize)
	for i := range strips {
		put(tagStripOffsets, i, uint32(len(out)+i*stripSize))
		put(tagStripByteCounts, i, uint32(stripSize))
	}
	return append(out, data...)
}

// MP4Head returns the first bytes of an MP4 of size bytes: ftyp, moov and
// the header of an mdat that runs to the end of the file (64-bit when the
// file needs it). Writing size-len(head) bytes of anything after it makes
// an MP4 whose boxes are sound, without holding it in memory.
func MP4Head(size int64) []byte {
	head := append(ftypBox("isom", "isom", "mp41"), moovBox()...)
	mdat := size - int64(len(head))
	if mdat < 1<<32 {
		return append(binary.BigEndian.AppendUint32(head, uint32(mdat)), "mdat"...)
	}
	head = append(binary.BigEndian.AppendUint32(head, 1), "mdat"...)
	return binary.BigEndian.AppendUint64(head, uint64(mdat))
}
