package porttest

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// TestLeaseStore runs the LeaseStore contract. newStore must return a new,
// empty store each time it is called; it is called once per subtest.
//
// Besides the behaviour documented on ports.LeaseStore, the suite expects
// a lease to be free again at exactly its expiry, the ECONFLICT message to
// name the lease and the time left in whole seconds rounded up ("4m12s"),
// a release by another holder to do nothing, and EINVALID for an empty
// name or holder or a ttl below a millisecond.
func TestLeaseStore(t *testing.T, newStore func(t *testing.T) ports.LeaseStore) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	const ttl = 5 * time.Minute

	t.Run("OneHolderAtATime", func(t *testing.T) {
		s := newStore(t)
		mustAcquire(t, s, "sync:3", "a", now, ttl)
		err := s.AcquireLease(ctx, "sync:3", "b", now.Add(48*time.Second+300*time.Millisecond), ttl)
		checkCode(t, "AcquireLease by another holder", err, domain.ECONFLICT)
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, "sync:3") || !strings.Contains(msg, "4m12s") {
			t.Errorf("the conflict says %q; want the lease's name and the 4m12s left", msg)
		}
		// Other names are free.
		mustAcquire(t, s, "sync:4", "b", now, ttl)
	})

	t.Run("SameHolderRenews", func(t *testing.T) {
		s := newStore(t)
		mustAcquire(t, s, "sync:3", "a", now, ttl)
		mustAcquire(t, s, "sync:3", "a", now.Add(4*time.Minute), ttl) // now held until now+9m
		err := s.AcquireLease(ctx, "sync:3", "b", now.Add(6*time.Minute), ttl)
		checkCode(t, "AcquireLease after a renewal", err, domain.ECONFLICT)
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, "3m0s") {
			t.Errorf("the conflict says %q; want the 3m0s left after the renewal", msg)
		}
		mustAcquire(t, s, "sync:3", "b", now.Add(9*time.Minute), ttl)
	})

	t.Run("ExpiredIsTakenOver", func(t *testing.T) {
		s := newStore(t)
		mustAcquire(t, s, "sync:3", "a", now, ttl)
		err := s.AcquireLease(ctx, "sync:3", "b", now.Add(ttl-time.Millisecond), ttl)
		checkCode(t, "AcquireLease a millisecond before the expiry", err, domain.ECONFLICT)
		if msg := domain.ErrorMessage(err); !strings.Contains(msg, "another 1s") {
			t.Errorf("the conflict says %q; want the 1s left, rounded up", msg)
		}
		mustAcquire(t, s, "sync:3", "b", now.Add(ttl), ttl)
		// The old holder has lost it.
		checkCode(t, "AcquireLease by the old holder", s.AcquireLease(ctx, "sync:3", "a", now.Add(ttl+time.Second), ttl), domain.ECONFLICT)
	})

	t.Run("Release", func(t *testing.T) {
		s := newStore(t)
		mustAcquire(t, s, "sync:3", "a", now, ttl)
		if err := s.ReleaseLease(ctx, "sync:3", "b"); err != nil {
			t.Fatalf("ReleaseLease by another holder: %v", err)
		}
		checkCode(t, "AcquireLease after another holder's release", s.AcquireLease(ctx, "sync:3", "b", now, ttl), domain.ECONFLICT)
		if err := s.ReleaseLease(ctx, "sync:3", "a"); err != nil {
			t.Fatalf("ReleaseLease: %v", err)
		}
		mustAcquire(t, s, "sync:3", "b", now, ttl)
		if err := s.ReleaseLease(ctx, "never", "a"); err != nil {
			t.Errorf("ReleaseLease of a lease never taken: %v", err)
		}
	})

	t.Run("Concurrent", func(t *testing.T) {
		s := newStore(t)
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() { errs[i] = s.AcquireLease(ctx, "sync:3", fmt.Sprintf("holder-%d", i), now, ttl) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch domain.ErrorCode(err) {
			case "":
				won++
			case domain.ECONFLICT:
			default:
				t.Errorf("holder %d: %v", i, err)
			}
		}
		if won != 1 {
			t.Errorf("%d of %d concurrent holders got the lease, want exactly 1", won, n)
		}
	})

	t.Run("Invalid", func(t *testing.T) {
		s := newStore(t)
		checkCode(t, "AcquireLease without a name", s.AcquireLease(ctx, "", "a", now, ttl), domain.EINVALID)
		checkCode(t, "AcquireLease without a holder", s.AcquireLease(ctx, "x", "", now, ttl), domain.EINVALID)
		checkCode(t, "AcquireLease without a duration", s.AcquireLease(ctx, "x", "a", now, 0), domain.EINVALID)
	})
}

func mustAcquire(t *testing.T, s ports.LeaseStore, name, holder string, now time.Time, ttl time.Duration) {
	t.Helper()
	if err := s.AcquireLease(context.Background(), name, holder, now, ttl); err != nil {
		t.Fatalf("AcquireLease(%s, %s, %v): %v", name, holder, now, err)
	}
}
