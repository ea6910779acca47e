package ports

import (
	"context"

	"github.com/photosync/photosync/domain"
)

// LibraryWatcher tells what changes in the library as it happens (inotify
// on Linux), so that `photosync serve` backs new photos up within seconds
// instead of at the next scheduled run. It watches every folder of the
// library, new ones as they appear, and leaves out what the Library leaves
// out: hidden folders, ignored files (domain.Ignored), and anything a
// symbolic link points at (links are never followed).
type LibraryWatcher interface {
	// Watch watches the library until ctx ends, and then closes the
	// channel. An error means the watching could not start at all (no
	// inotify on this system, the library cannot be read): the caller
	// falls back to walking the library. Events that cannot be told
	// one by one arrive as LibraryOverflow or LibraryIncomplete.
	Watch(ctx context.Context) (<-chan LibraryEvent, error)
	// Stat returns a library file's size and modification time (Size -1
	// when it is not a regular file), for the check that a file has
	// stopped changing before it is sent. ENOTFOUND when it is gone.
	Stat(ctx context.Context, path string) (domain.FileInfo, error)
}

// LibraryEventKind is what happened in the library.
type LibraryEventKind int

// Kinds of library events.
const (
	// LibraryCreated: a file or folder appeared (created, copied or
	// moved in).
	LibraryCreated LibraryEventKind = iota + 1
	// LibraryChanged: a file's content was written.
	LibraryChanged
	// LibraryMoved: a file or folder was moved away from Path (its new
	// place, when inside the library, arrives as LibraryCreated).
	LibraryMoved
	// LibraryRemoved: a file or folder was removed.
	LibraryRemoved
	// LibraryOverflow: the system dropped events (the inotify queue
	// overflowed): anything may have changed, only a walk of the whole
	// library can tell what. Why says so.
	LibraryOverflow
	// LibraryIncomplete: a folder cannot be watched (the system's limit
	// of watches, fs.inotify.max_user_watches, is reached, or it cannot
	// be read): changes below Path may go unseen from now on, and only
	// walks find them. Why says so.
	LibraryIncomplete
)

// String names the kind as the API shows it.
func (k LibraryEventKind) String() string {
	switch k {
	case LibraryCreated:
		return "created"
	case LibraryChanged:
		return "changed"
	case LibraryMoved:
		return "moved"
	case LibraryRemoved:
		return "removed"
	case LibraryOverflow:
		return "overflow"
	case LibraryIncomplete:
		return "incomplete"
	}
	return "unknown"
}

// LibraryEvent is one change in the library.
type LibraryEvent struct {
	Kind LibraryEventKind
	// Path is library-relative and slash-separated ("" for the root).
	Path string
	// Folder tells a folder's event from a file's.
	Folder bool
	// Why explains LibraryOverflow and LibraryIncomplete, for the UI.
	Why string
}
