package domain

import "golang.org/x/text/unicode/norm"

// NFC returns a name in Unicode Normalization Form C, the composed form
// that Nextcloud stores and most systems write; macOS writes names
// decomposed (NFD: "e" followed by a combining accent for "é"). Two names
// that differ only in their normalisation are the same name to a person,
// and the same file to photosync. Pure ASCII is returned as it is,
// without work.
func NFC(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return norm.NFC.String(s)
		}
	}
	return s
}
