package media

import (
	"bytes"
	"io"
	"strings"
	"time"
)

// videoMeta is what an ISO base media file's boxes say about its video.
type videoMeta struct {
	TakenAt    time.Time     // the creation date, UTC; zero when unknown
	DateSource string        // "quicktime creationdate", "©day" or "mvhd"
	Duration   time.Duration // of the movie
	Width      int           // of the first video track, as displayed
	Height     int
	Make       string // com.apple.quicktime.make / ©mak
	Model      string // com.apple.quicktime.model / ©mod
}

// epoch1904 is the origin of the ISO base media times, midnight UTC on 1
// January 1904.
var epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)

// maxMetaBox bounds the metadata boxes (udta, meta, keys, ilst) read into
// memory.
const maxMetaBox = 1 << 20

// readVideoMeta reads the moov box of an MP4, MOV, M4V or 3GP file of
// size bytes: the creation time and duration of mvhd, the size of the
// first video track (its tkhd, turned by its matrix), and the creation
// date of the QuickTime metadata (Apple's com.apple.quicktime.creationdate
// with its zone, else ©day), which is preferred to mvhd's: cameras often
// write their local time into mvhd, or nothing. The error is only for a
// file whose boxes are broken; what was read before is returned with it.
func readVideoMeta(r io.ReaderAt, size int64) (videoMeta, error) {
	var m videoMeta
	var mvhdTime, mdtaTime, dayTime time.Time
	count := 0
	var walkErr error
	err := walkBoxes(r, 0, size, &count, func(b bmffBox) error {
		if b.typ != "moov" {
			return nil
		}
		walkErr = children(r, b, 0, &count, func(c bmffBox) error {
			switch c.typ {
			case "mvhd":
				body, err := readBody(r, c, 32)
				if err != nil {
					return err
				}
				t, d := parseMVHD(body)
				mvhdTime, m.Duration = t, d
			case "trak":
				if m.Width == 0 {
					w, h, video := readTrak(r, c, &count)
					if video {
						m.Width, m.Height = w, h
					}
				}
			case "meta":
				vals := readMdta(r, c, &count)
				mdtaTime = parseVideoDate(vals["com.apple.quicktime.creationdate"])
				m.Make = firstNonEmpty(m.Make, vals["com.apple.quicktime.make"])
				m.Model = firstNonEmpty(m.Model, vals["com.apple.quicktime.model"])
			case "udta":
				vals := readUdta(r, c, &count)
				if t := parseVideoDate(vals["\xa9day"]); !t.IsZero() {
					dayTime = t
				}
				m.Make = firstNonEmpty(m.Make, vals["\xa9mak"])
				m.Model = firstNonEmpty(m.Model, vals["\xa9mod"])
				// Apple also keeps an mdta meta box inside udta.
				if t := parseVideoDate(vals["com.apple.quicktime.creationdate"]); !t.IsZero() && mdtaTime.IsZero() {
					mdtaTime = t
				}
			}
			return nil
		})
		return errStop
	})
	switch {
	case !mdtaTime.IsZero():
		m.TakenAt, m.DateSource = mdtaTime, "com.apple.quicktime.creationdate"
	case !dayTime.IsZero():
		m.TakenAt, m.DateSource = dayTime, "©day"
	case !mvhdTime.IsZero():
		m.TakenAt, m.DateSource = mvhdTime, "mvhd"
	}
	if err == nil {
		err = walkErr
	}
	return m, err
}

// parseMVHD reads the creation time and the duration of an mvhd payload.
// A creation time of 0 (unset) or before 1970 (a camera that counts from
// 1970 or was never set) is no date.
func parseMVHD(b []byte) (time.Time, time.Duration) {
	var created uint64
	var scale uint32
	var dur uint64
	if len(b) > 0 && b[0] == 1 {
		created, scale, dur = be64(b, 4), be32(b, 20), be64(b, 24)
	} else {
		created, scale, dur = uint64(be32(b, 4)), be32(b, 12), uint64(be32(b, 16))
	}
	var t time.Time
	if created > 0 && created < 1<<40 {
		t = epoch1904.Add(time.Duration(created) * time.Second)
		if t.Year() < 1970 {
			t = time.Time{}
		}
	}
	var d time.Duration
	if scale > 0 && dur != ^uint64(0) && dur != uint64(^uint32(0)) && dur/uint64(scale) < 1<<32 {
		d = time.Duration(dur) * time.Second / time.Duration(scale)
	}
	return t, d
}

// readTrak reads a track's tkhd size, turned by its matrix, and whether
// its handler (mdia/hdlr) is "vide".
func readTrak(r io.ReaderAt, trak bmffBox, count *int) (w, h int, video bool) {
	_ = children(r, trak, 0, count, func(c bmffBox) error {
		switch c.typ {
		case "tkhd":
			body, err := readBody(r, c, 96)
			if err != nil {
				return err
			}
			w, h = parseTKHD(body)
		case "mdia":
			_ = children(r, c, 0, count, func(d bmffBox) error {
				if d.typ == "hdlr" {
					body, _ := readBody(r, d, 12)
					video = len(body) >= 12 && string(body[8:12]) == "vide"
				}
				return nil
			})
		}
		return nil
	})
	return w, h, video
}

