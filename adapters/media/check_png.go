package media

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"io"
)

// checkPNG reads a PNG's chunks from the signature through IEND, checking
// each chunk's CRC; IHDR must come first and IDAT before IEND.
func checkPNG(s *stream, _ io.ReaderAt, _ kind, _ int64) error {
	short := func(err error) error {
		if errors.Is(err, errShort) {
			return bad("truncated: the PNG ends before its IEND chunk")
		}
		return err
	}
	sig, err := s.next(8)
	if err != nil || string(sig) != "\x89PNG\r\n\x1a\n" {
		return orNot(err, "not a PNG file")
	}
	var idat bool
	for first := true; ; first = false {
		at := s.pos()
		h, err := s.next(8)
		if err != nil {
			return short(err)
		}
		n := binary.BigEndian.Uint32(h[:4])
		var typ [4]byte
		copy(typ[:], h[4:8])
		if !pngChunkType(typ) || n > 1<<31-1 {
			return bad("the PNG is damaged at offset %d: %q is not a chunk", at, typ[:])
		}
		if first && (string(typ[:]) != "IHDR" || n != 13) {
			return bad("the PNG does not start with its IHDR header")
		}
		crc := crc32.Update(0, crc32.IEEETable, typ[:])
		for left := int64(n); left > 0; {
			w, err := s.window()
			if err != nil {
				return short(err)
			}
			k := int(min(left, int64(len(w))))
			crc = crc32.Update(crc, crc32.IEEETable, w[:k])
			s.r += k
			left -= int64(k)
		}
		c, err := s.next(4)
		if err != nil {
			return short(err)
		}
		if binary.BigEndian.Uint32(c) != crc {
			return bad("the PNG chunk %s at offset %d is damaged (its checksum does not match)", typ[:], at)
		}
		switch string(typ[:]) {
		case "IDAT":
			idat = true
		case "IEND":
			if !idat {
				return bad("the PNG has no image data (no IDAT chunk)")
			}
			return nil
		}
	}
}

// pngChunkType reports whether t is four ASCII letters.
func pngChunkType(t [4]byte) bool {
	for _, c := range t {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// checkGIF reads a GIF's header, colour tables and blocks through its
// trailer.
func checkGIF(s *stream, _ io.ReaderAt, _ kind, _ int64) error {
	short := func(err error) error {
		if errors.Is(err, errShort) {
			return bad("truncated: the GIF ends before its trailer")
		}
		return err
	}
	h, err := s.next(13)
	if err != nil {
		return short(err)
	}
	if h[10]&0x80 != 0 {
		if err := s.skip(3 << (h[10]&7 + 1)); err != nil {
			return short(err)
		}
	}
	for {
		at := s.pos()
		c, err := s.byte()
		if err != nil {
			return short(err)
		}
		switch c {
		case 0x3b: // trailer
			return nil
		case 0x21: // extension: label, then sub-blocks
			if _, err := s.byte(); err != nil {
				return short(err)
			}
		case 0x2c: // image: descriptor, local colour table, LZW code size, sub-blocks
			d, err := s.next(9)
			if err != nil {
				return short(err)
			}
			skip := int64(1)
			if d[8]&0x80 != 0 {
				skip += 3 << (d[8]&7 + 1)
			}
			if err := s.skip(skip); err != nil {
				return short(err)
			}
		default:
			return bad("the GIF is damaged at offset %d: byte 0x%02x where a block should start", at, c)
		}
		for { // sub-blocks, up to an empty one
			n, err := s.byte()
			if err != nil {
				return short(err)
			}
			if n == 0 {
				break
			}
			if err := s.skip(int64(n)); err != nil {
				return short(err)
			}
		}
	}
}

// checkWebP reads a WebP's RIFF header and chunks: the RIFF size must lie
// inside the file and the chunks must fill it.
func checkWebP(s *stream, _ io.ReaderAt, _ kind, size int64) error {
	h, err := s.next(12)
	if err != nil {
		return orNot(err, "not a WebP file")
	}
	end := 8 + int64(binary.LittleEndian.Uint32(h[4:8]))
	if end > size {
		return truncated(end-size, "the WebP's RIFF data")
	}
	for first := true; s.pos() < end; first = false {
		at := s.pos()
		c, err := s.next(8)
		if err != nil {
			return bad("truncated: the WebP ends inside its chunk at offset %d", at)
		}
		typ := string(c[:4])
		n := int64(binary.LittleEndian.Uint32(c[4:8]))
		if first && typ != "VP8 " && typ != "VP8L" && typ != "VP8X" {
			return bad("the WebP has no image chunk first (found %q)", typ)
		}
		n += n & 1
		if at+8+n > end {
			return truncated(at+8+n-end, "the WebP chunk %q", typ)
		}
		if err := s.skip(n); err != nil {
			return truncated(at+8+n-size, "the WebP chunk %q", typ)
		}
	}
	return nil
}

// checkBMP checks that a BMP's declared pixel data lies inside the file
// (for an uncompressed bitmap, all of it).
func checkBMP(s *stream, _ io.ReaderAt, _ kind, size int64) error {
	h, err := s.peek(18)
	if err != nil {
		return orNot(err, "truncated: the BMP ends inside its header")
	}
	pixels := int64(binary.LittleEndian.Uint32(h[10:14]))
	if pixels >= size {
		return bad("truncated: the BMP's pixel data would start at offset %d, past the end of the file", pixels)
	}
	if binary.LittleEndian.Uint32(h[14:18]) < 40 { // OS/2 core header: no compression field
		return nil
	}
	if h, err = s.peek(34); err != nil {
		return orNot(err, "truncated: the BMP ends inside its header")
	}
	w := int64(int32(binary.LittleEndian.Uint32(h[18:22])))
	ht := int64(int32(binary.LittleEndian.Uint32(h[22:26])))
	bpp := int64(binary.LittleEndian.Uint16(h[28:30]))
	compression := binary.LittleEndian.Uint32(h[30:34])
	if compression != 0 || w <= 0 || ht == 0 || bpp == 0 || w > 1<<20 || ht > 1<<20 || ht < -(1<<20) {
		return nil
	}
	if ht < 0 {
		ht = -ht
	}
	stride := (w*bpp + 31) / 32 * 4
	if end := pixels + stride*ht; end > size {
		return truncated(end-size, "the BMP's pixel data")
	}
	return nil
}
