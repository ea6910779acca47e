package webdav

import (
	"context"
	"net/http"
	"path"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.FolderMaker = (*Client)(nil)

// Mkdir creates one folder whose parent exists with a single MKCOL, where
// MkdirAll looks first: a sync that has just listed the parent knows the
// folder is missing. A folder already there is no error (405 is looked
// into: a file answers it too). ECONFLICT when a file is in the way,
// ENOTFOUND when the parent is missing.
func (c *Client) Mkdir(ctx context.Context, dir string) error {
	dir, err := domain.CleanRemotePath(dir)
	if err != nil {
		return err
	}
	if dir == "/" {
		return nil
	}
	t := c.target("create folder", dir)
	u := c.url(dir)
	req, err := http.NewRequestWithContext(ctx, "MKCOL", u.String(), nil)
	if err != nil {
		return t.transportError(ctx, err)
	}
	status, hdr, err := c.sendBodyless(ctx, req, t)
	if err != nil {
		return err
	}
	switch status {
	case http.StatusCreated, http.StatusOK, http.StatusNoContent:
		return nil
	case http.StatusMethodNotAllowed:
		switch f, err := c.stat(ctx, dir, t); {
		case err == nil && f.IsDir:
			return nil
		case err == nil:
			return &domain.Error{Code: domain.ECONFLICT, Message: dir + " is a file, not a folder", Remote: true}
		default:
			return err
		}
	case http.StatusConflict, http.StatusNotFound:
		return &domain.Error{Code: domain.ENOTFOUND, Message: "the folder " + path.Dir(dir) + " does not exist", Remote: true,
			Err: t.statusError("MKCOL", u.Redacted(), status, hdr)}
	}
	return t.statusError("MKCOL", u.Redacted(), status, hdr)
}
