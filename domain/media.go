package domain

import (
	"path"
	"strings"
	"unicode/utf8"
)

// Kind is what a library file is, by its extension.
type Kind string

// File kinds. KindNone is every file photosync ignores.
const (
	KindNone    Kind = ""
	KindImage   Kind = "image"
	KindRaw     Kind = "raw"
	KindVideo   Kind = "video"
	KindSidecar Kind = "sidecar"
)

var kindByExt = map[string]Kind{}

func init() {
	for kind, exts := range map[Kind]string{
		KindImage:   "jpg jpeg png gif webp avif heic heif tif tiff bmp",
		KindRaw:     "dng cr2 cr3 crw nef nrw arw srf sr2 raf orf rw2 pef srw x3f 3fr iiq erf mrw dcr kdc rwl",
		KindVideo:   "mp4 m4v mov avi mkv 3gp mts m2ts webm mpg mpeg wmv",
		KindSidecar: "xmp aae json",
	} {
		for _, e := range strings.Fields(exts) {
			kindByExt["."+e] = kind
		}
	}
}

// KindOf returns the kind of a file by its extension, case-insensitively;
// KindNone for anything photosync does not handle.
func KindOf(name string) Kind {
	ext := path.Ext(name)
	var buf [16]byte
	if len(ext) > len(buf) {
		return kindByExt[strings.ToLower(ext)]
	}
	for i := 0; i < len(ext); i++ {
		c := ext[i]
		switch {
		case c >= utf8.RuneSelf:
			return kindByExt[strings.ToLower(ext)] // Unicode case folding
		case 'A' <= c && c <= 'Z':
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	return kindByExt[string(buf[:len(ext)])] // a lookup that does not allocate
}

// Ignored reports whether a library path (slash-separated, relative to the
// library) is left alone: hidden files and folders (any part starting with
// "."), partial and temporary files (".part", ".tmp", a "~" suffix, a ".~"
// prefix) and files of no known kind.
func Ignored(rel string) bool {
	for i := 0; i < len(rel); i++ {
		if rel[i] == '.' && (i == 0 || rel[i-1] == '/') {
			return true // a hidden part
		}
	}
	base := path.Base(rel)
	if hasSuffixFold(base, ".part") || hasSuffixFold(base, ".tmp") || strings.HasSuffix(base, "~") {
		return true
	}
	return KindOf(base) == KindNone
}

// hasSuffixFold is strings.HasSuffix ignoring case, for an ASCII suffix.
func hasSuffixFold(s, suffix string) bool {
	return len(s) >= len(suffix) && strings.EqualFold(s[len(s)-len(suffix):], suffix)
}
