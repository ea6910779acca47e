package webdav

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

var _ ports.ShareLinker = (*Client)(nil)

// shareTypePublicLink is the OCS Share API's share type of a public link.
const shareTypePublicLink = 3

// ShareLink makes a read-only public link to p with Nextcloud's OCS Share
// API (developer_manual/client_apis/OCS/ocs-share-api.rst): POST
// <base>/ocs/v2.php/apps/files_sharing/api/v1/shares with path,
// shareType=3, permissions=1, and expireDate (YYYY-MM-DD, the date of
// expires in its own location) and password when given. It returns the
// link's URL.
//
// Errors have Remote set: EINVALID for a client that is not a Nextcloud
// one or for the account's whole folder (Nextcloud shares no home folder);
// ENOTFOUND when p does not exist; EINVALID or EFORBIDDEN with Nextcloud's
// own reason when it refuses (a date in the past, a password its policy
// rejects, links turned off); and the errors of the other operations.
func (c *Client) ShareLink(ctx context.Context, p string, expires time.Time, password string) (string, error) {
	p, err := domain.CleanRemotePath(p)
	if err != nil {
		return "", err
	}
	switch {
	case c.typ != domain.TypeNextcloud:
		return "", domain.RemoteErrorf(domain.EINVALID, "public links need a Nextcloud server; %s is a plain WebDAV server", c.endpoint.Host)
	case c.homePath(p) == "/":
		return "", domain.RemoteErrorf(domain.EINVALID, "Nextcloud does not share the whole folder of an account; choose a folder inside it")
	}
	form := url.Values{
		"path":        {c.homePath(p)},
		"shareType":   {strconv.Itoa(shareTypePublicLink)},
		"permissions": {"1"},
	}
	if !expires.IsZero() {
		form.Set("expireDate", expires.Format(time.DateOnly))
	}
	if password != "" {
		form.Set("password", password)
	}
	var answer ocsAnswer
	u, t := c.ocsURL("ocs/v2.php/apps/files_sharing/api/v1/shares"), c.target("share", p)
	code, err := c.callJSON(ctx, http.MethodPost, u, form, true, ocsHeader(), t, &answer)
	if err != nil {
		return "", err
	}
	if code != http.StatusOK {
		return "", c.shareRefused(p, u, code, answer, t)
	}
	var share struct {
		URL string `json:"url"`
	}
	if err := json.Unmarshal(answer.OCS.Data, &share); err != nil {
		return "", t.notNextcloud(http.MethodPost, u, err)
	}
	link, err := url.Parse(share.URL)
	if err != nil || (link.Scheme != "http" && link.Scheme != "https") || link.Host == "" {
		return "", domain.RemoteErrorf(domain.EINVALID, "Nextcloud shared %s but answered no link", p)
	}
	return link.String(), nil
}

// shareRefused translates a refused share, keeping Nextcloud's reason,
// which names what to change (an expiry date, a password).
func (c *Client) shareRefused(p string, u *url.URL, code int, answer ocsAnswer, t target) error {
	cause := &StatusError{Method: http.MethodPost, URL: u.Redacted(), Status: code}
	reason := serverMessage(answer.OCS.Meta.Message)
	refused := func(errCode string) error {
		return &domain.Error{Code: errCode, Remote: true, Err: cause, Message: "Nextcloud did not share " + p + ": " + reason}
	}
	switch {
	case code == http.StatusNotFound && (reason == "" || strings.Contains(strings.ToLower(reason), "not exist")):
		return &domain.Error{Code: domain.ENOTFOUND, Remote: true, Err: cause, Message: p + " not found"}
	case reason == "" || code == http.StatusUnauthorized || code >= 500 || code == http.StatusLocked || code == http.StatusTooManyRequests:
		return t.statusError(http.MethodPost, u.Redacted(), code, nil)
	case code == http.StatusForbidden:
		return refused(domain.EFORBIDDEN)
	default:
		return refused(domain.EINVALID)
	}
}

// homePath is p as the OCS APIs name it: relative to the user's home
// rather than to the account's endpoint, which may be a folder below it.
func (c *Client) homePath(p string) string {
	ep := c.endpoint.Path
	for _, root := range []string{"/remote.php/dav/files/", "/remote.php/webdav/"} {
		i := strings.Index(ep, root)
		if i < 0 {
			continue
		}
		rest := ep[i+len(root):]
		if root == "/remote.php/dav/files/" {
			_, rest, _ = strings.Cut(rest, "/") // the user id
		}
		if rest = strings.Trim(rest, "/"); rest != "" {
			return domain.JoinRemotePath("/"+rest, strings.TrimPrefix(p, "/"))
		}
		return p
	}
	return p
}
