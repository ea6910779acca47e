package media

import (
	"encoding/binary"
	"fmt"
	"io"
)

// TIFF tags the checker follows.
const (
	tiffCompression   = 0x0103
	tiffStripOffsets  = 0x0111
	tiffStripCounts   = 0x0117
	tiffTileOffsets   = 0x0144
	tiffTileCounts    = 0x0145
	tiffSubIFDs       = 0x014a
	tiffJPEGOffset    = 0x0201
	tiffJPEGLength    = 0x0202
	tiffExifIFD       = 0x8769
	tiffMaxIFDs       = 64   // directories followed in one file
	tiffMaxEntries    = 4096 // entries in one directory; real ones have a few hundred
	tiffEntriesAtOnce = 64
)

// tiffTypeSize is the size of one value of each TIFF type; 0 for unknown
// types.
var tiffTypeSize = [...]int64{1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}

// tiffEntry is one IFD entry, its value field as it is in the file.
type tiffEntry struct {
	typ   uint16
	count uint32
	field [4]byte
}

// size is the byte size of the entry's values; 0 for an unknown type.
func (e tiffEntry) size() int64 {
	if int(e.typ) >= len(tiffTypeSize) {
		return 0
	}
	return tiffTypeSize[e.typ] * int64(e.count)
}

// tiffWalker checks the directories of one TIFF file.
type tiffWalker struct {
	ra      io.ReaderAt
	bo      binary.ByteOrder
	size    int64
	kind    string
	s       *stream
	queue   []uint32
	visited int
}

