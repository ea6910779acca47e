package mediatest

import (
	"encoding/binary"
	"testing"
	"time"
)

// More TIFF tags the RAW generators use.
const (
	tagNewSubfileType = 0x00fe
	tagCompression    = 0x0103
	tagStripOffsets   = 0x0111
	tagStripCounts    = 0x0117
	tagSubIFDs        = 0x014a
	tagLensModel      = 0xa434
)

// DNGOptions describe a generated DNG.
type DNGOptions struct {
	// Preview is the JPEG of the SubIFD (NewSubfileType 1, compression
	// 7); Thumb, when not nil, the smaller JPEG of IFD0.
	Preview, Thumb []byte
	Orientation    int       // IFD0's Orientation; 0 writes none
	TakenAt        time.Time // Exif IFD DateTimeOriginal, when not zero
	Make, Model    string
	Lens           string // Exif IFD LensModel, when not ""
}

// DNG returns a DNG as Adobe's converter lays one out, without the raw
// image data: a little-endian TIFF whose IFD0 (the thumbnail, with the
// camera's tags) points to a SubIFD holding the preview JPEG as its single
// strip, and to an Exif IFD.
func DNG(t testing.TB, o DNGOptions) []byte {
	t.Helper()
	if len(o.Preview) == 0 {
		t.Fatal("mediatest.DNG: no preview")
	}
	bo := binary.LittleEndian
	ifd0 := []entry{
		longEntry(bo, tagNewSubfileType, 1),
		{tagDNGVersion, typeByte, 4, []byte{1, 4, 0, 0}},
		longEntry(bo, tagSubIFDs, 0),
		longEntry(bo, tagExifIFD, 0),
	}
	if o.Make != "" {
		ifd0 = append(ifd0, asciiEntry(tagMake, o.Make))
	}
	if o.Model != "" {
		ifd0 = append(ifd0, asciiEntry(tagModel, o.Model))
	}
	if o.Orientation != 0 {
		ifd0 = append(ifd0, shortEntry(bo, tagOrientation, uint16(o.Orientation)))
	}
	if o.Thumb != nil {
		ifd0 = append(ifd0, shortEntry(bo, tagCompression, 7), longEntry(bo, tagStripOffsets, 0), longEntry(bo, tagStripCounts, uint32(len(o.Thumb))))
	}
	sub := []entry{
		longEntry(bo, tagNewSubfileType, 1),
		shortEntry(bo, tagCompression, 7),
		longEntry(bo, tagStripOffsets, 0),
		longEntry(bo, tagStripCounts, uint32(len(o.Preview))),
	}
	var exif []entry
	if !o.TakenAt.IsZero() {
		exif = append(exif, asciiEntry(tagDateTimeOriginal, exifDate(o.TakenAt)))
	}
	if o.Lens != "" {
		exif = append(exif, asciiEntry(tagLensModel, o.Lens))
	}
	out := []byte("II*\x00\x08\x00\x00\x00")
	out, p0 := appendIFD(out, bo, ifd0)
	bo.PutUint32(out[p0[tagSubIFDs]:], uint32(len(out)))
	out, p1 := appendIFD(out, bo, sub)
	bo.PutUint32(out[p0[tagExifIFD]:], uint32(len(out)))
	out, _ = appendIFD(out, bo, exif)
	if o.Thumb != nil {
		bo.PutUint32(out[p0[tagStripOffsets]:], uint32(len(out)))
		out = append(out, o.Thumb...)
	}
	bo.PutUint32(out[p1[tagStripOffsets]:], uint32(len(out)))
	return append(out, o.Preview...)
}

// RAF returns a Fujifilm RAF with preview as the JPEG its header points
// to, and no raw data.
func RAF(t testing.TB, preview []byte) []byte {
	t.Helper()
	out := make([]byte, 160)
	copy(out, "FUJIFILMCCD-RAW 0201FF383501")
	binary.BigEndian.PutUint32(out[84:], uint32(len(out)))
	binary.BigEndian.PutUint32(out[88:], uint32(len(preview)))
	return append(out, preview...)
}

// CR3Taken is the date taken a CR3 from CR3 says (its CMT2 box).
var CR3Taken = time.Date(2022, 8, 9, 10, 11, 12, 0, time.UTC)

// CR3 returns a Canon CR3 with preview in the PRVW box of the uuid box
// Canon puts at the top level, as Canon lays it out, and no raw data; its
// moov holds Canon's uuid box with CMT1 (Make "Canon", Model "Canon EOS
// R5", no Orientation) and CMT2 (DateTimeOriginal CR3Taken), each a TIFF
// structure.
func CR3(t testing.TB, preview []byte) []byte {
	t.Helper()
	prvwUUID := []byte{0xea, 0xf4, 0x2b, 0x5e, 0x1c, 0xeb, 0x4b, 0x88, 0xb9, 0xfb, 0xb7, 0xdc, 0x40, 0x6e, 0x4d, 0x16}
	prvw := make([]byte, 16) // unknown, width, height, ..., JPEG length
	binary.BigEndian.PutUint32(prvw[12:], uint32(len(preview)))
	body := append(append([]byte{}, prvwUUID...), make([]byte, 8)...)
	body = append(body, Box("PRVW", append(prvw, preview...))...)
	bo := binary.LittleEndian
	cmt1 := buildTIFF(bo, []entry{asciiEntry(tagMake, "Canon"), asciiEntry(tagModel, "Canon EOS R5")}, nil)
	cmt2 := buildTIFF(bo, []entry{asciiEntry(tagDateTimeOriginal, exifDate(CR3Taken))}, nil)
	moovUUID := []byte{0x85, 0xc0, 0xb6, 0x87, 0x82, 0x0f, 0x11, 0xe0, 0x81, 0x11, 0xf4, 0xce, 0x46, 0x2b, 0x6a, 0x48}
	out := Box("ftyp", []byte("crx \x00\x00\x00\x01crx isom"))
	out = append(out, Box("moov", Box("uuid", moovUUID, Box("CMT1", cmt1), Box("CMT2", cmt2)))...)
	return append(out, Box("uuid", body)...)
}

