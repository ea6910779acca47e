package memory_test

import (
	"testing"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/ports/porttest"
)

func TestUploadStore(t *testing.T) {
	porttest.TestUploadStore(t, func(t *testing.T) porttest.UploadFixture {
		return porttest.UploadFixture{Store: memory.NewUploadStore(), FileIDs: []int64{1, 2, 3}, AccountIDs: []int64{1, 2}}
	})
}
