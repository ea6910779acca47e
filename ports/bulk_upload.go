package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// BulkUploader is a RemoteStorage that can store many small files in one
// request (Nextcloud's bulk upload). Found by type assertion; the sender
// uses it only while BulkUsable says so, and sends by Upload otherwise.
type BulkUploader interface {
	// BulkUsable reports whether SendBulk would send bulk requests now:
	// the server has them, the settings allow them, and no trouble was
	// seen with them yet.
	BulkUsable(ctx context.Context) bool
	// SendBulk stores files in bulk requests and answers one result per
	// file, in order. A file the server answered for has Err nil (stored)
	// or its own error; a file it did not store because bulk upload was
	// given up (or the file does not fit in a bulk request) has NotSent,
	// and is to be sent by Upload.
	SendBulk(ctx context.Context, files []BulkFile) []BulkResult
}

// BulkFile is one small file for SendBulk.
type BulkFile struct {
	Path string // the remote path, clean
	Data []byte
	Meta domain.UploadMeta
}

// BulkResult is the outcome of one file of SendBulk.
type BulkResult struct {
	ETag   string // as the server answered it, "" when unknown
	FileID string
	// Proof is the server's SHA-1 of what it stored, as UploadProven's
	// ("" when it computed none, as for every file of a bulk request).
	Proof string
	// Checked tells the server answered the file stored after checking
	// the MD5 of the bytes it received against the one sent with them
	// (Nextcloud's bulk upload refuses the request at a part whose bytes
	// differ) and wrote those bytes: the server's own hash of the bytes
	// it handed to its storage, as a PUT's X-Hash-SHA1 is.
	Checked bool
	NotSent bool // not sent in a bulk request: send it by Upload
	Err     error
}

// StoredHasher is a RemoteStorage whose server can hash a file it stores
// from its own copy, without the client reading it back (Nextcloud's
// PATCH with X-Recalculate-Hash). Found by type assertion.
type StoredHasher interface {
	// StoredSHA1 answers the SHA-1 (lower-case hex) the server computed
	// of the file at path as it stores it, or an error (a server without
	// it among them: the caller then reads the file back).
	StoredSHA1(ctx context.Context, path string) (string, error)
}
