package memory_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/ports/porttest"
)

func TestVersionStore(t *testing.T) {
	porttest.TestVersionStore(t, func(t *testing.T) porttest.VersionFixture {
		lib := t.TempDir()
		clock := memory.NewClock(time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC))
		return porttest.VersionFixture{Store: memory.NewVersionStore(lib, clock), Library: os.DirFS(lib), Now: clock.Now, Advance: clock.Advance,
			WriteFile: func(p string, data []byte, mtime time.Time) error {
				full := filepath.Join(lib, filepath.FromSlash(p))
				if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
					return err
				}
				if err := os.WriteFile(full, data, 0o644); err != nil {
					return err
				}
				return os.Chtimes(full, time.Time{}, mtime)
			},
			RemoveAll: func(p string) error { return os.RemoveAll(filepath.Join(lib, filepath.FromSlash(p))) },
		}
	})
}
