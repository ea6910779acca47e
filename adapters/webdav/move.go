package webdav

import (
	"context"
	"errors"
	"net/http"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.Mover = (*Client)(nil)

// Move moves a file on the server with MOVE and Overwrite: F, so that it
// never replaces what is at to: ECONFLICT when to exists (412), ENOTFOUND
// when from is missing.
func (c *Client) Move(ctx context.Context, from, to string) error {
	from, err := domain.CleanRemotePath(from)
	if err != nil {
		return err
	}
	if to, err = domain.CleanRemotePath(to); err != nil {
		return err
	}
	if from == "/" || to == "/" {
		return &domain.Error{Code: domain.EINVALID, Message: "refusing to move the account's whole folder", Remote: true}
	}
	t := c.target("move", from)
	dav, x := c.dav(ctx)
	err = dav.Rename(from, to, false)
	if x.err != nil || ctx.Err() != nil {
		return t.transportError(ctx, errors.Join(x.err, ctx.Err(), err))
	}
	switch s := x.status(); {
	case s == http.StatusPreconditionFailed:
		return domain.RemoteErrorf(domain.ECONFLICT, "%s exists on the server already", to)
	case s == http.StatusNotFound:
		return t.statusError("MOVE", c.url(from).Redacted(), s, x.header())
	case err != nil && s >= 300:
		return t.statusError("MOVE", c.url(from).Redacted(), s, x.header())
	}
	return c.check(ctx, x, t, "MOVE", from, err)
}
