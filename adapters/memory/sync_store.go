package memory

import (
	"cmp"
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// SyncStore keeps sync state in maps. Each write checks all its input
// before it changes anything, so a refused batch leaves the store as it
// was, as the SQLite store's transaction does.
type SyncStore struct {
	mu       sync.Mutex
	pairs    map[int64]map[string]domain.SyncPair // by account, remote path
	folders  map[int64][]domain.RemoteFolder
	failures map[int64]map[failureKey]domain.SyncFailure
	runs     map[int64]domain.SyncRun
	nextRun  int64
}

// failureKey is what makes a failure unique within an account.
type failureKey struct {
	dir           domain.SyncDirection
	local, remote string
}

var _ ports.SyncStore = (*SyncStore)(nil)

// NewSyncStore returns an empty store.
func NewSyncStore() *SyncStore {
	return &SyncStore{
		pairs:    map[int64]map[string]domain.SyncPair{},
		folders:  map[int64][]domain.RemoteFolder{},
		failures: map[int64]map[failureKey]domain.SyncFailure{},
		runs:     map[int64]domain.SyncRun{},
	}
}

// Pairs returns an account's pairs ordered by remote path.
func (s *SyncStore) Pairs(ctx context.Context, accountID int64) ([]domain.SyncPair, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.SyncPair
	for _, p := range s.pairs[accountID] {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b domain.SyncPair) int { return strings.Compare(a.RemotePath, b.RemotePath) })
	return out, nil
}

