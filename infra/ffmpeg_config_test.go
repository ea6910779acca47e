package infra

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFFmpegSetting: PHOTOSYNC_FFMPEG empty finds ffmpeg on PATH, "off"
// means none, and a program that cannot be run is refused with its name.
func TestFFmpegSetting(t *testing.T) {
	if p := ffmpegPath("off"); p != "" {
		t.Errorf("ffmpegPath(off) = %q, want none", p)
	}
	onPath, err := exec.LookPath("ffmpeg")
	if err != nil {
		onPath = ""
	}
	if p := ffmpegPath(""); p != onPath {
		t.Errorf("ffmpegPath(\"\") = %q, want %q (PATH)", p, onPath)
	}
	missing := filepath.Join(t.TempDir(), "no-ffmpeg")
	c := LoadConfig(func(k string) string {
		if k == "PHOTOSYNC_FFMPEG" {
			return missing
		}
		return ""
	})
	if err := c.validate(); err == nil || !strings.Contains(err.Error(), "PHOTOSYNC_FFMPEG") || !strings.Contains(err.Error(), missing) {
		t.Errorf("PHOTOSYNC_FFMPEG=%s: %v, want refused", missing, err)
	}
	if p := ffmpegPath(missing); p != missing {
		t.Errorf("ffmpegPath(%s) = %q", missing, p)
	}
	c = LoadConfig(func(k string) string {
		if k == "PHOTOSYNC_FFMPEG" {
			return "off"
		}
		return ""
	})
	if err := c.validate(); err != nil {
		t.Errorf("PHOTOSYNC_FFMPEG=off: %v", err)
	}
}
