package app_test

import (
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// versionsWorld is a library folder whose versions a memory store keeps.
type versionsWorld struct {
	lib      string
	clock    *memory.Clock
	store    *memory.VersionStore
	versions *app.Versions
}

func newVersionsWorld(t *testing.T, keep time.Duration) *versionsWorld {
	t.Helper()
	lib := t.TempDir()
	clock := memory.NewClock(time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC))
	store := memory.NewVersionStore(lib, clock)
	return &versionsWorld{lib: lib, clock: clock, store: store,
		versions: app.NewVersions(store, clock, slog.New(slog.DiscardHandler), app.VersionsConfig{Keep: keep})}
}

// keep writes data at p in the library and keeps it as a version.
func (w *versionsWorld) keep(t *testing.T, p, data string) domain.Version {
	t.Helper()
	full := filepath.Join(w.lib, filepath.FromSlash(p))
	if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(full, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	v, err := w.store.Keep(context.Background(), p, 1, "replaced by a sync")
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (w *versionsWorld) count(t *testing.T) int {
	t.Helper()
	list, err := w.versions.List(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return len(list)
}

func TestVersionsListAndRestore(t *testing.T) {
	ctx := context.Background()
	w := newVersionsWorld(t, 0)
	if w.versions.KeepFor() != 30*24*time.Hour {
		t.Errorf("default keep time %v, want 720h", w.versions.KeepFor())
	}
	v1 := w.keep(t, "a/IMG_1.jpg", "one")
	w.clock.Advance(time.Minute)
	v2 := w.keep(t, "a/IMG_2.jpg", "two")
	list, err := w.versions.List(ctx)
	if err != nil || len(list) != 2 || list[0].ID != v2.ID || list[1].ID != v1.ID {
		t.Fatalf("List = %+v, %v; want IMG_2's then IMG_1's", list, err)
	}
	p, err := w.versions.Restore(ctx, v1.ID)
	if err != nil || p != "a/IMG_1.jpg" {
		t.Fatalf("Restore = %q, %v", p, err)
	}
	if got, _ := os.ReadFile(filepath.Join(w.lib, "a", "IMG_1.jpg")); string(got) != "one" {
		t.Errorf("restored IMG_1.jpg holds %q", got)
	}
	for _, id := range []string{"", string(make([]byte, 300))} {
		if _, err := w.versions.Restore(ctx, id); domain.ErrorCode(err) != domain.EINVALID {
			t.Errorf("Restore(%d-byte id) = %v, want EINVALID", len(id), err)
		}
	}
	if _, err := w.versions.Restore(ctx, v1.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Errorf("Restore again = %v, want ENOTFOUND", err)
	}
}

// TestVersionsPrune: Prune removes what was kept longer than the keep
// time; PruneDue prunes at its first call and then at most once an hour.
func TestVersionsPrune(t *testing.T) {
	ctx := context.Background()
	w := newVersionsWorld(t, 48*time.Hour)
	w.keep(t, "old.jpg", "old")
	w.clock.Advance(47 * time.Hour)
	w.keep(t, "new.jpg", "new")
	if n, err := w.versions.Prune(ctx); err != nil || n != 0 {
		t.Fatalf("Prune at 47h = %d, %v; want 0", n, err)
	}
	w.clock.Advance(time.Hour + time.Second)
	if n, err := w.versions.Prune(ctx); err != nil || n != 1 || w.count(t) != 1 {
		t.Fatalf("Prune at 48h = %d, %v, %d left; want 1 removed, 1 left", n, err, w.count(t))
	}

	w = newVersionsWorld(t, time.Hour)
	w.keep(t, "a.jpg", "a")
	w.clock.Advance(30 * time.Minute)
	w.versions.PruneDue(ctx) // the first call prunes: nothing is an hour old
	w.clock.Advance(40 * time.Minute)
	w.versions.PruneDue(ctx) // a.jpg is 70 minutes old, but the last prune was 40 minutes ago
	if n := w.count(t); n != 1 {
		t.Fatalf("PruneDue pruned again within the hour: %d versions left", n)
	}
	w.clock.Advance(20 * time.Minute)
	w.versions.PruneDue(ctx)
	if n := w.count(t); n != 0 {
		t.Fatalf("%d versions an hour after the last prune, want 0", n)
	}
}

// TestSchedulerPrunesVersions: the scheduler's loop prunes versions at its
// start when it has them.
func TestSchedulerPrunesVersions(t *testing.T) {
	w := newVersionsWorld(t, time.Hour)
	w.keep(t, "old.jpg", "old")
	w.clock.Advance(2 * time.Hour)
	s := app.NewScheduler(newWorld(t).accounts, nil, nil, w.clock, slog.New(slog.DiscardHandler))
	s.Versions = w.versions
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.Loop(ctx, time.Hour)
	}()
	defer func() {
		cancel()
		<-done
	}()
	deadline := time.Now().Add(10 * time.Second)
	for w.count(t) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the scheduler did not prune the old version")
		}
		time.Sleep(time.Millisecond) // polling interval
	}
}
