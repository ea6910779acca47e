package domain_test

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/photosync/photosync/domain"
)

func TestRestoredName(t *testing.T) {
	at := time.Date(2026, 12, 7, 19, 47, 5, 0, time.UTC)
	long := strings.Repeat("é", 130) // 260 bytes
	tests := []struct {
		p    string
		n    int
		want string
	}{
		{"2024/IMG_1.jpg", 0, "2024/IMG_1 (restored 2026-12-07 194705).jpg"},
		{"IMG_1.jpg", 1, "IMG_1 (restored 2026-12-07 194705) (2).jpg"},
		{"a/archive.tar.gz", 0, "a/archive.tar (restored 2026-12-07 194705).gz"},
		{"a/README", 0, "a/README (restored 2026-12-07 194705)"},
		{"a/.xmp", 0, "a/.xmp (restored 2026-12-07 194705)"},
	}
	for _, tt := range tests {
		if got := domain.RestoredName(tt.p, at, tt.n); got != tt.want {
			t.Errorf("RestoredName(%q, %d) = %q, want %q", tt.p, tt.n, got, tt.want)
		}
	}
	for _, n := range []int{0, 12} {
		got := domain.RestoredName("dir/"+long+".jpeg", at, n)
		base := strings.TrimPrefix(got, "dir/")
		if len(base) > domain.MaxNameBytes || !utf8.ValidString(base) || !strings.HasSuffix(base, ").jpeg") || !strings.HasPrefix(base, "éé") {
			t.Errorf("RestoredName of a %d-byte name = %q (%d bytes): want at most 255 valid bytes ending in ).jpeg", len(long)+5, base, len(base))
		}
	}
}
