package ports

import (
	"context"
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
	Download(ctx context.Context, path string) (io.ReadCloser, domain.RemoteFile, error)
	// Delete removes a file or a folder with its contents.
	Delete(ctx context.Context, path string) error
}
