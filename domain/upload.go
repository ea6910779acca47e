package domain

import "time"

// UploadOptions are a person's choices for a manual upload.
type UploadOptions struct {
	Folder          string // remote folder, clean
	Size            string // one of UploadSizes
	IncludeRaw      bool
	IncludeVideo    bool
	IncludeSidecars bool
	// ExpireAfter is how long the uploaded files stay on the server
	// before the scheduler removes them; 0 keeps them.
	ExpireAfter time.Duration
}

// MaxExpireDays is the longest an upload may ask to stay on the server
// before it is removed: about ten years.
const MaxExpireDays = 3650

// ExpireAfterDays returns the ExpireAfter of an upload removed from the
// server after days days, 0 (never) for 0. EINVALID for fewer than 0 or
// more than MaxExpireDays days.
func ExpireAfterDays(days int) (time.Duration, error) {
	if days < 0 || days > MaxExpireDays {
		return 0, Errorf(EINVALID, "expire_days: must be between 1 and %d, or 0 for never", MaxExpireDays)
	}
	return time.Duration(days) * 24 * time.Hour, nil
}

// DefaultUploadOptions sends originals of every kind to folder.
func DefaultUploadOptions(folder string) UploadOptions {
	return UploadOptions{Folder: folder, Size: SizeOriginal, IncludeRaw: true, IncludeVideo: true, IncludeSidecars: true}
}

// UploadRecord is one file uploaded to one account.
type UploadRecord struct {
	FileID     int64
	AccountID  int64
	RemotePath string
	Size       int64  // bytes on the server (the resized size for fit_N)
	SHA1       string // of the bytes sent
	SourceSHA1 string // of the library file
	UploadSize string // original or fit_N
	UploadedAt time.Time
	// ExpiresAt is when the file is to be removed from the server, for
	// an upload that asked for it (UploadOptions.ExpireAfter); zero for
	// never.
	ExpiresAt time.Time
}
