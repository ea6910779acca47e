package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
	"github.com/photosync/photosync/ports/porttest"
)

func TestLeaseStore(t *testing.T) {
	porttest.TestLeaseStore(t, func(t *testing.T) ports.LeaseStore { return sqlite.NewLeaseStore(openDB(t)) })
}

// TestLeaseStoreAcrossHandles: two handles on one file, as two processes
// have, see one lease.
func TestLeaseStoreAcrossHandles(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "photosync.db")
	first, second := sqlite.NewLeaseStore(openPath(t, path)), sqlite.NewLeaseStore(openPath(t, path))
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const ttl = 5 * time.Minute

	if err := first.AcquireLease(ctx, "sync:3", "process-1", now, ttl); err != nil {
		t.Fatalf("first AcquireLease: %v", err)
	}
	err := second.AcquireLease(ctx, "sync:3", "process-2", now.Add(48*time.Second), ttl)
	if domain.ErrorCode(err) != domain.ECONFLICT || domain.ErrorMessage(err) != "sync:3 is held by another process for another 4m12s" {
		t.Fatalf("second AcquireLease = %v (%s), want the ECONFLICT naming 4m12s left", err, domain.ErrorCode(err))
	}
	// The holder renews through its own handle; the other still waits.
	if err := first.AcquireLease(ctx, "sync:3", "process-1", now.Add(4*time.Minute), ttl); err != nil {
		t.Fatalf("renewal: %v", err)
	}
	if err := second.AcquireLease(ctx, "sync:3", "process-2", now.Add(8*time.Minute), ttl); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("AcquireLease before the renewed expiry = %v, want ECONFLICT", err)
	}
	// A holder that died: its lease expires and the other takes over.
	if err := second.AcquireLease(ctx, "sync:3", "process-2", now.Add(9*time.Minute), ttl); err != nil {
		t.Fatalf("AcquireLease after the expiry: %v", err)
	}
	if err := first.AcquireLease(ctx, "sync:3", "process-1", now.Add(10*time.Minute), ttl); domain.ErrorCode(err) != domain.ECONFLICT {
		t.Fatalf("the old holder's AcquireLease = %v, want ECONFLICT", err)
	}
	if err := second.ReleaseLease(ctx, "sync:3", "process-2"); err != nil {
		t.Fatalf("ReleaseLease: %v", err)
	}
	if err := first.AcquireLease(ctx, "sync:3", "process-1", now.Add(10*time.Minute), ttl); err != nil {
		t.Fatalf("AcquireLease after the release: %v", err)
	}
}

// TestLeaseStoreRace: many handles on one file race for one lease; exactly
// one wins.
func TestLeaseStoreRace(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "photosync.db")
	const n = 6
	stores := make([]*sqlite.LeaseStore, n)
	for i := range stores {
		stores[i] = sqlite.NewLeaseStore(openPath(t, path))
	}
	now := time.Now()
	for round := range 5 {
		name := fmt.Sprintf("sync:%d", round)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() { errs[i] = s.AcquireLease(ctx, name, fmt.Sprintf("process-%d", i), now, time.Minute) })
		}
		wg.Wait()
		var won []int
		for i, err := range errs {
			switch {
			case err == nil:
				won = append(won, i)
			case domain.ErrorCode(err) != domain.ECONFLICT || !strings.Contains(err.Error(), name):
				t.Errorf("round %d, process %d: %v", round, i, err)
			}
		}
		if len(won) != 1 {
			t.Errorf("round %d: processes %v got the lease, want exactly one", round, won)
		}
	}
}
