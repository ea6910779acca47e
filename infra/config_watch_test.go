package infra

import (
	"testing"
	"time"
)

func TestConfigWatchDelay(t *testing.T) {
	for in, want := range map[string]time.Duration{"": 10 * time.Second, "0": 0, "off": 0, "500ms": 500 * time.Millisecond, "1m": time.Minute} {
		c := LoadConfig(func(k string) string { return map[string]string{"PHOTOSYNC_WATCH_DELAY": in}[k] })
		if err := c.validate(); err != nil || c.WatchDelay != want {
			t.Errorf("PHOTOSYNC_WATCH_DELAY=%q: %v, %v; want %v", in, c.WatchDelay, err, want)
		}
	}
	for _, in := range []string{"soon", "-1s", "10ms", "2h"} {
		c := LoadConfig(func(k string) string { return map[string]string{"PHOTOSYNC_WATCH_DELAY": in}[k] })
		if err := c.validate(); err == nil {
			t.Errorf("PHOTOSYNC_WATCH_DELAY=%q accepted", in)
		}
	}
}