// parseTKHD returns a tkhd's width and height as displayed: the 16.16
// fixed-point size, swapped when the matrix turns the track by 90°.
func parseTKHD(b []byte) (int, int) {
	matrix := 40 // version 0: after times, track ID, duration, reserved, layer...
	if len(b) > 0 && b[0] == 1 {
		matrix = 52
	}
	w := int(be32(b, matrix+36) >> 16)
	h := int(be32(b, matrix+40) >> 16)
	a, bb := int32(be32(b, matrix)), int32(be32(b, matrix+4))
	if a == 0 && bb != 0 {
		w, h = h, w
	}
	return w, h
}

// readMdta reads a QuickTime metadata box (meta with an "mdta" handler):
// its keys and the UTF-8 values of its ilst items, by key name.
func readMdta(r io.ReaderAt, meta bmffBox, count *int) map[string]string {
	// QuickTime's meta is a plain box, MP4's a full box: the first child
	// tells which (a full box starts with four bytes of version and flags).
	skip := int64(0)
	if head, err := readBody(r, meta, 8); err == nil && len(head) == 8 && be32(head, 0) == 0 && string(head[4:8]) != "hdlr" {
		skip = 4
	}
	var keys []string
	vals := map[string]string{}
	var ilst []bmffBox
	_ = children(r, meta, skip, count, func(c bmffBox) error {
		switch c.typ {
		case "keys":
			body, err := readBody(r, c, maxMetaBox)
			if err != nil {
				return err
			}
			n := int(be32(body, 4))
			for i, off := 0, 8; i < n && off+8 <= len(body); i++ {
				size := int(be32(body, off))
				if size < 8 || off+size > len(body) {
					break
				}
				keys = append(keys, string(body[off+8:off+size]))
				off += size
			}
		case "ilst":
			ilst = append(ilst, c)
		}
		return nil
	})
	for _, l := range ilst {
		_ = children(r, l, 0, count, func(item bmffBox) error {
			key := item.typ
			if idx := be32([]byte(item.typ), 0); idx >= 1 && int(idx) <= len(keys) {
				key = keys[idx-1]
			}
			if v, ok := itemText(r, item, count); ok {
				vals[key] = v
			}
			return nil
		})
	}
	return vals
}

// itemText reads the text of an ilst item's "data" box (type 1, UTF-8).
func itemText(r io.ReaderAt, item bmffBox, count *int) (string, bool) {
	var s string
	var ok bool
	_ = children(r, item, 0, count, func(d bmffBox) error {
		if d.typ != "data" {
			return nil
		}
		body, err := readBody(r, d, 4096)
		if err != nil || len(body) < 8 {
			return err
		}
		if be32(body, 0)&0xffffff == 1 {
			s, ok = strings.TrimRight(string(body[8:]), "\x00"), true
			return errStop
		}
		return nil
	})
	return s, ok
}

// readUdta reads a user data box: QuickTime's "©xyz" text items (a 16-bit
// length, a 16-bit language, the text) and, in an MP4, the ilst of a meta
// box inside it.
func readUdta(r io.ReaderAt, udta bmffBox, count *int) map[string]string {
	vals := map[string]string{}
	_ = children(r, udta, 0, count, func(c bmffBox) error {
		switch {
		case c.typ == "meta":
			for k, v := range readMdta(r, c, count) {
				vals[k] = v
			}
		case strings.HasPrefix(c.typ, "\xa9"):
			body, err := readBody(r, c, 4096)
			if err != nil || len(body) < 4 {
				return nil
			}
			isData := len(body) >= 8 && bytes.Equal(body[4:8], []byte("data"))
			if n := int(be16(body, 0)); n > 0 && 4+n <= len(body) && !isData {
				vals[c.typ] = strings.TrimRight(string(body[4:4+n]), "\x00")
				return nil
			}
			if v, ok := itemText(r, c, count); ok {
				vals[c.typ] = v
			}
		}
		return nil
	})
	return vals
}

// videoDateLayouts are the shapes of ©day and creationdate values.
var videoDateLayouts = []string{
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05Z0700",
	"2006-01-02T15:04:05",
	"2006-01-02 15:04:05",
	"2006-01-02",
}

// parseVideoDate parses a QuickTime date ("2019-06-14T10:41:33+0200"):
// with a zone it is the instant, in UTC; without one it is a wall-clock
// time represented in UTC (as EXIF dates without an offset are). A year
// alone, an unset or an implausible value is no date.
func parseVideoDate(s string) time.Time {
	s = strings.TrimSpace(s)
	if len(s) < 10 {
		return time.Time{}
	}
	for _, l := range videoDateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Year() < 1900 {
				return time.Time{}
			}
			return t.UTC()
		}
	}
	return time.Time{}
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return strings.TrimSpace(b)
}
