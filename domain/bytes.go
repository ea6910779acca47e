package domain

import "fmt"

// FormatBytes is a byte count for a person, in decimal units as file
// managers and Nextcloud show them: "950 B", "1.5 kB", "300.0 MB",
// "1.2 GB". The CLI's tables and progress, the quota errors and the media
// checker's problems all use it, so a size reads the same wherever Go
// code writes one.
func FormatBytes(n int64) string {
	if n < 1000 {
		return fmt.Sprintf("%d B", n)
	}
	v := float64(n)
	for _, unit := range []string{"kB", "MB", "GB", "TB"} {
		v /= 1000
		if v < 999.95 || unit == "TB" {
			return fmt.Sprintf("%.1f %s", v, unit)
		}
	}
	return "" // not reached
}
