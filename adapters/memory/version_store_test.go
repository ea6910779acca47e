package memory_test

import (
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/ports/porttest"
)

func TestVersionStore(t *testing.T) {
	porttest.TestVersionStore(t, func(t *testing.T) porttest.VersionFixture {
		lib := t.TempDir()
		clock := memory.NewClock(time.Date(2026, 12, 7, 19, 0, 0, 0, time.UTC))
		return porttest.VersionFixture{Store: memory.NewVersionStore(lib, clock), Library: lib, Now: clock.Now, Advance: clock.Advance}
	})
}
