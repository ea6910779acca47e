package ports

import (
	"context"
	"time"

	"github.com/photosync/photosync/domain"
)

// LibraryStore keeps the index of the library: files and the photos they
// stack into. File and photo IDs are stable: a file keeps its ID while its
// path exists in the index, a photo while its Key does.
type LibraryStore interface {
	// LibraryFiles returns every file ever indexed, missing ones included.
	LibraryFiles(ctx context.Context) ([]domain.LibraryFile, error)
	// SaveIndex stores the outcome of an index run atomically: photos (each
	// with all its files, upserted by Key and by path), loose files (with a
	// problem, in no photo) and the paths of files gone from disk, which are
	// marked Missing. Photos and files get their IDs set. Photos whose
	// files are all missing stay, but Photos no longer lists them.
	SaveIndex(ctx context.Context, photos []domain.Photo, loose []domain.LibraryFile, missing []string, at time.Time) error
	// Photos returns one page of photos with at least one file present,
	// newest taken first, with their files (missing ones left out) and the
	// total number that match.
	Photos(ctx context.Context, q domain.PhotoQuery) ([]domain.Photo, int, error)
	// Photo returns one photo with its present files. ENOTFOUND.
	Photo(ctx context.Context, id int64) (domain.Photo, error)
	// LibraryFile returns one file. ENOTFOUND.
	LibraryFile(ctx context.Context, id int64) (domain.LibraryFile, error)
	// Problems returns the present files that have a problem.
	Problems(ctx context.Context) ([]domain.LibraryFile, error)
}
