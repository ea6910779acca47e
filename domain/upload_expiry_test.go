package domain_test

import (
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
)

func TestExpireAfterDays(t *testing.T) {
	for _, tc := range []struct {
		days int
		want time.Duration
		ok   bool
	}{
		{0, 0, true},
		{1, 24 * time.Hour, true},
		{30, 30 * 24 * time.Hour, true},
		{domain.MaxExpireDays, domain.MaxExpireDays * 24 * time.Hour, true},
		{domain.MaxExpireDays + 1, 0, false},
		{-1, 0, false},
	} {
		got, err := domain.ExpireAfterDays(tc.days)
		if tc.ok != (err == nil) || got != tc.want {
			t.Errorf("ExpireAfterDays(%d) = %v, %v; want %v, ok %v", tc.days, got, err, tc.want, tc.ok)
		}
		if !tc.ok && domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("ExpireAfterDays(%d) error %v, want EINVALID", tc.days, err)
		}
	}
}