// SavePairs deletes the pairs at the remote paths in remove, then upserts
// those in upsert. A pair with AccountID 0 is taken for accountID's.
// EINVALID for a pair of another account or without a clean remote path
// and library path; nothing is saved then.
func (s *SyncStore) SavePairs(ctx context.Context, accountID int64, upsert []domain.SyncPair, remove []string) error {
	checked := make([]domain.SyncPair, 0, len(upsert))
	for _, p := range upsert {
		if err := p.Validate(accountID); err != nil {
			return err
		}
		p.LocalModTime, p.RemoteModTime, p.SyncedAt = utcTime(p.LocalModTime), utcTime(p.RemoteModTime), utcTime(p.SyncedAt)
		checked = append(checked, p)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.pairs[accountID]
	if m == nil {
		m = map[string]domain.SyncPair{}
		s.pairs[accountID] = m
	}
	for _, p := range remove {
		delete(m, p)
	}
	for _, p := range checked {
		m[p.RemotePath] = p
	}
	return nil
}

// Folders returns the remote folders remembered for an account ordered by
// path, each with its files ordered by path.
func (s *SyncStore) Folders(ctx context.Context, accountID int64) ([]domain.RemoteFolder, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return cloneFolders(s.folders[accountID]), nil
}

// UpdateFolders changes some of an account's remembered folders; see
// ports.SyncStore. Nothing changes when it refuses the input.
func (s *SyncStore) UpdateFolders(ctx context.Context, accountID int64, put, retag []domain.RemoteFolder, drop []string) error {
	if err := domain.ValidateFolderUpdate(put, retag, drop); err != nil {
		return err
	}
	putPaths := make(map[string]bool, len(put))
	for _, f := range put {
		putPaths[f.Path] = true
	}
	tags := make(map[string]string, len(retag))
	for _, f := range retag {
		tags[f.Path] = f.ETag
	}
	gone := make(map[string]bool, len(drop))
	for _, p := range drop {
		gone[p] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	next := storedFolders(put)
	for _, f := range s.folders[accountID] {
		if !putPaths[f.Path] && !gone[f.Path] {
			if tag, ok := tags[f.Path]; ok {
				f.ETag = tag
			}
			next = append(next, f)
		}
	}
	s.folders[accountID] = next
	return nil
}

// ReplaceFolders replaces an account's remembered folders. EINVALID for a
// folder without a clean path, a folder given twice, or a file that is
// not directly in its folder; nothing changes then.
func (s *SyncStore) ReplaceFolders(ctx context.Context, accountID int64, folders []domain.RemoteFolder) error {
	if err := domain.ValidateFolders(folders); err != nil {
		return err
	}
	stored := storedFolders(folders)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.folders[accountID] = stored
	return nil
}

// storedFolders answers a copy of folders as the store keeps them.
func storedFolders(folders []domain.RemoteFolder) []domain.RemoteFolder {
	stored := cloneFolders(folders)
	for i := range stored {
		for j := range stored[i].Files {
			stored[i].Files[j].ModTime = utcTime(stored[i].Files[j].ModTime)
		}
	}
	return stored
}

// cloneFolders copies folders sorted by path, with their files sorted by
// path, sharing nothing with the input.
func cloneFolders(folders []domain.RemoteFolder) []domain.RemoteFolder {
	var out []domain.RemoteFolder
	for _, f := range folders {
		f.Files = slices.Clone(f.Files)
		if len(f.Files) == 0 {
			f.Files = nil
		}
		slices.SortFunc(f.Files, func(a, b domain.RemoteFile) int { return strings.Compare(a.Path, b.Path) })
		out = append(out, f)
	}
	slices.SortFunc(out, func(a, b domain.RemoteFolder) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// utcTime returns t in UTC without a monotonic reading, as the SQLite
// store gives times back; the zero time stays zero.
func utcTime(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return t.UTC().Round(0)
}

// Failures returns an account's failures ordered by remote path, library
// path and direction; failedOnly keeps those that reached the retry limit.
func (s *SyncStore) Failures(ctx context.Context, accountID int64, failedOnly bool) ([]domain.SyncFailure, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.SyncFailure
	for _, f := range s.failures[accountID] {
		if !failedOnly || f.Failed {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b domain.SyncFailure) int {
		return cmp.Or(strings.Compare(a.RemotePath, b.RemotePath), strings.Compare(a.LocalPath, b.LocalPath),
			strings.Compare(string(a.Direction), string(b.Direction)))
	})
	return out, nil
}

// SaveFailures clears the failures in clear, then upserts those in
// upsert. A failure with AccountID 0 is taken for accountID's. EINVALID
// for a failure of another account, of no known direction or without a
// path; nothing is saved then.
func (s *SyncStore) SaveFailures(ctx context.Context, accountID int64, upsert, clear []domain.SyncFailure) error {
	check := func(fs []domain.SyncFailure) ([]domain.SyncFailure, error) {
		out := make([]domain.SyncFailure, 0, len(fs))
		for _, f := range fs {
			if err := f.Validate(accountID); err != nil {
				return nil, err
			}
			f.LastAttemptAt, f.NextAttemptAt = utcTime(f.LastAttemptAt), utcTime(f.NextAttemptAt)
			out = append(out, f)
		}
		return out, nil
	}
	up, err := check(upsert)
	if err != nil {
		return err
	}
	cl, err := check(clear)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.failures[accountID]
	if m == nil {
		m = map[failureKey]domain.SyncFailure{}
		s.failures[accountID] = m
	}
	for _, f := range cl {
		delete(m, failureKey{f.Direction, f.LocalPath, f.RemotePath})
	}
	for _, f := range up {
		m[failureKey{f.Direction, f.LocalPath, f.RemotePath}] = f
	}
	return nil
}

// CreateRun stores a copy of a new run and sets its ID. EINVALID for a
// run without an account.
func (s *SyncStore) CreateRun(ctx context.Context, r *domain.SyncRun) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nextRun++
	r.ID = s.nextRun
	s.runs[r.ID] = storedRun(*r)
	return nil
}

// UpdateRun replaces a stored run. ENOTFOUND when there is no run with r's
// ID for r's account.
func (s *SyncStore) UpdateRun(ctx context.Context, r domain.SyncRun) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.runs[r.ID]; !ok || old.AccountID != r.AccountID {
		return domain.Errorf(domain.ENOTFOUND, "sync run %d of account %d not found", r.ID, r.AccountID)
	}
	s.runs[r.ID] = storedRun(r)
	return nil
}

// Runs returns copies of an account's most recent runs, newest (highest
// ID) first; a limit below 1 returns them all.
func (s *SyncStore) Runs(ctx context.Context, accountID int64, limit int) ([]domain.SyncRun, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.SyncRun
	for _, r := range s.runs {
		if r.AccountID == accountID {
			out = append(out, storedRun(r))
		}
	}
	slices.SortFunc(out, func(a, b domain.SyncRun) int { return cmp.Compare(b.ID, a.ID) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// storedRun returns a copy of r as the store keeps it: times in UTC, the
// first domain.MaxJobErrors errors in a slice of its own.
func storedRun(r domain.SyncRun) domain.SyncRun {
	r.Errors = slices.Clone(r.Errors[:min(len(r.Errors), domain.MaxJobErrors)])
	if len(r.Errors) == 0 {
		r.Errors = nil
	}
	r.StartedAt, r.FinishedAt = utcTime(r.StartedAt), utcTime(r.FinishedAt)
	return r
}
