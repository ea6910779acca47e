package webdav

import (
	"context"
	"fmt"
	"net/http"
	"path"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.QuotaReporter = (*Client)(nil)

// Quota returns the bytes the account may still store: the
// quota-available-bytes property (RFC 4331) of the endpoint's folder. known
// is false when the server does not report it, or reports a negative
// value, which Nextcloud uses for space uncomputed (-1), unknown (-2) or
// unlimited (-3). Space in a folder shared by another user, or on
// external storage mounted below the endpoint, may differ. Nextcloud
// answers the home folder's value from a cache kept 5 minutes: QuotaOf a
// folder below it is current.
func (c *Client) Quota(ctx context.Context) (int64, bool, error) {
	return c.QuotaOf(ctx, "/")
}

// QuotaOf returns the bytes that may still be stored in the folder dir
// (its quota-available-bytes; see Quota), or in its nearest existing
// parent when it does not exist yet. Nextcloud answers a subfolder's from
// the current state and the home folder's from a cache kept 5 minutes
// (OC_Helper::getStorageInfo), so the folder an upload goes to is the one
// to ask.
func (c *Client) QuotaOf(ctx context.Context, dir string) (int64, bool, error) {
	dir, err := domain.CleanRemotePath(dir)
	if err != nil {
		return 0, false, err
	}
	for {
		t := c.target("read the free space of", dir)
		e, err := c.statURL(ctx, c.url(dir), propsQuota, t)
		if domain.ErrorCode(err) == domain.ENOTFOUND && dir != "/" {
			dir = path.Dir(dir)
			continue
		}
		if err != nil {
			return 0, false, err
		}
		if !e.hasQuota || e.quota < 0 {
			return 0, false, nil
		}
		return e.quota, true, nil
	}
}

// spaceMemo is what a client learnt of its folders' free space from a
// 507: after one, the folder's space is read again, and uploads into it
// that cannot fit are refused without sending them, until the memo is
// older than spaceMemoTTL (space may be freed meanwhile).
type spaceMemo struct {
	mu   sync.Mutex
	dirs map[string]spaceNote
}

type spaceNote struct {
	free int64
	at   time.Time
}

// spaceMemoTTL bounds how long a folder's space read after a 507 is
// trusted.
const spaceMemoTTL = 10 * time.Minute

// errNoSpace is an upload refused for lack of space: by the server's 507,
// or before sending because the folder's space, read after one, is too
// small. NoSpace tells it, for callers that do not try it again in the
// same run.
type errNoSpace struct {
	need, free int64
	dir        string
}

func (e *errNoSpace) Error() string {
	return fmt.Sprintf("no space on the server: %d bytes needed, %d free in %s", e.need, e.free, e.dir)
}

// NoSpace reports true.
func (e *errNoSpace) NoSpace() bool { return true }

// NoSpace reports whether the answer was 507 Insufficient Storage.
func (e *StatusError) NoSpace() bool { return e.Status == http.StatusInsufficientStorage }

// fits refuses an upload of size bytes into dir that a 507 showed cannot
// fit; nil when it may be tried.
func (c *Client) fits(dir string, size int64) error {
	c.space.mu.Lock()
	defer c.space.mu.Unlock()
	n, ok := c.space.dirs[dir]
	if !ok || time.Since(n.at) > spaceMemoTTL || size <= n.free {
		return nil
	}
	return &domain.Error{Code: domain.EUNAVAILABLE, Remote: true,
		Message: fmt.Sprintf("no space on the server: %s holds %d bytes more, this file has %d", dir, n.free, size),
		Err:     &errNoSpace{need: size, free: n.free, dir: dir}}
}

// noteUpload updates what is known of dir's space after an upload of size
// bytes ended with err: a 507 reads the folder's space again, a success
// takes the bytes off it.
func (c *Client) noteUpload(ctx context.Context, dir string, size int64, err error) {
	switch {
	case err == nil:
		c.space.mu.Lock()
		if n, ok := c.space.dirs[dir]; ok {
			n.free -= size
			c.space.dirs[dir] = n
		}
		c.space.mu.Unlock()
	case HTTPStatus(err) == http.StatusInsufficientStorage:
		free, known, qerr := c.QuotaOf(ctx, dir)
		if qerr != nil || !known {
			return
		}
		c.space.mu.Lock()
		if c.space.dirs == nil {
			c.space.dirs = map[string]spaceNote{}
		}
		c.space.dirs[dir] = spaceNote{free: free, at: time.Now()}
		c.space.mu.Unlock()
	}
}
