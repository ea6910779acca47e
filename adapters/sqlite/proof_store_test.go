package sqlite_test

import (
	"testing"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
	"github.com/photosync/photosync/ports/porttest"
)

func TestProofStore(t *testing.T) {
	porttest.TestProofStore(t, func(t *testing.T) porttest.ProofFixture {
		db := openDB(t)
		return porttest.ProofFixture{Store: sqlite.NewProofStore(db), AccountIDs: sqlstoretest.CreateAccounts(t, db, "one", "two")}
	})
}
