package media

import (
	"encoding/binary"
	"errors"
	"io"
)

// checkAVI walks an AVI's top-level RIFF chunks ("RIFF AVI ", then the
// "RIFF AVIX" of an OpenDML file over 1 GB): each must lie inside the
// file, and they must fill it.
func checkAVI(s *stream, _ io.ReaderAt, k kind, size int64) error {
	for first := true; s.pos() < size; first = false {
		at := s.pos()
		h, err := s.next(12)
		if err != nil {
			if errors.Is(err, errShort) {
				return bad("truncated: the %s ends inside a chunk header at offset %d", k.name, at)
			}
			return err
		}
		if string(h[:4]) != "RIFF" || first && string(h[8:12]) != "AVI " {
			if first {
				return bad("not an %s file", k.name)
			}
			return bad("the %s is damaged at offset %d: no RIFF chunk starts there", k.name, at)
		}
		n := int64(binary.LittleEndian.Uint32(h[4:8]))
		n += n & 1
		if at+8+n > size {
			return truncated(at+8+n-size, "the %s's RIFF chunk at offset %d", k.name, at)
		}
		if err := s.skip(n - 4); err != nil {
			return truncated(at+8+n-size, "the %s's RIFF chunk at offset %d", k.name, at)
		}
	}
	return nil
}

// checkEBML checks a Matroska or WebM file: the EBML header, then a
// Segment whose size, when the writer recorded one, ends inside the file.
// A live recording's Segment of unknown size passes.
func checkEBML(s *stream, _ io.ReaderAt, k kind, size int64) error {
	for i := 0; i < 2; i++ {
		at := s.pos()
		id, err := ebmlVint(s, false)
		if err != nil {
			return orNot(err, "truncated: the "+k.name+" ends inside its header")
		}
		n, err := ebmlVint(s, true)
		if err != nil {
			return orNot(err, "truncated: the "+k.name+" ends inside its header")
		}
		switch {
		case i == 0 && id != 0x1a45dfa3:
			return bad("not a %s file: no EBML header", k.name)
		case i == 1 && id != 0x18538067:
			return bad("the %s has no Segment after its header (element 0x%x at offset %d)", k.name, id, at)
		case n < 0: // unknown size
			return nil
		}
		if end := s.pos() + n; end > size {
			return truncated(end-size, "the %s's %s", k.name, [2]string{"header", "Segment"}[i])
		}
		if i == 0 {
			if err := s.skip(n); err != nil {
				return err
			}
		}
	}
	return nil
}

// ebmlVint reads an EBML variable-length integer: an element ID (with its
// length marker kept) or a size (without; -1 for "unknown").
func ebmlVint(s *stream, isSize bool) (int64, error) {
	c, err := s.byte()
	if err != nil {
		return 0, err
	}
	n := 1
	for mask := byte(0x80); n <= 8 && c&mask == 0; mask >>= 1 {
		n++
	}
	if n > 8 {
		return 0, bad("the Matroska file has a damaged element header at offset %d", s.pos()-1)
	}
	v := int64(c)
	if isSize {
		v &= int64(0xff >> n)
	}
	allOnes := v == int64(0xff>>n)
	for range n - 1 {
		b, err := s.byte()
		if err != nil {
			return 0, err
		}
		v = v<<8 | int64(b)
		allOnes = allOnes && b == 0xff
	}
	if isSize && allOnes {
		return -1, nil
	}
	return v, nil
}
