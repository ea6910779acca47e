package memory_test

import (
	"testing"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/ports/porttest"
)

func TestSyncStore(t *testing.T) {
	porttest.TestSyncStore(t, func(t *testing.T) porttest.SyncFixture {
		return porttest.SyncFixture{Store: memory.NewSyncStore(), AccountIDs: []int64{1, 2}}
	})
}
