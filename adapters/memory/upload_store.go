package memory

import (
	"cmp"
	"context"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// UploadStore keeps upload records in a map.
type UploadStore struct {
	mu      sync.Mutex
	records map[uploadKey]domain.UploadRecord
}

// uploadKey is what makes a record unique: one file at one remote path of
// one account.
type uploadKey struct {
	file, account int64
	path          string
}

var _ ports.UploadStore = (*UploadStore)(nil)

// NewUploadStore returns an empty store.
func NewUploadStore() *UploadStore {
	return &UploadStore{records: map[uploadKey]domain.UploadRecord{}}
}

// RecordUpload stores r, replacing a record of the same file, account and
// remote path. EINVALID for a record without a file, an account or a
// clean remote path.
func (s *UploadStore) RecordUpload(ctx context.Context, r domain.UploadRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.records[uploadKey{r.FileID, r.AccountID, r.RemotePath}] = r
	return nil
}

// UploadsOf returns the records of the given files, by file ID, each
// file's ordered by account and remote path. Files never uploaded are not
// in the map.
func (s *UploadStore) UploadsOf(ctx context.Context, fileIDs []int64) (map[int64][]domain.UploadRecord, error) {
	want := make(map[int64]bool, len(fileIDs))
	for _, id := range fileIDs {
		want[id] = true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64][]domain.UploadRecord{}
	for k, r := range s.records {
		if want[k.file] {
			out[k.file] = append(out[k.file], r)
		}
	}
	for _, rs := range out {
		sortUploads(rs)
	}
	return out, nil
}

// UploadsIn returns the records of files directly in remoteDir (not in its
// subfolders) for one account, ordered by remote path.
func (s *UploadStore) UploadsIn(ctx context.Context, accountID int64, remoteDir string) ([]domain.UploadRecord, error) {
	dir, err := domain.CleanRemotePath(remoteDir)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.UploadRecord
	for k, r := range s.records {
		if k.account == accountID && path.Dir(k.path) == dir {
			out = append(out, r)
		}
	}
	sortUploads(out)
	return out, nil
}

// ExpiredUploads returns the records that expire at now or before,
// ordered by account, then by expiry.
func (s *UploadStore) ExpiredUploads(ctx context.Context, now time.Time) ([]domain.UploadRecord, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []domain.UploadRecord
	for _, r := range s.records {
		if !r.ExpiresAt.IsZero() && !r.ExpiresAt.After(now) {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b domain.UploadRecord) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), a.ExpiresAt.Compare(b.ExpiresAt),
			strings.Compare(a.RemotePath, b.RemotePath), cmp.Compare(a.FileID, b.FileID))
	})
	return out, nil
}

// DeleteUpload removes the record of one file at one remote path of an
// account; a record that is not there is no error.
func (s *UploadStore) DeleteUpload(ctx context.Context, fileID, accountID int64, remotePath string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.records, uploadKey{fileID, accountID, remotePath})
	return nil
}

func sortUploads(rs []domain.UploadRecord) {
	slices.SortFunc(rs, func(a, b domain.UploadRecord) int {
		return cmp.Or(cmp.Compare(a.AccountID, b.AccountID), strings.Compare(a.RemotePath, b.RemotePath), cmp.Compare(a.FileID, b.FileID))
	})
}