// Box returns an ISO base media box of type typ (four characters) around
// payload.
func Box(typ string, payload ...[]byte) []byte {
	n := 8
	for _, p := range payload {
		n += len(p)
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(n))
	out = append(out, typ[:4]...)
	for _, p := range payload {
		out = append(out, p...)
	}
	return out
}

// MP4Options describe a generated MP4 or MOV.
type MP4Options struct {
	Brand    string        // the ftyp major brand; "isom" when ""
	Created  time.Time     // mvhd's and tkhd's creation time; zero writes 0
	Duration time.Duration // mvhd's, in a 1000 timescale
	// Width and Height are the video track's (tkhd); Rotate90 sets its
	// matrix to a quarter turn, as phones record portrait videos.
	Width, Height int
	Rotate90      bool
	// AppleCreationDate, when set, is written as the QuickTime metadata
	// key com.apple.quicktime.creationdate ("2019-06-14T10:41:33+0200");
	// Day as the udta ©day text; Make and Model as the QuickTime keys.
	AppleCreationDate, Day string
	Make, Model            string
	// Mdat is the size of the mdat box's payload after moov.
	Mdat int
}

// MP4 returns an ISO base media file with moov (mvhd, one video trak with
// tkhd and mdia/hdlr "vide", udta, meta) and an mdat of zeros: what
// readers of the container's metadata look at, with no playable video.
func MP4(t testing.TB, o MP4Options) []byte {
	t.Helper()
	be := binary.BigEndian
	var created uint32
	if !o.Created.IsZero() {
		created = uint32(o.Created.Unix() + 2082844800) // seconds since 1904
	}
	mvhd := make([]byte, 100)
	be.PutUint32(mvhd[4:], created)
	be.PutUint32(mvhd[8:], created)
	be.PutUint32(mvhd[12:], 1000)
	be.PutUint32(mvhd[16:], uint32(o.Duration/time.Millisecond))
	be.PutUint32(mvhd[20:], 0x00010000)
	be.PutUint32(mvhd[96:], 2)
	tkhd := make([]byte, 84)
	tkhd[3] = 3 // enabled, in movie
	be.PutUint32(tkhd[4:], created)
	be.PutUint32(tkhd[8:], created)
	be.PutUint32(tkhd[12:], 1)
	be.PutUint32(tkhd[20:], uint32(o.Duration/time.Millisecond))
	matrix := [9]uint32{0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000}
	if o.Rotate90 {
		matrix = [9]uint32{0, 0x00010000, 0, 0xffff0000, 0, 0, 0, 0, 0x40000000}
	}
	for i, v := range matrix {
		be.PutUint32(tkhd[40+4*i:], v)
	}
	be.PutUint32(tkhd[76:], uint32(o.Width)<<16)
	be.PutUint32(tkhd[80:], uint32(o.Height)<<16)
	hdlr := append(make([]byte, 8), "vide"...)
	hdlr = append(hdlr, make([]byte, 13)...)
	trak := Box("trak", Box("tkhd", tkhd), Box("mdia", Box("hdlr", hdlr)))
	moov := [][]byte{Box("mvhd", mvhd), trak}
	if o.Day != "" {
		item := be.AppendUint16(nil, uint16(len(o.Day)))
		item = append(item, 0x15, 0xc7) // language
		moov = append(moov, Box("udta", Box("\xa9day", append(item, o.Day...))))
	}
	keys := map[string]string{}
	if o.AppleCreationDate != "" {
		keys["com.apple.quicktime.creationdate"] = o.AppleCreationDate
	}
	if o.Make != "" {
		keys["com.apple.quicktime.make"] = o.Make
	}
	if o.Model != "" {
		keys["com.apple.quicktime.model"] = o.Model
	}
	if len(keys) > 0 {
		mhdlr := append(make([]byte, 8), "mdta"...)
		mhdlr = append(mhdlr, make([]byte, 13)...)
		var keyBoxes, items [][]byte
		i := 0
		for _, k := range []string{"com.apple.quicktime.creationdate", "com.apple.quicktime.make", "com.apple.quicktime.model"} {
			v, ok := keys[k]
			if !ok {
				continue
			}
			i++
			keyBoxes = append(keyBoxes, Box("mdta", []byte(k)))
			data := append([]byte{0, 0, 0, 1, 0, 0, 0, 0}, v...)
			items = append(items, Box(string(be.AppendUint32(nil, uint32(i))), Box("data", data)))
		}
		keysBody := append([]byte{0, 0, 0, 0}, be.AppendUint32(nil, uint32(len(keyBoxes)))...)
		for _, k := range keyBoxes {
			keysBody = append(keysBody, k...)
		}
		moov = append(moov, Box("meta", Box("hdlr", mhdlr), Box("keys", keysBody), Box("ilst", items...)))
	}
	brand := o.Brand
	if brand == "" {
		brand = "isom"
	}
	out := Box("ftyp", []byte(brand), []byte{0, 0, 2, 0}, []byte(brand+"mp41"))
	out = append(out, Box("moov", moov...)...)
	return append(out, Box("mdat", make([]byte, o.Mdat))...)
}
