package domain_test

import (
	"testing"

	"github.com/photosync/photosync/domain"
)

func TestFormatBytes(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"},
		{1, "1 B"},
		{999, "999 B"},
		{1000, "1.0 kB"},
		{1500, "1.5 kB"},
		{102400, "102.4 kB"},
		{999949, "999.9 kB"},
		{999950, "1.0 MB"},
		{1258291, "1.3 MB"},
		{300_000_000, "300.0 MB"},
		{1_200_000_000, "1.2 GB"},
		{5_000_000_000_000, "5.0 TB"},
		{2_000_000_000_000_000, "2000.0 TB"},
	} {
		if got := domain.FormatBytes(tc.n); got != tc.want {
			t.Errorf("FormatBytes(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}
