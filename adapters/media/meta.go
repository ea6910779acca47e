package media

import (
	"io"
	"strings"
	"time"

	"github.com/bep/imagemeta"
)

// meta is what a file's metadata says about it.
type meta struct {
	TakenAt     time.Time
	Orientation int // 1-8; 0 when unknown
	Width       int
	Height      int
	// DateRaw and OffsetRaw are the EXIF date TakenAt was read from and
	// its offset tag, as written ("2019:06:14 10:41:33", "+02:00" or "").
	DateRaw, OffsetRaw string
	DateTag            string // the tag's exiftool name, e.g. DateTimeOriginal
	// Make, Model and LensModel are the camera's EXIF tags, trimmed.
	Make, Model, Lens string
}

// metaTags are the EXIF tags readMeta asks imagemeta for, by their
// exiftool names: CreateDate is EXIF's DateTimeDigitized and ModifyDate is
// IFD0's DateTime.
var metaTags = map[string]bool{
	"Orientation":         true,
	"DateTimeOriginal":    true,
	"OffsetTimeOriginal":  true,
	"CreateDate":          true,
	"OffsetTimeDigitized": true,
	"ModifyDate":          true,
	"OffsetTime":          true,
	"Make":                true,
	"Model":               true,
	"LensModel":           true,
}

// dateTags pairs each date tag with the tag holding its UTC offset, most
// trusted first.
var dateTags = [...][2]string{
	{"DateTimeOriginal", "OffsetTimeOriginal"},
	{"CreateDate", "OffsetTimeDigitized"},
	{"ModifyDate", "OffsetTime"},
}

// readMeta reads the metadata of a file of format f from r, which it
// seeks. A file whose metadata cannot be read gives what could be read
// before the failure: metadata is a hint, never a reason to reject a file.
func readMeta(r io.ReadSeeker, name string, f format) meta {
	imf, ok := metaFormat(name, f)
	if !ok {
		return meta{}
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return meta{}
	}
	tags := map[string]string{}
	var orientation int
	res, _ := imagemeta.Decode(imagemeta.Options{
		R:           r,
		ImageFormat: imf,
		Sources:     imagemeta.EXIF | imagemeta.CONFIG,
		ShouldHandleTag: func(ti imagemeta.TagInfo) bool {
			// IFD1 describes the embedded thumbnail, not the image.
			return ti.Source == imagemeta.EXIF && strings.HasPrefix(ti.Namespace, "IFD0") && metaTags[ti.Tag]
		},
		HandleTag: func(ti imagemeta.TagInfo) error {
			if ti.Tag == "Orientation" {
				orientation = toInt(ti.Value)
				return nil
			}
			if s, ok := ti.Value.(string); ok {
				tags[ti.Tag] = s
			}
			return nil
		},
		LimitTagSize: 256,
	})
	m := meta{Width: res.ImageConfig.Width, Height: res.ImageConfig.Height,
		Make: cleanTag(tags["Make"]), Model: cleanTag(tags["Model"]), Lens: cleanTag(tags["LensModel"])}
	if orientation >= 1 && orientation <= 8 {
		m.Orientation = orientation
	}
	for _, dt := range dateTags {
		if t, ok := parseEXIFTime(tags[dt[0]], tags[dt[1]]); ok {
			m.TakenAt, m.DateRaw, m.OffsetRaw, m.DateTag = t, tags[dt[0]], tags[dt[1]], dt[0]
			break
		}
	}
	return m
}

// toInt converts an EXIF integer value of any width to int; 0 when the
// value is not one integer.
func toInt(v any) int {
	switch n := v.(type) {
	case uint8:
		return int(n)
	case uint16:
		return int(n)
	case uint32:
		return int(n)
	case int8:
		return int(n)
	case int16:
		return int(n)
	case int32:
		return int(n)
	case int:
		return n
	case int64:
		return int(n)
	case uint64:
		return int(n)
	}
	return 0
}

// parseEXIFTime parses an EXIF date ("2019:06:14 10:41:33") with its
// optional offset tag ("+02:00").
//
// With an offset the result is the exact instant, in UTC. Without one,
// EXIF gives no way to tell the zone the camera was set to, so the wall
// clock time is kept as it reads, represented in UTC: 10:41:33 without an
// offset becomes 10:41:33 UTC, whatever the zone of the machine reading it.
// That keeps dates stable across machines and what a person sees as "taken
// at" unchanged; it may be hours off as an instant, which no reader can
// do better without the offset.
func parseEXIFTime(date, offset string) (time.Time, bool) {
	date = strings.TrimSpace(strings.TrimRight(date, "\x00"))
	if len(date) < 19 {
		return time.Time{}, false
	}
	// Some cameras write dashes or a T; EXIF says colons and a space.
	b := []byte(date[:19])
	b[4], b[7], b[10] = ':', ':', ' '
	t, err := time.Parse("2006:01:02 15:04:05", string(b))
	if err != nil || t.Year() < 1800 {
		// "0000:00:00 00:00:00" and blanks mean "unknown".
		return time.Time{}, false
	}
	offset = strings.TrimSpace(strings.TrimRight(offset, "\x00"))
	if off, err := time.Parse("Z07:00", offset); err == nil {
		_, secs := off.Zone()
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.FixedZone("", secs)).UTC()
	}
	return t, true
}

// cleanTag trims an EXIF text tag of its padding.
func cleanTag(s string) string {
	return strings.TrimSpace(strings.TrimRight(s, "\x00 "))
}
