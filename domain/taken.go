package domain

import (
	"path"
	"regexp"
	"strconv"
	"time"
)

// The date taken of a file: its EXIF date when it has a plausible one,
// else a date in its name, else its modification time.
//
// Dates from EXIF without an offset and dates from names are wall-clock
// times with no zone: they are represented in UTC as they read, so that
// 09:57:18 in a name is 09:57:18 wherever photosync runs. A modification
// time becomes a wall-clock time the same way: as it reads in the zone it
// is given in (the machine's, for a file on disk). So every date taken is
// shown as it reads in UTC, and they all sort on one clock.
//
// Names carry dates in many shapes; these are understood:
//
//	20200130_095718            IMG_20200130_095718.jpg, VID_..., 20200130095718
//	PXL_20200130_095718123     milliseconds after the time are ignored
//	2020-01-30_09-57-18        telegram_2020-01-30_09-57-18.jpg
//	Screenshot_2020-01-30-09-57-18, 2020-01-30 09.57.18, 2020-01-30_095718
//	IMG-20200130-WA0001        a date alone (WhatsApp), 2015-02-04.jpg
//
// A date alone is taken at 12:00, so that the day stays the same when the
// time is shown in any zone from UTC-12 to UTC+11. A date must stand
// between non-digits (so a longer number is not misread), be a real day
// and time (no 31 February, no 25 o'clock), and fall between 1900 and a
// year after now. The first date in the name that passes wins.

var nameDates = []*regexp.Regexp{
	// 2020-01-30, optionally followed by a time 09-57-18, 09.57.18, 095718.
	regexp.MustCompile(`(?:^|\D)(\d{4})[-_.](\d{2})[-_.](\d{2})(?:[-_T. ](\d{2})[-_.:h]?(\d{2})[-_.:m]?(\d{2}))?(?:\D|$)`),
	// 20200130, optionally followed by a time 095718 and fractions.
	regexp.MustCompile(`(?:^|\D)(\d{4})(\d{2})(\d{2})(?:[-_T ]?(\d{2})(\d{2})(\d{2})\d*)?(?:\D|$)`),
}

// The earliest dates a name and EXIF may give; older ones are noise (the
// first photograph dates from 1826).
var (
	earliestNameDate = time.Date(1900, 1, 1, 0, 0, 0, 0, time.UTC)
	earliestEXIFDate = time.Date(1800, 1, 1, 0, 0, 0, 0, time.UTC)
)

// DateTaken returns a file's date taken and where it came from. exif is the
// date from the file's metadata (zero when it has none); now bounds the
// plausible dates: none may be more than a year after it.
func DateTaken(name string, exif, modTime, now time.Time) (time.Time, TakenSource) {
	if !exif.IsZero() && !exif.Before(earliestEXIFDate) && !exif.After(now.AddDate(1, 0, 0)) {
		return exif, TakenFromEXIF
	}
	if t, ok := dateFromName(name, now); ok {
		return t, TakenFromName
	}
	return wallClock(modTime), TakenFromMTime
}

// wallClock returns t as it reads in its own zone, represented in UTC.
func wallClock(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

// dateFromName returns the date and time in a file's base name, and false
// when it holds none that is plausible (see the rules above).
func dateFromName(name string, now time.Time) (time.Time, bool) {
	base := path.Base(name)
	// Both patterns need eight digits at least: most names (IMG_0001.JPG)
	// are passed over without running them.
	digits := 0
	for i := 0; i < len(base) && digits < 8; i++ {
		if '0' <= base[i] && base[i] <= '9' {
			digits++
		}
	}
	if digits < 8 {
		return time.Time{}, false
	}
	latest := now.AddDate(1, 0, 0)
	for _, re := range nameDates {
		for _, m := range re.FindAllStringSubmatch(base, -1) {
			t, ok := dateOf(m[1:])
			if ok && !t.Before(earliestNameDate) && !t.After(latest) {
				return t, true
			}
		}
	}
	return time.Time{}, false
}

// dateOf builds the time of year, month, day and optionally hour, minute,
// second, refusing fields out of range.
func dateOf(fields []string) (time.Time, bool) {
	n := make([]int, 6)
	for i, f := range fields {
		if f == "" {
			continue
		}
		v, err := strconv.Atoi(f)
		if err != nil {
			return time.Time{}, false
		}
		n[i] = v
	}
	if fields[3] == "" {
		n[3] = 12 // a date alone: noon
	}
	if n[1] < 1 || n[1] > 12 || n[2] < 1 || n[3] > 23 || n[4] > 59 || n[5] > 59 {
		return time.Time{}, false
	}
	t := time.Date(n[0], time.Month(n[1]), n[2], n[3], n[4], n[5], 0, time.UTC)
	if t.Day() != n[2] { // 31 February became 3 March
		return time.Time{}, false
	}
	return t, true
}
