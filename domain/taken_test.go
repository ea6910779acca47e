package domain_test

import (
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

var takenNow = time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)

func utc(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, time.UTC)
}

func TestDateFromName(t *testing.T) {
	tests := []struct {
		name string
		want time.Time // zero: no date
	}{
		{"IMG_20200130_095718.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"20200130_095718.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"VID_20200130_095718.mp4", utc(2020, 1, 30, 9, 57, 18)},
		{"20200130095718.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"PXL_20200130_095718123.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"PXL_20200130_095718123.NIGHT.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"2020-01-30_09-57-18.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"telegram_2020-01-30_09-57-18.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"Screenshot_2020-01-30-09-57-18.png", utc(2020, 1, 30, 9, 57, 18)},
		{"Screenshot_2020-01-30-09-57-18_com.android.chrome.png", utc(2020, 1, 30, 9, 57, 18)},
		{"2020-01-30 09.57.18.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"2020-01-30_095718.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"dir/2020-01-30T09:57:18.jpg", utc(2020, 1, 30, 9, 57, 18)},
		{"IMG-20200130-WA0001.jpg", utc(2020, 1, 30, 12, 0, 0)},
		{"2015-02-04.jpg", utc(2015, 2, 4, 12, 0, 0)},
		{"2015-02-04(1).jpg", utc(2015, 2, 4, 12, 0, 0)},
		{"scan 1919-05-01.jpg", utc(1919, 5, 1, 12, 0, 0)},
		{"2027-06-01.jpg", utc(2027, 6, 1, 12, 0, 0)}, // within a year of now
		{"20200130_0957.jpg", utc(2020, 1, 30, 12, 0, 0)},
		// Impossible or implausible dates.
		{"IMG_20200230_095718.jpg", time.Time{}},
		{"IMG_20201301_095718.jpg", time.Time{}},
		{"IMG_20200100_095718.jpg", time.Time{}},
		{"IMG_20200130_255718.jpg", time.Time{}},
		{"IMG_20200130_096018.jpg", time.Time{}},
		{"2020-02-30.jpg", time.Time{}},
		{"1899-12-31.jpg", time.Time{}},
		{"18991231_120000.jpg", time.Time{}},
		{"2028-01-01.jpg", time.Time{}},
		// No date at all, or digits that only look like one.
		{"IMG_1234.JPG", time.Time{}},
		{"dog_created_1919.jpg", time.Time{}},
		{"gps-2000.jpg", time.Time{}},
		{"6720px_white.jpg", time.Time{}},
		{"1580377038000.jpg", time.Time{}},
		{"DSC123456789.jpg", time.Time{}},
		{"120200130.jpg", time.Time{}},
		{"", time.Time{}},
		// The folder does not count.
		{"2020-01-30/IMG_1.jpg", time.Time{}},
	}
	for _, tt := range tests {
		got, ok := domain.DateFromName(tt.name, takenNow)
		if ok != !tt.want.IsZero() || !got.Equal(tt.want) {
			t.Errorf("DateFromName(%q) = %v, %v; want %v", tt.name, got, ok, tt.want)
		}
		if ok && got.Location() != time.UTC {
			t.Errorf("DateFromName(%q) is in %v, want UTC", tt.name, got.Location())
		}
	}
}

func TestDateTaken(t *testing.T) {
	exif := utc(2019, 6, 14, 10, 41, 33)
	mtime := time.Date(2024, 3, 1, 8, 0, 0, 0, time.FixedZone("CET", 3600))
	mtimeWall := utc(2024, 3, 1, 8, 0, 0)
	tests := []struct {
		what       string
		name       string
		exif       time.Time
		want       time.Time
		wantSource domain.TakenSource
	}{
		{"EXIF wins over the name", "IMG_20200130_095718.jpg", exif, exif, domain.TakenFromEXIF},
		{"EXIF before 1900", "old.jpg", utc(1850, 1, 1, 0, 0, 0), utc(1850, 1, 1, 0, 0, 0), domain.TakenFromEXIF},
		{"name without EXIF", "IMG_20200130_095718.jpg", time.Time{}, utc(2020, 1, 30, 9, 57, 18), domain.TakenFromName},
		{"EXIF in the future", "IMG_20200130_095718.jpg", utc(2035, 1, 1, 0, 0, 0), utc(2020, 1, 30, 9, 57, 18), domain.TakenFromName},
		{"EXIF before 1800", "IMG_1.jpg", utc(1700, 1, 1, 0, 0, 0), mtimeWall, domain.TakenFromMTime},
		{"modification time as it reads on its clock", "IMG_1.jpg", time.Time{}, mtimeWall, domain.TakenFromMTime},
	}
	for _, tt := range tests {
		got, src := domain.DateTaken(tt.name, tt.exif, mtime, takenNow)
		if !got.Equal(tt.want) || src != tt.wantSource || got.Location() != time.UTC {
			t.Errorf("%s: DateTaken(%q) = %v, %s; want %v, %s", tt.what, tt.name, got, src, tt.want, tt.wantSource)
		}
	}
	if got, src := domain.DateTaken("IMG_1.jpg", time.Time{}, time.Time{}, takenNow); !got.IsZero() || src != domain.TakenFromMTime {
		t.Errorf("DateTaken with no date at all = %v, %s; want the zero time from mtime", got, src)
	}
}
