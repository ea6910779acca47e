package domain

import (
	"path"
	"strings"
	"testing"
)

// isCleanRemote must answer true exactly for the paths the full cleaning
// leaves as they are.
func FuzzIsCleanRemote(f *testing.F) {
	for _, s := range []string{"/", "", "a", "/a", "/a/", "//a", "/a//b", "/./a", "/a/.", "/a/..", "/../a", "/a/..b", "/a/.b",
		"/a\\b", "/a\x00", "/a\x7f", "/\xff", "/é/ü", "/a/b/c.jpg", "/a /b", "/...", "/a/...", "/.", "/.."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		c, err := cleanRemotePath(p)
		if want := err == nil && c == p; isCleanRemote(p) != want {
			t.Fatalf("isCleanRemote(%q) = %v; cleaning answers %q, %v", p, !want, c, err)
		}
	})
}

// ignoredBefore and kindBefore are Ignored and KindOf as they were before
// they stopped allocating: the reference they must agree with.
func ignoredBefore(rel string) bool {
	for _, part := range strings.Split(rel, "/") {
		if strings.HasPrefix(part, ".") {
			return true
		}
	}
	base := strings.ToLower(path.Base(rel))
	if strings.HasSuffix(base, ".part") || strings.HasSuffix(base, ".tmp") || strings.HasSuffix(base, "~") {
		return true
	}
	return kindBefore(base) == KindNone
}

func kindBefore(name string) Kind { return kindByExt[strings.ToLower(path.Ext(name))] }

func FuzzIgnoredAndKind(f *testing.F) {
	for _, s := range []string{"", ".", "a.JPG", "a/.b/c.jpg", ".a.jpg", "a/b.JpEg", "x.PART", "x.Tmp", "x.jpg~", "a/b.DNG.xmp",
		"IMG_1.HEIC", "v.MOV", "v.mp4", "a.ÉJPG", "a.jpgÉ", "a..jpg", "a/b", "a.verylongextension123"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if got, want := Ignored(p), ignoredBefore(p); got != want {
			t.Fatalf("Ignored(%q) = %v, want %v", p, got, want)
		}
		if got, want := KindOf(p), kindBefore(p); got != want {
			t.Fatalf("KindOf(%q) = %v, want %v", p, got, want)
		}
	})
}
