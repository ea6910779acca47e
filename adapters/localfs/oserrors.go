package localfs

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"syscall"

	"github.com/photosync/photosync/domain"
)

// diskError returns, for an error whose cause a person can act on (a
// full disk, a read-only file system, a name too long for the file
// system), a domain error that says so: EUNAVAILABLE for the disk (it
// may have room or be writable again later; retrying then helps),
// EINVALID for the name (the same name fails again). Any other error is
// returned as it is. root is the library folder, p the library path
// concerned.
func diskError(root, p string, err error) error {
	if err == nil {
		return nil
	}
	var msg, code string
	switch {
	case errors.Is(err, syscall.ENOSPC):
		code, msg = domain.EUNAVAILABLE, "no space left on the library disk at "+root
	case errors.Is(err, syscall.EDQUOT):
		code, msg = domain.EUNAVAILABLE, "the disk quota is used up on the library disk at "+root
	case errors.Is(err, syscall.EROFS):
		code, msg = domain.EUNAVAILABLE, "read-only file system at "+root
	case errors.Is(err, syscall.ENAMETOOLONG):
		code, msg = domain.EINVALID, "file name too long: "+p
	default:
		return err
	}
	var de *domain.Error
	if errors.As(err, &de) && de.Message == msg {
		return err // translated already
	}
	return &domain.Error{Code: code, Message: msg, Err: err}
}

// hashFile returns the SHA-1 of what r reads, in lower-case hex.
func hashFile(r io.Reader) (string, error) {
	h := sha1.New()
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	if _, err := io.CopyBuffer(h, r, *buf); err != nil {
		return "", fmt.Errorf("read: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
