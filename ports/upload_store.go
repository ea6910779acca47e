package ports

import (
	"context"
	"time"

	"github.com/photosync/photosync/domain"
)

// UploadStore keeps the record of files uploaded to accounts.
type UploadStore interface {
	// RecordUpload stores one upload, replacing an earlier record of the
	// same file, account and remote path.
	RecordUpload(ctx context.Context, r domain.UploadRecord) error
	// UploadsOf returns the uploads of the given files, by file ID.
	UploadsOf(ctx context.Context, fileIDs []int64) (map[int64][]domain.UploadRecord, error)
	// UploadsIn returns the uploads to one remote folder of an account.
	UploadsIn(ctx context.Context, accountID int64, remoteDir string) ([]domain.UploadRecord, error)
	// ExpiredUploads returns the uploads whose ExpiresAt is set and not
	// after now, ordered by account, then by expiry.
	ExpiredUploads(ctx context.Context, now time.Time) ([]domain.UploadRecord, error)
	// DeleteUpload removes the record of one file at one remote path of an
	// account; a record that is not there is no error.
	DeleteUpload(ctx context.Context, fileID, accountID int64, remotePath string) error
}
