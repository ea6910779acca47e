package memory_test

import (
	"testing"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func TestLibraryStore(t *testing.T) {
	porttest.TestLibraryStore(t, func(t *testing.T) ports.LibraryStore { return memory.NewLibraryStore() })
}
