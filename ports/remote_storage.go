package ports

import (
	"context"
	"errors"
	"io"

	"github.com/photosync/photosync/domain"
)

// RemoteStorage is one account's files on its server. Paths are relative to
// the account's endpoint and clean (domain.CleanRemotePath). Errors are
// *domain.Error with Remote set: EUNAUTHORIZED or EFORBIDDEN when the server
// refuses the credentials, ENOTFOUND for a missing path, EUNAVAILABLE when the
// server cannot be reached, times out or answers 5xx, 423, 425 or 429.
type RemoteStorage interface {
	// Stat returns one file or folder.
	Stat(ctx context.Context, path string) (domain.RemoteFile, error)
	// List returns the entries of one folder (never the folder itself, never
	// deeper levels). EINVALID when path is a file.
	List(ctx context.Context, dir string) ([]domain.RemoteFile, error)
	// MkdirAll creates a folder and its missing parents; an existing folder
	// is no error.
	MkdirAll(ctx context.Context, dir string) error
	// Upload stores size bytes read from body at path, replacing any file
	// there; the parent folder must exist. The request always declares its
	// length, so a server never stores a body it did not fully receive as
	// complete. ENOTFOUND when the parent is missing.
	Upload(ctx context.Context, path string, body io.Reader, size int64, meta domain.UploadMeta) error
	// Download opens a file for reading; the caller closes the reader.
	// The RemoteFile carries what the server announced with the bytes
	// (size, ETag, and the Checksum it reports, when it does); the bytes
	// are passed on as received, unchecked: the caller checks them
	// against the Checksum where it keeps or judges them (the library
	// writer for a download into the library, the app's one reader of
	// remote files for any other), so that no byte is hashed twice.
	Download(ctx context.Context, path string) (io.ReadCloser, domain.RemoteFile, error)
	// Delete removes a file or a folder with its contents.
	Delete(ctx context.Context, path string) error
}

// DownloadOptions tune Downloader.DownloadWith. The zero value is
// Download.
type DownloadOptions struct {
	// Streams is how many parts of the file may be fetched at once, for
	// a large file on a link where one stream is slower than several.
	// 0 or 1 fetches it in one request. The body still reads in order,
	// through memory bounded by the streams (never the whole file). A
	// server that cannot send parts, or a file without a validator to
	// tell its versions apart, gets one request. A file that changes
	// between its parts makes reading fail with an error wrapping
	// ErrChanged: the bytes read so far are of the old version, so the
	// caller reads it again from the start, in one stream.
	Streams int
	// Retry, when set, runs each request for a part until it works or
	// has failed for good (as the caller retries a transfer), so that a
	// broken part is fetched again from where it stopped rather than the
	// whole file. nil tries each part once.
	Retry func(ctx context.Context, try func(context.Context) error) error
}

// ErrChanged is wrapped by the error of a download whose file changed on
// the server while it was read in parts: the bytes read so far belong to
// another version than the rest. Reading it again, in one stream, gets
// the new version whole.
var ErrChanged = errors.New("the file changed on the server while it was downloaded")

// Downloader is a RemoteStorage that can tune a download; found by type
// assertion, so a storage without it (or a wrapper that hides it) is
// simply downloaded with Download.
type Downloader interface {
	// DownloadWith is Download with options.
	DownloadWith(ctx context.Context, path string, opts DownloadOptions) (io.ReadCloser, domain.RemoteFile, error)
}

// ProvingUploader is a RemoteStorage whose server can prove what it
// stored: Nextcloud answers a PUT sent with `X-Hash: sha1` with
// `X-Hash-SHA1: <hex>` computed from the bytes it wrote (and does the
// same for the MOVE that assembles a chunked upload). Found by type
// assertion; a storage without it is proven by reading the file back.
type ProvingUploader interface {
	// UploadProven is Upload that also returns the SHA-1 (lower-case
	// hex) the server computed from what it stored, or "" when this
	// server computed none for this upload (the caller then reads the
	// file back to prove it). It never returns the checksum the client
	// sent, nor one the server merely echoes (oc:checksums).
	UploadProven(ctx context.Context, path string, body io.Reader, size int64, meta domain.UploadMeta) (string, error)
}

// Mover is a RemoteStorage that can move a file on the server (WebDAV
// MOVE), so that a server copy about to be replaced is kept rather than
// overwritten. Found by type assertion.
type Mover interface {
	// Move moves the file at from to to, whose parent folder must exist.
	// It never replaces a file: ECONFLICT when to exists, ENOTFOUND when
	// from does not.
	Move(ctx context.Context, from, to string) error
}
