package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"io"

	"github.com/gen2brain/avif"
	"github.com/gen2brain/heic"
)

// HEIC/HEIF and AVIF are decoded by libheif (with libde265) and libavif
// (with dav1d) compiled to WebAssembly and run by wazero, through
// github.com/gen2brain/heic and github.com/gen2brain/avif: no cgo, so the
// binary stays static. (When the binary is dynamically linked and a
// libheif.so or libavif.so is installed, those packages use the system
// library through purego instead; a static build never does.) Both read
// the whole file into memory and decode the whole primary image; see
// docs/media.md for their speed and memory.

// maxHEIFBytes bounds the HEIF and AVIF files decoded: the decoders need
// the whole file in memory.
const maxHEIFBytes = 256 << 20

// heifItem is what the boxes of a HEIF or AVIF file say about one image
// item: its stored size (ispe) and the orientation its transformative
// properties (irot, imir) give, as an EXIF orientation.
type heifItem struct {
	ID            uint32
	Width, Height int
	Orientation   int  // 1-8; 1 when there is no transformation
	Transformed   bool // the item has an irot or imir property
	// transforms are the file offsets of the irot and imir boxes, and
	// essential those of the first byte of each of their associations in
	// ipma (its top bit marks the property essential).
	transforms, essential []int64
}

// heifInfo is the primary image of a HEIF or AVIF file and its
// thumbnails (items with a "thmb" reference to it).
type heifInfo struct {
	heifItem
	Thumbs []heifItem
	// pitm is the file offset of the primary item's ID in pitm, and
	// pitmWide whether it is 32 bits wide (else 16).
	pitm     int64
	pitmWide bool
}

// readHEIFInfo reads the meta box of a HEIF or AVIF file: the primary item
// (pitm), the thumbnails referring to it (iref thmb), their properties
// (iprp: ipco and ipma), and from those the image spatial extents (ispe)
// and the rotation (irot) and mirroring (imir) in the order they apply.
func readHEIFInfo(r io.ReaderAt, size int64) (heifInfo, error) {
	info := heifInfo{heifItem: heifItem{Orientation: 1}}
	count := 0
	var primary uint32
	var props []bmffBox // ipco's children, in order (1-based in ipma)
	var assoc map[uint32][]ipmaEntry
	var ipmaBody int64
	thumbOf := map[uint32][]uint32{} // to item -> thumbnail items
	err := walkBoxes(r, 0, size, &count, func(b bmffBox) error {
		if b.typ != "meta" {
			return nil
		}
		err := children(r, b, 4, &count, func(c bmffBox) error {
			switch c.typ {
			case "pitm":
				body, err := readBody(r, c, 8)
				if err != nil {
					return err
				}
				info.pitm = c.body + 4
				if len(body) > 0 && body[0] == 0 {
					primary = uint32(be16(body, 4))
				} else {
					primary, info.pitmWide = be32(body, 4), true
				}
			case "iref":
				body, err := readBody(r, c, maxMetaBox)
				if err != nil {
					return err
				}
				parseThumbRefs(body, thumbOf)
			case "iprp":
				return children(r, c, 0, &count, func(d bmffBox) error {
					switch d.typ {
					case "ipco":
						return children(r, d, 0, &count, func(p bmffBox) error {
							props = append(props, p)
							return nil
						})
					case "ipma":
						body, err := readBody(r, d, maxMetaBox)
						if err != nil {
							return err
						}
						assoc, ipmaBody = parseIPMA(body), d.body
					}
					return nil
				})
			}
			return nil
		})
		if err != nil {
			return err
		}
		return errStop
	})
	if err != nil {
		return info, err
	}
	item := func(id uint32) (heifItem, error) {
		it := heifItem{ID: id}
		t := transform{}
		for _, a := range assoc[id] {
			if a.index < 1 || a.index > len(props) {
				continue
			}
			p := props[a.index-1]
			if p.typ == "irot" || p.typ == "imir" {
				it.transforms = append(it.transforms, p.start)
				it.essential = append(it.essential, ipmaBody+int64(a.at))
			}
			switch p.typ {
			case "ispe":
				body, err := readBody(r, p, 12)
				if err != nil {
					return it, err
				}
				it.Width, it.Height = int(be32(body, 4)), int(be32(body, 8))
			case "irot":
				body, err := readBody(r, p, 1)
				if err != nil || len(body) < 1 {
					return it, err
				}
				t, it.Transformed = t.rotateCCW(int(body[0]&3)), true
			case "imir":
				body, err := readBody(r, p, 1)
				if err != nil || len(body) < 1 {
					return it, err
				}
				// ISO/IEC 23008-12:2022 (and libheif, libavif): mode 0
				// mirrors top to bottom, 1 left to right.
				it.Transformed = true
				if body[0]&1 == 0 {
					t = t.flipV()
				} else {
					t = t.flipH()
				}
			}
		}
		it.Orientation = t.exif()
		return it, nil
	}
	if info.heifItem, err = item(primary); err != nil {
		return info, err
	}
	for _, id := range thumbOf[primary] {
		th, err := item(id)
		if err == nil && th.Width > 0 && th.Height > 0 {
			info.Thumbs = append(info.Thumbs, th)
		}
	}
	return info, nil
}

