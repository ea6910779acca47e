package infra

import (
	"testing"
	"time"
)

func TestKeepVersionsConfig(t *testing.T) {
	for v, want := range map[string]time.Duration{"": 720 * time.Hour, "30d": 720 * time.Hour, "1h": time.Hour, "3650d": 3650 * 24 * time.Hour, "36h": 36 * time.Hour} {
		c := LoadConfig(func(k string) string {
			if k == "PHOTOSYNC_KEEP_VERSIONS" {
				return v
			}
			return ""
		})
		if err := c.validate(); err != nil || c.KeepVersions != want {
			t.Errorf("PHOTOSYNC_KEEP_VERSIONS=%q: %v, %v; want %v", v, c.KeepVersions, err, want)
		}
	}
	for _, v := range []string{"0", "59m", "3651d", "-1d", "forever", "1.5d"} {
		c := LoadConfig(func(k string) string {
			if k == "PHOTOSYNC_KEEP_VERSIONS" {
				return v
			}
			return ""
		})
		if err := c.validate(); err == nil {
			t.Errorf("PHOTOSYNC_KEEP_VERSIONS=%q accepted as %v", v, c.KeepVersions)
		}
	}
	c := LoadConfig(func(string) string { return "" })
	if _, err := c.parseServeFlags([]string{"--keep-versions", "7d"}, nil); err != nil || c.KeepVersions != 7*24*time.Hour {
		t.Errorf("--keep-versions 7d: %v, %v", c.KeepVersions, err)
	}
}
