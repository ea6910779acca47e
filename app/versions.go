package app

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// DefaultKeepVersions is how long a replaced library file is kept when
// the configuration does not say: 30 days.
const DefaultKeepVersions = 30 * 24 * time.Hour

// PruneEvery is how often PruneDue removes the versions past their time.
const PruneEvery = time.Hour

// VersionsConfig says how long versions are kept (PHOTOSYNC_KEEP_VERSIONS).
type VersionsConfig struct {
	Keep time.Duration // 0 means DefaultKeepVersions
}

// Versions lists and restores the library files a sync replaced, which
// the sync keeps in a VersionStore, and removes them once they are older
// than the configured time.
type Versions struct {
	store ports.VersionStore
	clock ports.Clock
	log   *slog.Logger
	keep  time.Duration

	mu        sync.Mutex
	lastPrune time.Time // zero until the first PruneDue
}

// NewVersions returns the versions of store, kept for cfg.Keep.
func NewVersions(store ports.VersionStore, clock ports.Clock, log *slog.Logger, cfg VersionsConfig) *Versions {
	keep := cfg.Keep
	if keep <= 0 {
		keep = DefaultKeepVersions
	}
	return &Versions{store: store, clock: clock, log: log, keep: keep}
}

// KeepFor is how long a version is kept.
func (v *Versions) KeepFor() time.Duration { return v.keep }

// List returns the kept versions, newest first.
func (v *Versions) List(ctx context.Context) ([]domain.Version, error) {
	return v.store.List(ctx)
}

// maxVersionID is longer than any ID a store makes.
const maxVersionID = 200

// Restore puts the version id back into the library and returns the
// library path it now has: its own path when that is free (or holds the
// same bytes), else a "(restored ...)" name beside it. EINVALID for an
// empty or overlong id, ENOTFOUND for an unknown one. The next index finds
// the restored file.
func (v *Versions) Restore(ctx context.Context, id string) (string, error) {
	if id == "" || len(id) > maxVersionID {
		return "", domain.Errorf(domain.EINVALID, "%q is not a version ID", truncate(id, 40))
	}
	p, err := v.store.Restore(ctx, id)
	if err != nil {
		return "", err
	}
	v.log.InfoContext(ctx, "version restored", "version", id, "path", p)
	return p, nil
}

// Prune removes the versions kept longer than the configured time and
// returns how many.
func (v *Versions) Prune(ctx context.Context) (int, error) {
	n, err := v.store.Prune(ctx, v.clock.Now().Add(-v.keep))
	if n > 0 {
		v.log.InfoContext(ctx, "old versions removed", "count", n, "kept_for", v.keep.String())
	}
	return n, err
}

// PruneDue runs Prune when it has not run for PruneEvery in this process
// (so at the first call, then once an hour), for a loop that ticks more
// often. A failure is logged and tried again an hour later, like a
// success: a disk that cannot be written is not knocked on every tick.
func (v *Versions) PruneDue(ctx context.Context) {
	now := v.clock.Now()
	v.mu.Lock()
	due := v.lastPrune.IsZero() || !now.Before(v.lastPrune.Add(PruneEvery))
	if due {
		v.lastPrune = now
	}
	v.mu.Unlock()
	if !due {
		return
	}
	if _, err := v.Prune(ctx); err != nil && ctx.Err() == nil {
		v.log.WarnContext(ctx, "cannot remove old versions", "err", err)
	}
}

// truncate shortens s to n characters for a message.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
