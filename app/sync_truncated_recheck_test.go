package app_test

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

type truncStatHook struct {
	ports.RemoteStorage
	once sync.Once
	p    string
	fn   func()
}

func (s *truncStatHook) Stat(ctx context.Context, p string) (domain.RemoteFile, error) {
	if p == s.p {
		s.once.Do(s.fn)
	}
	return s.RemoteStorage.Stat(ctx, p)
}

func (s *truncStatHook) Move(ctx context.Context, from, to string) error {
	return s.RemoteStorage.(ports.Mover).Move(ctx, from, to)
}

// TestTruncatedCopyStaysWhenTheLibraryFileChanged: the server's truncated
// copy of a library file (an interrupted upload's) is replaced only while
// the library file is still the one the evidence was gathered on: changed
// or gone between the plan and the upload phase, the server's bytes stay
// (found in review: they were deleted, and a cut library file sent).
func TestTruncatedCopyStaysWhenTheLibraryFileChanged(t *testing.T) {
	for _, mode := range []string{"gone", "cut"} {
		t.Run(mode, func(t *testing.T) {
			w := newSyncWorld(t)
			full := mediatest.RAW(t, 42, 9000)
			w.write(t, "trip/IMG_2.dng", full, syncTime)
			later := syncTime.Add(3 * time.Hour)
			w.put(t, "/Photos/trip/IMG_2.dng", full[:4000], later)
			abs := filepath.Join(w.dir, "trip", "IMG_2.dng")
			h := &truncStatHook{p: "/Photos/trip/IMG_2.dng", fn: func() {
				// What happens to the library file between the plan and
				// the upload phase (hours of downloads, say).
				if mode == "gone" {
					os.Remove(abs)
				} else {
					os.WriteFile(abs, full[:2000], 0o644)
				}
			}}
			w.mu.Lock()
			w.wrap = func(st ports.RemoteStorage) ports.RemoteStorage { h.RemoteStorage = st; return h }
			w.mu.Unlock()
			if _, err := runOf(w.syncer.Run(context.Background(), w.account.ID, app.ByHand, true)); err != nil {
				t.Fatalf("Run: %v", err)
			}
			remote := w.files(t, "/Photos")
			lib := w.library(t)
			if len(remote["/Photos/trip/IMG_2.dng"]) < 4000 && len(lib["trip/IMG_2.dng"]) < 4000 {
				t.Errorf("the 4000 bytes the server held are gone from both sides")
			}
			if got := remote["/Photos/trip/IMG_2.dng"]; mode == "cut" && len(got) == 2000 {
				t.Errorf("the cut library file was sent over the server's copy")
			}
		})
	}
}
