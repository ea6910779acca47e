package memory_test

import (
	"testing"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/ports/porttest"
)

func TestProofStore(t *testing.T) {
	porttest.TestProofStore(t, func(t *testing.T) porttest.ProofFixture {
		return porttest.ProofFixture{Store: memory.NewProofStore(), AccountIDs: []int64{1, 2}}
	})
}
