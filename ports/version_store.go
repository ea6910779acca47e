package ports

import (
	"context"
	"time"

	"github.com/photosync/photosync/domain"
)

// VersionStore keeps replaced library files (domain.Version) in a versions
// area the index never sees, and brings them back. Paths are library-
// relative and clean, as for Library.
type VersionStore interface {
	// Keep moves the library file at path into the versions area (its
	// bytes, size, SHA-1 and modification time kept with it) and returns
	// the new version. The file is no longer at path afterwards. ENOTFOUND
	// when there is no file at path.
	Keep(ctx context.Context, path string, accountID int64, reason string) (domain.Version, error)
	// List returns the kept versions, newest first.
	List(ctx context.Context) ([]domain.Version, error)
	// Restore puts a version back into the library at its path; when that
	// path holds other bytes now, beside it with a name that says it is a
	// restored version. It returns the path it wrote and forgets the
	// version. ENOTFOUND for an unknown id.
	Restore(ctx context.Context, id string) (string, error)
	// Prune removes versions kept before cutoff and returns how many.
	Prune(ctx context.Context, cutoff time.Time) (int, error)
}
