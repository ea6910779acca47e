package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// checkJPEG walks a JPEG's marker segments from SOI to EOI, scanning the
// entropy-coded data after each SOS for the marker that ends it. What
// follows EOI (a phone's appended depth map or video, padding) is not
// read. Stray bytes between segments are skipped, as libjpeg and Go's
// decoder do.
func checkJPEG(s *stream, _ io.ReaderAt, _ kind, _ int64) error {
	noEOI := func(err error) error {
		if errors.Is(err, errShort) {
			return bad("truncated: the JPEG ends before its end-of-image marker")
		}
		return err
	}
	soi, err := s.next(2)
	if err != nil || soi[0] != 0xff || soi[1] != 0xd8 {
		return noEOI(orNot(err, "not a JPEG file"))
	}
	var frame, scan bool
	for first := true; ; first = false {
		// The next marker: 0xFF, fill bytes (more 0xFF), then the code.
		c, err := s.byte()
		if err != nil {
			return noEOI(err)
		}
		if c != 0xff {
			if first {
				return bad("the JPEG has a damaged header: byte 0x%02x where a marker should be, at offset %d", c, s.pos()-1)
			}
			for c != 0xff { // extraneous data before a marker
				if c, err = s.byte(); err != nil {
					return noEOI(err)
				}
			}
		}
		for c == 0xff {
			if c, err = s.byte(); err != nil {
				return noEOI(err)
			}
		}
		switch {
		case c == 0xd9: // EOI
			if !frame || !scan {
				return bad("the JPEG ends before its image data (no frame or scan before its end-of-image marker)")
			}
			return nil
		case c == 0x00:
			if !scan {
				return bad("the JPEG has a damaged header: a stuffed 0xFF00 outside image data at offset %d", s.pos()-2)
			}
			continue
		case c == 0x01 || c >= 0xd0 && c <= 0xd7: // TEM, RSTn: no length
			continue
		case c == 0xd8:
			return bad("the JPEG has a second start-of-image marker at offset %d", s.pos()-2)
		}
		lb, err := s.next(2)
		if err != nil {
			return noEOI(err)
		}
		n := int64(binary.BigEndian.Uint16(lb))
		if n < 2 {
			return bad("the JPEG has a damaged segment (marker 0x%02x, length %d) at offset %d", c, n, s.pos()-4)
		}
		if isSOF(c) {
			frame = true
		}
		if err := s.skip(n - 2); err != nil {
			return noEOI(err)
		}
		if c == 0xda { // SOS: entropy-coded data follows
			if !frame {
				return bad("the JPEG has image data before its frame header")
			}
			scan = true
			if err := skipEntropy(s); err != nil {
				return noEOI(err)
			}
		}
	}
}

// isSOF reports a start-of-frame marker code.
func isSOF(c byte) bool {
	return c >= 0xc0 && c <= 0xcf && c != 0xc4 && c != 0xc8 && c != 0xcc
}

// skipEntropy consumes entropy-coded data up to the next marker that is
// neither a stuffed 0xFF00 nor a restart marker, leaving the 0xFF of that
// marker unconsumed.
func skipEntropy(s *stream) error {
	for {
		w, err := s.window()
		if err != nil {
			return err
		}
		i := bytes.IndexByte(w, 0xff)
		if i < 0 {
			s.r = s.w
			continue
		}
		s.r += i
		b, err := s.peek(2)
		if err != nil {
			return err
		}
		switch c := b[1]; {
		case c == 0x00 || c >= 0xd0 && c <= 0xd7:
			s.r += 2
		case c == 0xff:
			s.r++ // a fill byte
		default:
			return nil
		}
	}
}

// orNot returns err, or a problem of the given message when err is nil or
// the file is too short to tell.
func orNot(err error, msg string) error {
	if err == nil || errors.Is(err, errShort) {
		return bad("%s", msg)
	}
	return err
}
