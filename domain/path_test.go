package domain_test

import (
	"testing"

	"github.com/photosync/photosync/domain"
)

func TestCleanRemotePath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "/"},
		{"/", "/"},
		{"Photos", "/Photos"},
		{"/Photos/", "/Photos"},
		{"//Photos//2024/./x/", "/Photos/2024/x"},
		{"/Fotos Été/#1 100%", "/Fotos Été/#1 100%"},
		{"/a..b/...", "/a..b/..."},
	}
	for _, tt := range tests {
		got, err := domain.CleanRemotePath(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("CleanRemotePath(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"..", "/a/../b", "/a/..", `a\b`, "/a\x00b", "/a\tb", "/a\x7fb", "\xff"} {
		if got, err := domain.CleanRemotePath(in); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("CleanRemotePath(%q) = %q, %v; want EINVALID", in, got, err)
		}
	}
}

func TestJoinRemotePath(t *testing.T) {
	if got := domain.JoinRemotePath("/Photos", "a.jpg"); got != "/Photos/a.jpg" {
		t.Errorf("got %q", got)
	}
	if got := domain.JoinRemotePath("/", "a.jpg"); got != "/a.jpg" {
		t.Errorf("got %q", got)
	}
}
