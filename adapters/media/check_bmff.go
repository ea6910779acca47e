package media

import (
	"encoding/binary"
	"errors"
	"io"
)

// quickTimeAtoms are the top-level atoms a QuickTime file without ftyp
// may start with.
var quickTimeAtoms = map[string]bool{"moov": true, "mdat": true, "wide": true, "free": true, "skip": true, "pnot": true}

// checkBMFF walks an ISO base media file's top-level boxes: they must
// chain exactly to the end of the file (a size of 0 means "to the end"),
// ftyp first (a QuickTime file may have none), with the boxes its kind
// needs. Box contents are skipped, not read.
func checkBMFF(s *stream, _ io.ReaderAt, k kind, size int64) error {
	var moov, meta bool
	for first := true; s.pos() < size; first = false {
		at := s.pos()
		h, err := s.next(8)
		if err != nil {
			if errors.Is(err, errShort) {
				return bad("truncated: the %s ends inside a box header at offset %d", k.name, at)
			}
			return err
		}
		n := int64(binary.BigEndian.Uint32(h[:4]))
		var typ [4]byte
		copy(typ[:], h[4:8])
		head := int64(8)
		if !boxType(typ) {
			if first {
				return bad("not a %s file: it does not start with a box", k.name)
			}
			return bad("the %s is damaged at offset %d: no box starts there (bytes %q)", k.name, at, h)
		}
		name := string(typ[:])
		switch n {
		case 0:
			n = size - at
		case 1:
			b, err := s.next(8)
			if err != nil {
				if errors.Is(err, errShort) {
					return bad("truncated: the %s ends inside the header of its box '%s'", k.name, name)
				}
				return err
			}
			n, head = int64(binary.BigEndian.Uint64(b)), 16
			if n < 0 {
				return truncated(1<<62, "the %s box '%s'", k.name, name)
			}
		}
		if n < head {
			return bad("the %s is damaged at offset %d: box '%s' declares a size of %d bytes", k.name, at, name, n)
		}
		if first && name != "ftyp" && !(k.bmff == bmffVideo && quickTimeAtoms[name]) {
			return bad("not a %s file: its first box is '%s', not 'ftyp'", k.name, name)
		}
		switch name {
		case "moov":
			moov = true
		case "meta":
			meta = true
		case "free", "skip":
			if at+n == size {
				s.zeroOK = at // padding that ends the file may be zeros
			}
		}
		if at+n > size {
			return truncated(at+n-size, "the %s box '%s'", k.name, name)
		}
		if err := s.skip(n - head); err != nil {
			if errors.Is(err, errShort) {
				return bad("truncated: the %s box '%s' runs past the end of the file", k.name, name)
			}
			return err
		}
	}
	switch {
	case k.bmff == bmffVideo && !moov:
		return bad("the %s has no 'moov' box (its index of frames): it was cut short or never finished", k.name)
	case k.bmff == bmffImage && !meta && !moov:
		return bad("the %s has no 'meta' box (its index of images)", k.name)
	}
	return nil
}

// boxType reports whether a box type is four printable ASCII characters
// (QuickTime's '©' types live inside boxes, not at the top level).
func boxType(t [4]byte) bool {
	for _, c := range t {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}
