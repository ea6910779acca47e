package sqlstore

import (
	"context"
	"database/sql"
	"path"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// UploadStore keeps the record of uploaded files in the uploads table.
type UploadStore struct {
	db *DB
}

var _ ports.UploadStore = (*UploadStore)(nil)

// NewUploadStore returns an UploadStore on db.
func NewUploadStore(db *DB) *UploadStore {
	return &UploadStore{db: db}
}

const selectUpload = `SELECT file_id, account_id, remote_path, size, sha1, source_sha1, upload_size, uploaded_at, expires_at FROM uploads`

// RecordUpload stores one upload, replacing an earlier record of the same
// file, account and remote path. EINVALID for a record without a file, an
// account or a clean remote path; ENOTFOUND when the file or the account
// does not exist.
func (s *UploadStore) RecordUpload(ctx context.Context, r domain.UploadRecord) error {
	if err := r.Validate(); err != nil {
		return err
	}
	at, err := timeValue(r.UploadedAt)
	if err != nil || at == nil {
		return domain.Errorf(domain.EINVALID, "the upload record of %s has no valid time", r.RemotePath)
	}
	expires, err := timeValue(r.ExpiresAt)
	if err != nil {
		return domain.Errorf(domain.EINVALID, "the upload record of %s has no valid expiry", r.RemotePath)
	}
	_, err = s.db.exec(ctx, s.db.db, `INSERT INTO uploads
		(file_id, account_id, remote_path, remote_dir, size, sha1, source_sha1, upload_size, uploaded_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (file_id, account_id, remote_path) DO UPDATE SET remote_dir = excluded.remote_dir,
		size = excluded.size, sha1 = excluded.sha1, source_sha1 = excluded.source_sha1, upload_size = excluded.upload_size,
		uploaded_at = excluded.uploaded_at, expires_at = excluded.expires_at`,
		r.FileID, r.AccountID, r.RemotePath, path.Dir(r.RemotePath), r.Size, r.SHA1, r.SourceSHA1, r.UploadSize, at, expires)
	if s.db.d.IsForeignKey(err) {
		return domain.Errorf(domain.ENOTFOUND, "file %d or account %d not found", r.FileID, r.AccountID)
	}
	if err != nil {
		return s.db.errorf("record upload of file %d: %w", r.FileID, err)
	}
	return nil
}

// UploadsOf returns the uploads of the given files, by file ID, each
// file's ordered by account and remote path. Files never uploaded are not
// in the map. Any number of IDs is one query with one parameter (see
// Dialect.In).
func (s *UploadStore) UploadsOf(ctx context.Context, fileIDs []int64) (map[int64][]domain.UploadRecord, error) {
	out := map[int64][]domain.UploadRecord{}
	if len(fileIDs) == 0 {
		return out, nil
	}
	in, ids, err := s.db.d.In(fileIDs)
	if err != nil {
		return nil, s.db.errorf("uploads of files: %w", err)
	}
	recs, err := s.query(ctx, selectUpload+` WHERE file_id `+in+` ORDER BY file_id, account_id, remote_path`, ids)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		out[r.FileID] = append(out[r.FileID], r)
	}
	return out, nil
}

// UploadsIn returns the uploads of one account to files directly in
// remoteDir (not in its subfolders), ordered by remote path.
func (s *UploadStore) UploadsIn(ctx context.Context, accountID int64, remoteDir string) ([]domain.UploadRecord, error) {
	dir, err := domain.CleanRemotePath(remoteDir)
	if err != nil {
		return nil, err
	}
	return s.query(ctx, selectUpload+` WHERE account_id = ? AND remote_dir = ? ORDER BY remote_path, file_id`, accountID, dir)
}

// ExpiredUploads returns the uploads that expire at now or before,
// ordered by account, then by expiry.
func (s *UploadStore) ExpiredUploads(ctx context.Context, now time.Time) ([]domain.UploadRecord, error) {
	if now.IsZero() || now.Before(minTime) {
		return nil, nil
	}
	if now.After(maxTime) {
		now = maxTime
	}
	at := now.UnixNano()
	return s.query(ctx, selectUpload+` WHERE expires_at IS NOT NULL AND expires_at <= ?
		ORDER BY account_id, expires_at, remote_path, file_id`, at)
}

// DeleteUpload removes the record of one file at one remote path of an
// account; a record that is not there is no error.
func (s *UploadStore) DeleteUpload(ctx context.Context, fileID, accountID int64, remotePath string) error {
	_, err := s.db.exec(ctx, s.db.db, `DELETE FROM uploads WHERE file_id = ? AND account_id = ? AND remote_path = ?`,
		fileID, accountID, remotePath)
	if err != nil {
		return s.db.errorf("delete the upload record of %s: %w", remotePath, err)
	}
	return nil
}

func (s *UploadStore) query(ctx context.Context, q string, args ...any) ([]domain.UploadRecord, error) {
	recs, err := queryAll(ctx, s.db, s.db.db, "list uploads", scanUpload, q, args...)
	if len(recs) == 0 {
		return nil, err
	}
	return recs, err
}

func scanUpload(row scanner) (domain.UploadRecord, error) {
	var r domain.UploadRecord
	var at, expires sql.NullInt64
	err := row.Scan(&r.FileID, &r.AccountID, &r.RemotePath, &r.Size, &r.SHA1, &r.SourceSHA1, &r.UploadSize, &at, &expires)
	r.UploadedAt, r.ExpiresAt = timeOf(at), timeOf(expires)
	return r, err
}
