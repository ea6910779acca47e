package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
)

// TestGuardLimitIgnoresThisRunsEarlySends: files a run sends early (while
// its index reads) become pairs, but the mass-change guard weighs the plan
// against the pairs there were before: 600 new photos must not let 60
// paired files be replaced without a person's confirmation.
func TestGuardLimitIgnoresThisRunsEarlySends(t *testing.T) {
	for _, newFiles := range []int{0, 600} {
		t.Run(fmt.Sprint(newFiles), func(t *testing.T) {
			files := map[string][]byte{}
			for i := range 60 {
				files[filepathName(i)] = mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(100 + i)})
			}
			w := pairedWorld(t, files)
			w.clock.Advance(time.Hour)
			for i := range 60 {
				w.put(t, "/Photos/"+filepathName(i), mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(200 + i)}), time.Date(2024, 11, 1, 0, 0, 0, 0, time.UTC))
			}
			mod := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
			for i := range newFiles {
				w.write(t, fmt.Sprintf("new/IMG_%04d.jpg", i), mediatest.JPEG(t, mediatest.JPEGOptions{Width: 16, Height: 16, Seed: int64(10000 + i)}), mod)
			}
			run := w.sync(t)
			if run.Downloaded != 0 || !strings.Contains(run.Error, "waits for confirmation") {
				t.Errorf("60 paired library files replaced without confirmation (run %+v)", run)
			}
		})
	}
}
