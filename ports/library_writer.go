package ports

import (
	"context"
	"io"
	"time"

	"github.com/photosync/photosync/domain"
)

// LibraryWriter writes into the library safely: never outside it, never a
// partial file where a complete one belongs. Paths are slash-separated,
// relative to the library root and clean, as for Library; anything else
// is EINVALID.
type LibraryWriter interface {
	// WriteFile streams r into a temporary file beside path (hidden, so the
	// index ignores it), checks that exactly size bytes came and, when
	// want is a checksum, that their SHA-1 is want's, syncs it to disk,
	// then renames it into place and sets the modification time (when
	// non-zero). The rename is durable once WriteFile returns (the folder
	// was synced after it; writes into one folder may share that sync).
	// With overwrite false an existing path is ECONFLICT. It returns the
	// SHA-1 (lower-case hex) of what was written. It is the one check of
	// the bytes written into the library: a download's caller hands it
	// the checksum the server announced (RemoteStorage.Download does not
	// check it), so every byte is hashed once. A want that is not a valid
	// SHA-1 is EINVALID; a mismatch is EINVALID. On any error the
	// temporary file is removed and path is untouched.
	WriteFile(ctx context.Context, path string, r io.Reader, size int64, modTime time.Time, want domain.Checksum, overwrite bool) (string, error)
	// Rename moves a library file; ECONFLICT when to exists.
	Rename(ctx context.Context, from, to string) error
	// RemoveTemps deletes temporary files a crashed write left below dir
	// (library-relative) and returns how many it removed.
	RemoveTemps(ctx context.Context, dir string) (int, error)
}