// checkTIFF checks a TIFF or TIFF-based RAW file by reading its
// directories (IFD0 and its chain, SubIFDs, the Exif IFD) from ra: each
// must lie inside the file, as must every strip, tile and embedded JPEG
// preview they point to. BigTIFF files get their header checked only.
func checkTIFF(s *stream, ra io.ReaderAt, k kind, size int64) error {
	var h [8]byte
	if size < 8 {
		return bad("truncated: the %s ends inside its header", k.name)
	}
	if _, err := ra.ReadAt(h[:], 0); err != nil && err != io.EOF {
		return err
	}
	var bo binary.ByteOrder
	switch string(h[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return bad("not a %s file: no TIFF byte order mark", k.name)
	}
	switch bo.Uint16(h[2:4]) {
	case 42, 0x4f52, 0x5352, 0x55: // TIFF, Olympus ORF, Panasonic RW2
	case 43:
		return nil // BigTIFF
	default:
		return bad("not a %s file: no TIFF magic number", k.name)
	}
	t := &tiffWalker{ra: ra, bo: bo, size: size, kind: k.name, s: s}
	t.queue = append(t.queue, bo.Uint32(h[4:8]))
	for len(t.queue) > 0 {
		off := t.queue[0]
		t.queue = t.queue[1:]
		if err := t.ifd(off); err != nil {
			return err
		}
	}
	return nil
}

// ifd checks the directory at off and queues the ones it points to.
func (t *tiffWalker) ifd(off uint32) error {
	if t.visited++; t.visited > tiffMaxIFDs {
		return bad("the %s's directories form a loop or are more than %d", t.kind, tiffMaxIFDs)
	}
	at := int64(off)
	if at < 8 {
		return bad("the %s is damaged: a directory would start at offset %d, inside its header", t.kind, at)
	}
	if at+2 > t.size {
		return truncated(at+2-t.size, "the %s's directory at offset %d", t.kind, at)
	}
	var nb [2]byte
	if err := t.readAt(nb[:], at); err != nil {
		return err
	}
	n := int64(t.bo.Uint16(nb[:]))
	if n > tiffMaxEntries {
		return bad("the %s is damaged: its directory at offset %d claims %d entries", t.kind, at, n)
	}
	end := at + 2 + 12*n + 4
	if end > t.size {
		return truncated(end-t.size, "the %s's directory at offset %d", t.kind, at)
	}
	var compression uint16
	var strips, counts, tiles, tileCounts, jpegOff, jpegLen *tiffEntry
	var chunk [12 * tiffEntriesAtOnce]byte
	var entries [tiffEntriesAtOnce]tiffEntry
	var keep [6]tiffEntry
	for i := int64(0); i < n; i += tiffEntriesAtOnce {
		m := min(n-i, tiffEntriesAtOnce)
		b := chunk[:12*m]
		if err := t.readAt(b, at+2+12*i); err != nil {
			return err
		}
		for j := range m {
			e := b[12*j : 12*j+12]
			tag := t.bo.Uint16(e[0:2])
			ent := &entries[j]
			ent.typ, ent.count = t.bo.Uint16(e[2:4]), t.bo.Uint32(e[4:8])
			copy(ent.field[:], e[8:12])
			switch tag {
			case tiffCompression:
				if ent.typ == 3 {
					compression = t.bo.Uint16(ent.field[:2])
				}
			case tiffStripOffsets:
				keep[0] = *ent
				strips = &keep[0]
			case tiffStripCounts:
				keep[1] = *ent
				counts = &keep[1]
			case tiffTileOffsets:
				keep[2] = *ent
				tiles = &keep[2]
			case tiffTileCounts:
				keep[3] = *ent
				tileCounts = &keep[3]
			case tiffJPEGOffset:
				keep[4] = *ent
				jpegOff = &keep[4]
			case tiffJPEGLength:
				keep[5] = *ent
				jpegLen = &keep[5]
			case tiffSubIFDs, tiffExifIFD:
				if err := t.queueIFDs(*ent); err != nil {
					return err
				}
			}
		}
	}
	where := fmt.Sprintf("directory at offset %d", at)
	if strips != nil && counts != nil {
		if err := t.data(*strips, *counts, "strip", where, compression == 1); err != nil {
			return err
		}
	}
	if tiles != nil && tileCounts != nil {
		if err := t.data(*tiles, *tileCounts, "tile", where, compression == 1); err != nil {
			return err
		}
	}
	if jpegOff != nil && jpegLen != nil {
		if err := t.data(*jpegOff, *jpegLen, "preview", where, false); err != nil {
			return err
		}
	}
	var next [4]byte
	if err := t.readAt(next[:], end-4); err != nil {
		return err
	}
	if nx := t.bo.Uint32(next[:]); nx != 0 {
		t.queue = append(t.queue, nx)
	}
	return nil
}

// queueIFDs queues the directories an entry (SubIFDs, Exif IFD) points to.
func (t *tiffWalker) queueIFDs(e tiffEntry) error {
	if e.typ != 4 && e.typ != 13 {
		return nil
	}
	return t.values(e, "list of directory pointers", func(_ int64, v uint32) error {
		if len(t.queue) >= tiffMaxIFDs {
			return bad("the %s's directories form a loop or are more than %d", t.kind, tiffMaxIFDs)
		}
		t.queue = append(t.queue, v)
		return nil
	})
}

// data checks that the blocks (strips, tiles, a preview) whose offsets and
// byte counts two entries give lie inside the file.
func (t *tiffWalker) data(offs, counts tiffEntry, what, where string, uncompressed bool) error {
	n := min(offs.count, counts.count)
	if n == 0 || !tiffIntType(offs.typ) || !tiffIntType(counts.typ) {
		return nil // not offsets a reader would follow either
	}
	offs.count, counts.count = n, n
	// Read the two arrays in step, a block of values at a time.
	const block = 128
	var ob, cb [block]uint32
	var worst, worstAt int64 // the block that runs furthest past the end
	for i := int64(0); i < int64(n); i += block {
		m := min(int64(n)-i, block)
		if err := t.read(offs, i, ob[:m], "list of "+what+" offsets"); err != nil {
			return err
		}
		if err := t.read(counts, i, cb[:m], "list of "+what+" sizes"); err != nil {
			return err
		}
		for j := range m {
			start, end := int64(ob[j]), int64(ob[j])+int64(cb[j])
			if end > t.size && end > worst {
				worst, worstAt = end, i+j+1
			}
			if uncompressed && cb[j] > 0 && end >= t.size-4096 {
				// Image data that ends the file may end in zeros.
				t.s.zeroOK = min(t.s.zeroOK, start)
			}
		}
	}
	if worst > 0 {
		return truncated(worst-t.size, "the %s's image data (%s %d of the %s)", t.kind, what, worstAt, where)
	}
	return nil
}

// read reads the values of e from index i into out.
func (t *tiffWalker) read(e tiffEntry, i int64, out []uint32, what string) error {
	k := int64(len(out))
	return t.valuesRange(e, i, k, what, func(j int64, v uint32) error {
		out[j-i] = v
		return nil
	})
}

// tiffIntType reports the types valuesRange reads: SHORT, LONG and IFD.
func tiffIntType(typ uint16) bool { return typ == 3 || typ == 4 || typ == 13 }

// values calls f with each value of a SHORT, LONG or IFD entry.
func (t *tiffWalker) values(e tiffEntry, what string, f func(i int64, v uint32) error) error {
	return t.valuesRange(e, 0, int64(e.count), what, f)
}

// valuesRange calls f with the values of a SHORT, LONG or IFD entry from
// index i, k of them; not at all for other types.
func (t *tiffWalker) valuesRange(e tiffEntry, i, k int64, what string, f func(i int64, v uint32) error) error {
	sz := int64(0)
	switch e.typ {
	case 3:
		sz = 2
	case 4, 13:
		sz = 4
	default:
		return nil
	}
	var raw []byte
	var buf [4 * 128]byte
	if total := sz * int64(e.count); total <= 4 {
		raw = e.field[sz*i : sz*(i+k)]
	} else {
		base := int64(t.bo.Uint32(e.field[:]))
		if base+total > t.size {
			return truncated(base+total-t.size, "the %s's %s", t.kind, what)
		}
		for done := int64(0); done < k; {
			m := min(k-done, int64(len(buf))/sz)
			raw = buf[:m*sz]
			if err := t.readAt(raw, base+sz*(i+done)); err != nil {
				return err
			}
			for j := range m {
				if err := f(i+done+j, t.value(raw, sz, j)); err != nil {
					return err
				}
			}
			done += m
		}
		return nil
	}
	for j := range k {
		if err := f(i+j, t.value(raw, sz, j)); err != nil {
			return err
		}
	}
	return nil
}

func (t *tiffWalker) value(raw []byte, sz, j int64) uint32 {
	if sz == 2 {
		return uint32(t.bo.Uint16(raw[2*j:]))
	}
	return t.bo.Uint32(raw[4*j:])
}

// readAt reads len(b) bytes at off, inside the file.
func (t *tiffWalker) readAt(b []byte, off int64) error {
	if err := t.s.ctx.Err(); err != nil {
		return err
	}
	n, err := t.ra.ReadAt(b, off)
	if n == len(b) {
		return nil
	}
	if err == nil || err == io.EOF {
		return bad("truncated: the %s ends at offset %d, inside its directories", t.kind, off+int64(n))
	}
	return err
}

// rafFields are the offset and length pairs of a RAF header: the JPEG
// preview, the CFA header and the CFA (raw) data.
var rafFields = [...]struct {
	at   int
	what string
}{{84, "JPEG preview"}, {92, "raw data header"}, {100, "raw data"}}

// checkRAF checks that the parts a Fujifilm RAF's header points to lie
// inside the file.
func checkRAF(s *stream, _ io.ReaderAt, k kind, size int64) error {
	h, err := s.peek(108)
	if err != nil {
		return orNot(err, "truncated: the RAF ends inside its header")
	}
	for _, f := range rafFields {
		off := int64(binary.BigEndian.Uint32(h[f.at:]))
		n := int64(binary.BigEndian.Uint32(h[f.at+4:]))
		if off != 0 && off+n > size {
			return truncated(off+n-size, "the RAF's %s", f.what)
		}
	}
	return nil
}
