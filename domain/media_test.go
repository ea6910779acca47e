package domain_test

import (
	"testing"

	"github.com/photosync/photosync/domain"
)

func TestKindOf(t *testing.T) {
	tests := []struct {
		name string
		want domain.Kind
	}{
		{"a.jpg", domain.KindImage}, {"a.JPG", domain.KindImage}, {"a.jpeg", domain.KindImage},
		{"a.png", domain.KindImage}, {"a.gif", domain.KindImage}, {"a.webp", domain.KindImage},
		{"a.avif", domain.KindImage}, {"a.HEIC", domain.KindImage}, {"a.heif", domain.KindImage},
		{"a.tif", domain.KindImage}, {"a.tiff", domain.KindImage}, {"a.bmp", domain.KindImage},
		{"a.dng", domain.KindRaw}, {"a.CR2", domain.KindRaw}, {"a.cr3", domain.KindRaw}, {"a.nef", domain.KindRaw},
		{"a.arw", domain.KindRaw}, {"a.raf", domain.KindRaw}, {"a.orf", domain.KindRaw}, {"a.rw2", domain.KindRaw},
		{"a.3fr", domain.KindRaw}, {"a.x3f", domain.KindRaw}, {"a.rwl", domain.KindRaw},
		{"a.mp4", domain.KindVideo}, {"a.MOV", domain.KindVideo}, {"a.m2ts", domain.KindVideo},
		{"a.3gp", domain.KindVideo}, {"a.webm", domain.KindVideo}, {"a.wmv", domain.KindVideo},
		{"a.xmp", domain.KindSidecar}, {"a.AAE", domain.KindSidecar}, {"a.json", domain.KindSidecar},
		{"dir.jpg/a.txt", domain.KindNone}, {"a.txt", domain.KindNone}, {"jpg", domain.KindNone},
		{"a.jpg.part", domain.KindNone}, {"", domain.KindNone}, {"a.", domain.KindNone},
		{"dir/IMG_1.JPG.xmp", domain.KindSidecar},
	}
	for _, tt := range tests {
		if got := domain.KindOf(tt.name); got != tt.want {
			t.Errorf("KindOf(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestIgnored(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{"IMG_1.JPG", false},
		{"2020/01/IMG_1.dng", false},
		{"a/b.c/IMG_1.jpg", false},
		{"IMG_1.JPG.xmp", false},
		{"x~y.jpg", false},
		{"..a.jpg", true},
		{".hidden.jpg", true},
		{".thumbs/IMG_1.jpg", true},
		{"a/.git/IMG_1.jpg", true},
		{"IMG_1.jpg.part", true},
		{"IMG_1.JPG.PART", true},
		{"IMG_1.jpg.tmp", true},
		{"IMG_1.jpg~", true},
		{".~lock.IMG_1.jpg#", true},
		{"a/.~IMG_1.jpg", true},
		{"notes.txt", true},
		{"Thumbs.db", true},
		{"README", true},
	}
	for _, tt := range tests {
		if got := domain.Ignored(tt.path); got != tt.want {
			t.Errorf("Ignored(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
