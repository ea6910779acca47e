package domain

import (
	"path"
	"strconv"
	"time"
	"unicode/utf8"
)

// maxNameBytes is the longest file name most file systems take.
const maxNameBytes = 255

// RestoredName is where a restored version of the file p goes when p
// holds other bytes now: "<dir>/<stem> (restored YYYY-MM-DD HHMMSS).<ext>"
// beside it, at formatted as it reads in its own location, before the last
// extension as NumberedName does. n > 0 is the n-th further try when that
// name is taken as well: " (n+1)" follows the stamp. The stem is
// shortened (never inside a character) so that the name keeps within
// maxNameBytes.
func RestoredName(p string, at time.Time, n int) string {
	dir, base := path.Split(p)
	stem, ext := splitExt(base)
	suffix := " (restored " + at.Format("2006-01-02 150405") + ")"
	if n > 0 {
		suffix += " (" + strconv.Itoa(n+1) + ")"
	}
	if len(suffix)+len(ext) >= maxNameBytes {
		stem, ext = base, "" // an "extension" that long is part of the name
	}
	for len(stem)+len(suffix)+len(ext) > maxNameBytes && stem != "" {
		_, size := utf8.DecodeLastRuneInString(stem)
		stem = stem[:len(stem)-size]
	}
	return dir + stem + suffix + ext
}
