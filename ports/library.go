package ports

import (
	"context"
	"io"

	"github.com/photosync/photosync/domain"
)

// Library is the folder of originals on disk. Paths are slash-separated,
// relative to the library root and clean; an implementation never reaches
// outside the root (no "..", no symbolic links followed out of it).
type Library interface {
	// Walk calls fn for every regular file below the root that
	// domain.Ignored does not rule out, in lexical order. Hidden folders
	// are not entered. An error from fn stops the walk and is returned.
	// Files that cannot be listed are passed with Size -1.
	Walk(ctx context.Context, fn func(domain.FileInfo) error) error
	// Open opens a file for reading. ENOTFOUND when it is gone.
	Open(ctx context.Context, path string) (io.ReadSeekCloser, error)
}
