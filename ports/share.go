package ports

import (
	"context"
	"time"
)

// ShareLinker is an optional capability of a RemoteStorage (find it with a
// type assertion): the storage can make a public link to one of its files
// or folders, as Nextcloud's share API does (share type 3).
type ShareLinker interface {
	// ShareLink makes a read-only public link to path (relative to the
	// storage's endpoint, clean) and returns its URL. A non-zero expires
	// makes the link stop working on that day (only the date counts); a
	// non-empty password protects it. Errors have Remote set: ENOTFOUND
	// when path does not exist, EINVALID or EFORBIDDEN with the server's
	// reason when it refuses (a date in the past, a password its policy
	// rejects, sharing turned off), and the errors of RemoteStorage.
	ShareLink(ctx context.Context, path string, expires time.Time, password string) (string, error)
}
