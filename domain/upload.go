package domain

import "time"

// UploadOptions are a person's choices for a manual upload.
type UploadOptions struct {
	Folder          string // remote folder, clean
	Size            string // one of UploadSizes
	IncludeRaw      bool
	IncludeVideo    bool
	IncludeSidecars bool
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
}
