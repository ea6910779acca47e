package memory

import (
	"context"
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// VersionStore keeps the versions of the files of a library folder on
// disk in memory: Keep reads the file and removes it from the library,
// Restore writes it back. It is for tests of the use cases that replace
// library files; the files it takes and gives back are real, so a test
// can check the library as it would with the real store.
type VersionStore struct {
	lib   string
	clock ports.Clock

	mu       sync.Mutex
	next     int
	versions map[string]kept
}

type kept struct {
	v    domain.Version
	seq  int // the order of Keeps
	data []byte
}

var _ ports.VersionStore = (*VersionStore)(nil)

// NewVersionStore returns a store of the versions of the library folder lib.
func NewVersionStore(lib string, clock ports.Clock) *VersionStore {
	return &VersionStore{lib: lib, clock: clock, versions: map[string]kept{}}
}

// Keep takes the file at p out of the library; see ports.VersionStore.
func (s *VersionStore) Keep(ctx context.Context, p string, accountID int64, reason string) (domain.Version, error) {
	if !fs.ValidPath(p) || p == "." || strings.Contains(p, `\`) {
		return domain.Version{}, domain.Errorf(domain.EINVALID, "%q is not a path in the library", p)
	}
	root, err := os.OpenRoot(s.lib)
	if err != nil {
		return domain.Version{}, err
	}
	defer root.Close()
	fi, err := root.Lstat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return domain.Version{}, domain.Errorf(domain.ENOTFOUND, "%s no longer exists", p)
	}
	if err != nil {
		return domain.Version{}, err
	}
	if !fi.Mode().IsRegular() {
		return domain.Version{}, domain.Errorf(domain.EINVALID, "%s is not a file", p)
	}
	data, err := root.ReadFile(p)
	if err != nil {
		return domain.Version{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := root.Remove(p); err != nil {
		return domain.Version{}, err
	}
	s.next++
	sum := sha1.Sum(data)
	v := domain.Version{ID: fmt.Sprintf("v%d", s.next), Path: p, Size: int64(len(data)), SHA1: hex.EncodeToString(sum[:]),
		ModTime: fi.ModTime(), KeptAt: s.clock.Now(), AccountID: accountID, Reason: reason}
	s.versions[v.ID] = kept{v: v, seq: s.next, data: data}
	return v, nil
}

// List returns the versions, newest first.
func (s *VersionStore) List(ctx context.Context) ([]domain.Version, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	all := make([]kept, 0, len(s.versions))
	for _, k := range s.versions {
		all = append(all, k)
	}
	slices.SortFunc(all, func(a, b kept) int {
		if c := b.v.KeptAt.Compare(a.v.KeptAt); c != 0 {
			return c
		}
		return b.seq - a.seq
	})
	out := make([]domain.Version, len(all))
	for i, k := range all {
		out[i] = k.v
	}
	return out, nil
}

// Restore writes a version back into the library; see ports.VersionStore.
func (s *VersionStore) Restore(ctx context.Context, id string) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k, ok := s.versions[id]
	if !ok {
		return "", domain.Errorf(domain.ENOTFOUND, "version %s not found", id)
	}
	root, err := os.OpenRoot(s.lib)
	if err != nil {
		return "", err
	}
	defer root.Close()
	if dir := path.Dir(k.v.Path); dir != "." {
		if err := root.MkdirAll(dir, 0o755); err != nil {
			return "", err
		}
	}
	at := s.clock.Now().Local()
	for n := 0; ; n++ {
		target := k.v.Path
		if n > 0 {
			target = domain.RestoredName(k.v.Path, at, n-1)
		}
		if old, err := root.ReadFile(target); err == nil {
			if n == 0 && string(old) == string(k.data) {
				delete(s.versions, id)
				return target, nil
			}
			continue
		} else if !errors.Is(err, fs.ErrNotExist) {
			if _, serr := root.Lstat(target); serr == nil {
				continue // a folder, a link
			}
			return "", err
		}
		f, err := root.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			continue
		}
		if err != nil {
			return "", err
		}
		_, err = f.Write(k.data)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = root.Chtimes(target, time.Time{}, k.v.ModTime)
		}
		if err != nil {
			return "", err
		}
		delete(s.versions, id)
		return target, nil
	}
}

// Prune forgets the versions kept before cutoff.
func (s *VersionStore) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, k := range s.versions {
		if k.v.KeptAt.Before(cutoff) {
			delete(s.versions, id)
			n++
		}
	}
	return n, nil
}
