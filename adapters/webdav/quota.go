package webdav

import (
	"context"

	"github.com/photosync/photosync/ports"
)

var _ ports.QuotaReporter = (*Client)(nil)

// Quota returns the bytes the account may still store: the
// quota-available-bytes property (RFC 4331) of the endpoint's folder. known
// is false when the server does not report it, or reports a negative
// value, which Nextcloud uses for space uncomputed (-1), unknown (-2) or
// unlimited (-3). Space in a folder shared by another user, or on
// external storage mounted below the endpoint, may differ.
func (c *Client) Quota(ctx context.Context) (int64, bool, error) {
	t := c.target("read the free space of", "/")
	e, err := c.statURL(ctx, c.url("/"), propsQuota, t)
	if err != nil {
		return 0, false, err
	}
	if !e.hasQuota || e.quota < 0 {
		return 0, false, nil
	}
	return e.quota, true, nil
}
