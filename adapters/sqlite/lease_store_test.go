package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/sqlstore/sqlstoretest"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func TestLeaseStore(t *testing.T) {
	porttest.TestLeaseStore(t, func(t *testing.T) ports.LeaseStore { return sqlite.NewLeaseStore(openDB(t)) })
}

// TestLeaseStoreAcrossHandles: two handles on one file, as two processes
// have, see one lease.
func TestLeaseStoreAcrossHandles(t *testing.T) {
	path := filepath.Join(t.TempDir(), "photosync.db")
	sqlstoretest.TestLeaseStoreAcrossHandles(t, func(t *testing.T) *sqlite.DB { return openPath(t, path) })
}

// TestLeaseStoreRace: many handles on one file race for one lease; exactly
// one wins.
func TestLeaseStoreRace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "photosync.db")
	sqlstoretest.TestLeaseStoreRace(t, func(t *testing.T) *sqlite.DB { return openPath(t, path) })
}
