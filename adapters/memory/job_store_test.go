package memory_test

import (
	"testing"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func TestJobStore(t *testing.T) {
	porttest.TestJobStore(t, func(t *testing.T) ports.JobStore { return memory.NewJobStore(clock()) })
}