// parseThumbRefs reads the "thmb" references of an iref payload into
// thumbOf: for each item, the items that are its thumbnails.
func parseThumbRefs(b []byte, thumbOf map[uint32][]uint32) {
	if len(b) < 4 {
		return
	}
	wide := b[0] != 0
	off := 4
	for n := 0; off+8 <= len(b) && n < 10000; n++ {
		size := int(be32(b, off))
		typ := string(b[off+4 : off+8])
		if size < 8 || off+size > len(b) {
			return
		}
		ref := b[off+8 : off+size]
		off += size
		if typ != "thmb" {
			continue
		}
		id := func(i int) (uint32, int) {
			if wide {
				return be32(ref, i), i + 4
			}
			return uint32(be16(ref, i)), i + 2
		}
		from, i := id(0)
		count := int(be16(ref, i))
		i += 2
		for range count {
			var to uint32
			if to, i = id(i); i > len(ref) {
				break
			}
			thumbOf[to] = append(thumbOf[to], from)
		}
	}
}

// ipmaEntry is one association of an item with a property: its 1-based
// index in ipco, and the offset of the association in the ipma payload.
type ipmaEntry struct {
	index, at int
}

// parseIPMA reads an item property association box: for each item, its
// properties in ipco, in order.
func parseIPMA(b []byte) map[uint32][]ipmaEntry {
	out := map[uint32][]ipmaEntry{}
	if len(b) < 8 {
		return out
	}
	version, flags := b[0], be32(b, 0)&0xffffff
	n := int(be32(b, 4))
	off := 8
	for range n {
		var item uint32
		if version < 1 {
			if off+2 > len(b) {
				break
			}
			item, off = uint32(be16(b, off)), off+2
		} else {
			if off+4 > len(b) {
				break
			}
			item, off = be32(b, off), off+4
		}
		if off >= len(b) {
			break
		}
		k := int(b[off])
		off++
		for range k {
			var idx int
			at := off
			if flags&1 != 0 {
				if off+2 > len(b) {
					return out
				}
				idx, off = int(be16(b, off)&0x7fff), off+2
			} else {
				if off >= len(b) {
					return out
				}
				idx, off = int(b[off]&0x7f), off+1
			}
			out[item] = append(out[item], ipmaEntry{idx, at})
		}
	}
	return out
}

// transform is a flip left to right (when flip), then a clockwise
// rotation by rot quarter turns: every orientation of a picture is one.
type transform struct {
	rot  int // 0-3 quarter turns clockwise
	flip bool
}

// rotateCCW applies a further counter-clockwise rotation by n quarter
// turns (HEIF's irot).
func (t transform) rotateCCW(n int) transform {
	t.rot = ((t.rot-n)%4 + 4) % 4
	return t
}

// flipH applies a further flip left to right: H·R^r = R^-r·H.
func (t transform) flipH() transform {
	return transform{rot: (4 - t.rot) % 4, flip: !t.flip}
}

// flipV applies a further flip top to bottom, which is a flip left to
// right turned by 180°.
func (t transform) flipV() transform {
	t = t.flipH()
	t.rot = (t.rot + 2) % 4
	return t
}

// exif is the EXIF orientation that asks for the same transform.
func (t transform) exif() int {
	codes := [2][4]int{{1, 6, 3, 8}, {2, 7, 4, 5}}
	f := 0
	if t.flip {
		f = 1
	}
	return codes[f][t.rot]
}

