package memory_test

import (
	"testing"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func TestLeaseStore(t *testing.T) {
	porttest.TestLeaseStore(t, func(t *testing.T) ports.LeaseStore { return memory.NewLeaseStore() })
}
