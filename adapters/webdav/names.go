package webdav

import (
	"fmt"
	"net/http"
	"path"

	"github.com/photosync/photosync/domain"
)

// Nextcloud (up to 30) writes an upload to a part file beside its target
// first, named <name>.ocTransferId<rand()>.part (apps/dav File::put with
// part_file_in_storage, the default), so on a local file system, whose
// names hold 255 bytes, a file name longer than 255 - 28 = 227 bytes
// cannot be written: the server answers 500, every time. A name over 255
// bytes is refused with 400 (View::verifyPath, "File name is too long").
const (
	maxNameBytes       = 255
	maxNextcloudUpload = maxNameBytes - len(".ocTransferId") - 10 - len(".part")
)

// errNameTooLong is an upload the server refused because of its name's
// length, which no later try mends. NameTooLong tells it to callers.
type errNameTooLong struct {
	name   string
	status int
}

func (e *errNameTooLong) Error() string {
	return fmt.Sprintf("the server refused the name %q (%d bytes) as too long (%s)", e.name, len(e.name), statusText(e.status))
}

// NameTooLong reports true.
func (e *errNameTooLong) NameTooLong() bool { return true }

// nameTooLong turns the failure of an upload to p answered with status
// into the cause a person can act on when the name is what the server
// cannot take; nil otherwise.
func (c *Client) nameTooLong(p string, status int, cause error) error {
	name := path.Base(p)
	switch {
	case !c.isNextcloud():
		return nil
	case status == http.StatusInternalServerError && len(name) > maxNextcloudUpload,
		status == http.StatusBadRequest && len(name) > maxNameBytes:
	default:
		return nil
	}
	return &domain.Error{
		Code: domain.EINVALID, Remote: true,
		Message: fmt.Sprintf("the name %s is too long for this Nextcloud server: %d bytes, it stores at most %d for a file (shorten the name)",
			name, len(name), maxNextcloudUpload),
		Err: fmt.Errorf("%w: %w", &errNameTooLong{name: name, status: status}, cause),
	}
}