// decodeHEIF decodes the primary image of a HEIF (f is formatHEIF) or AVIF
// file as stored, with the orientation that still has to be applied to see
// it as meant: the file's irot and imir as an EXIF orientation (libavif
// ignores them; libheif is kept from applying them, see below). A file without irot
// or imir gets exifOrientation instead: early iPhone HEICs (iOS 11) store
// the picture as the sensor saw it with only EXIF's Orientation to turn
// it. When a file has both, irot and imir win, as the HEIF specification
// asks (an iPhone that writes both makes them agree). The image
// size from ispe is checked against MaxPixels first, and check, when not
// nil, sees the size as displayed.
func decodeHEIF(f format, r io.Reader, exifOrientation, want int, check func(image.Config) error) (img image.Image, orientation int, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("%s decoder failed: %v", f, p)
		}
	}()
	b, err := io.ReadAll(io.LimitReader(r, maxHEIFBytes+1))
	if err != nil {
		return nil, 0, err
	}
	if len(b) > maxHEIFBytes {
		return nil, 0, fmt.Errorf("%w (more than %d MiB)", errTooLarge, maxHEIFBytes>>20)
	}
	hi, err := readHEIFInfo(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, 0, err
	}
	if hi.Width <= 0 || hi.Height <= 0 {
		return nil, 0, fmt.Errorf("%s without the size of its primary image (ispe)", f)
	}
	if int64(hi.Width)*int64(hi.Height) > MaxPixels {
		return nil, 0, fmt.Errorf("%w (%dx%d pixels)", errTooLarge, hi.Width, hi.Height)
	}
	if !hi.Transformed {
		hi.Orientation = max(exifOrientation, 1)
	}
	// For a small thumbnail, the file's own thumbnail (an iPhone's is
	// 320×240) decodes ten times as fast as the photo: libheif or libavif
	// is then given the file with that item as its primary one.
	it := hi.heifItem
	if th, ok := chooseHEIFThumb(hi.Thumbs, want); ok && check == nil {
		b = bytes.Clone(b)
		if hi.pitmWide {
			binary.BigEndian.PutUint32(b[hi.pitm:], th.ID)
		} else if th.ID <= 0xffff {
			binary.BigEndian.PutUint16(b[hi.pitm:], uint16(th.ID))
		}
		if th.Transformed {
			it = th
		} else {
			// A thumbnail without transformations of its own is turned as
			// its photo is.
			it.Width, it.Height, it.transforms, it.essential = th.Width, th.Height, nil, nil
		}
		if !hi.Transformed && !th.Transformed {
			it.Orientation = hi.Orientation
		}
	}
	if check != nil {
		w, h := hi.Width, hi.Height
		if hi.Orientation >= 5 {
			w, h = h, w
		}
		if err := check(image.Config{Width: w, Height: h}); err != nil {
			return nil, 0, err
		}
	}
	if f == formatAVIF {
		img, err = avif.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, 0, fmt.Errorf("AVIF: %w", err)
		}
		return img, it.Orientation, nil
	}
	if len(it.transforms) > 0 {
		// github.com/gen2brain/heic v0.4.5 copies libheif's planes with
		// the stride of the unturned image: a quarter turn garbles the
		// picture or fails out of bounds. So libheif gets the file without
		// its transformations (their boxes renamed "free", no longer
		// essential: same size, same offsets), and they are applied here.
		b = bytes.Clone(b)
		for _, off := range it.transforms {
			copy(b[off+4:off+8], "free")
		}
		for _, off := range it.essential {
			b[off] &^= 0x80
		}
	}
	img, err = heic.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, 0, fmt.Errorf("HEIF: %w", err)
	}
	return img, it.Orientation, nil
}

// minHEIFDecodeWidth is the narrowest thumbnail item decoded:
// github.com/gen2brain/heic v0.4.5 garbles images narrower than 128
// pixels (it assumes chroma rows of half the width rounded up to 16
// bytes, where libheif makes them at least 64).
const minHEIFDecodeWidth = 128

// chooseHEIFThumb picks the smallest of a HEIF's thumbnails that is at
// least want pixels on its longer side; false when none is (or want is 0).
func chooseHEIFThumb(thumbs []heifItem, want int) (heifItem, bool) {
	var best heifItem
	found := false
	for _, t := range thumbs {
		long := max(t.Width, t.Height)
		if want <= 0 || long < want || t.Width < minHEIFDecodeWidth || int64(t.Width)*int64(t.Height) > MaxPixels {
			continue
		}
		if !found || long < max(best.Width, best.Height) {
			best, found = t, true
		}
	}
	return best, found
}
