package ports

import "context"

// FolderMaker is a RemoteStorage that can create one folder whose parent
// is known to exist in a single request, where MkdirAll must look first:
// an optional capability, found by type assertion, used when a sync has
// just listed the parent.
type FolderMaker interface {
	// Mkdir creates dir; a folder already there is no error. ECONFLICT
	// when a file is in the way, ENOTFOUND when the parent is missing;
	// other errors as RemoteStorage.MkdirAll's.
	Mkdir(ctx context.Context, dir string) error
}
