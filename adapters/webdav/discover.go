package webdav

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/photosync/photosync/domain"
)

// maxJSONBody bounds what photosync reads of status.php and OCS answers.
const maxJSONBody = 1 << 20

// Discover finds out what a server is and checks the credentials against it.
//
// Nextcloud (and ownCloud) is recognised by its status.php, looked for below
// the part of the URL before "/remote.php/", or below the URL as typed: so
// the base URL, the legacy /remote.php/webdav/ URL and the full
// /remote.php/dav/files/USER/ URL all give the same endpoint,
// <base>/remote.php/dav/files/<user id>/. The user id, which may differ from
// the login name (an e-mail address, an LDAP login), comes from the OCS user
// endpoint. Any other server must answer PROPFIND Depth 0 on the URL as
// typed with 207, for a folder.
//
// Errors have Remote set: EUNAUTHORIZED (user name or password),
// EFORBIDDEN, ENOTFOUND (no WebDAV folder at the URL), EINVALID (not a
// WebDAV server, untrusted TLS certificate, bad CA certificate, a redirect),
// EUNAVAILABLE (refused, unknown host, timeout, maintenance, 5xx).
func (c *Connector) Discover(ctx context.Context, creds domain.Credentials) (domain.Discovery, error) {
	typed, err := parseURL(creds.URL)
	if err != nil {
		return domain.Discovery{}, err
	}
	site, err := c.newClient(nextcloudBase(typed), creds, domain.TypeNextcloud)
	if err != nil {
		return domain.Discovery{}, err
	}
	status, base, err := site.nextcloudStatus(ctx)
	if err != nil {
		return domain.Discovery{}, err
	}
	if status == nil {
		dav, err := c.newClient(typed, creds, domain.TypeWebDAV)
		if err != nil {
			return domain.Discovery{}, err
		}
		if err := dav.checkFolder(ctx); err != nil {
			return domain.Discovery{}, err
		}
		return domain.Discovery{Type: domain.TypeWebDAV, Endpoint: typed.String()}, nil
	}
	if status.Maintenance {
		return domain.Discovery{}, domain.RemoteErrorf(domain.EUNAVAILABLE,
			"the Nextcloud server at %s is in maintenance mode; try again later", base.Redacted())
	}
	site.endpoint = base
	userID, err := site.nextcloudUserID(ctx)
	if err != nil {
		return domain.Discovery{}, err
	}
	endpoint := *base
	endpoint.Path = base.Path + "remote.php/dav/files/" + userID + "/"
	endpoint.RawPath = base.EscapedPath() + "remote.php/dav/files/" + url.PathEscape(userID) + "/"
	dav, err := c.newClient(&endpoint, creds, domain.TypeNextcloud)
	if err != nil {
		return domain.Discovery{}, err
	}
	if err := dav.checkFolder(ctx); err != nil {
		return domain.Discovery{}, err
	}
	return domain.Discovery{
		Type:     domain.TypeNextcloud,
		Endpoint: endpoint.String(),
		UserID:   userID,
		Version:  status.VersionString,
	}, nil
}

// nextcloudBase is where a Nextcloud would be installed if u were one of its
// URLs: the part before "/remote.php/", else u itself.
func nextcloudBase(u *url.URL) *url.URL {
	b := *u
	if i := strings.Index(u.Path, "/remote.php/"); i >= 0 {
		b.Path, b.RawPath = u.Path[:i+1], ""
		if j := strings.Index(u.EscapedPath(), "/remote.php/"); j >= 0 {
			b.RawPath = u.EscapedPath()[:j+1]
		}
	}
	return &b
}

// statusPHP is the part of Nextcloud's status.php that matters here.
type statusPHP struct {
	Installed     bool   `json:"installed"`
	Maintenance   bool   `json:"maintenance"`
	VersionString string `json:"versionstring"`
}

// nextcloudStatus asks the client's endpoint for status.php. It returns nil
// when the server is not an installed Nextcloud, and the base URL after any
// redirect on the same server (http to https, say).
func (c *Client) nextcloudStatus(ctx context.Context) (*statusPHP, *url.URL, error) {
	var st statusPHP
	status, final, err := c.getJSON(ctx, "status.php", nil, &st)
	if err != nil {
		return nil, nil, err
	}
	if status != http.StatusOK || !st.Installed {
		return nil, nil, nil
	}
	base := *final
	base.Path = strings.TrimSuffix(final.Path, "status.php")
	base.RawPath = ""
	base.RawQuery, base.Fragment = "", ""
	if raw := strings.TrimSuffix(final.EscapedPath(), "status.php"); raw != base.Path {
		base.RawPath = raw
	}
	return &st, &base, nil
}

// ocsUser is the part of Nextcloud's OCS user answer that matters here.
type ocsUser struct {
	OCS struct {
		Meta struct {
			StatusCode int `json:"statuscode"`
		} `json:"meta"`
		Data struct {
			ID string `json:"id"`
		} `json:"data"`
	} `json:"ocs"`
}

// nextcloudUserID asks Nextcloud whose credentials these are. When the OCS
// API gives no usable answer, the login name is taken for the user id,
// which is right for most accounts; checkFolder then tells.
func (c *Client) nextcloudUserID(ctx context.Context) (string, error) {
	var u ocsUser
	hdr := http.Header{"OCS-APIRequest": {"true"}, "Accept": {"application/json"}}
	status, _, err := c.getJSON(ctx, "ocs/v2.php/cloud/user?format=json", hdr, &u)
	t := c.target("connect to", c.endpoint.Redacted())
	t.discovery = true
	switch {
	case err != nil:
		return "", err
	case status == http.StatusUnauthorized || u.OCS.Meta.StatusCode == 997: // 997: OCS v1's "unauthorised"
		return "", t.statusError(http.MethodGet, c.endpoint.Redacted()+"ocs/v2.php/cloud/user", http.StatusUnauthorized, nil)
	case status == http.StatusLocked, status == http.StatusTooManyRequests, status >= 500:
		return "", t.statusError(http.MethodGet, c.endpoint.Redacted()+"ocs/v2.php/cloud/user", status, nil)
	case status == http.StatusOK && validName(u.OCS.Data.ID):
		return u.OCS.Data.ID, nil
	}
	c.logger.LogAttrs(ctx, slog.LevelInfo, "webdav: Nextcloud did not tell the user id; using the login name",
		slog.String("url", c.endpoint.Redacted()), slog.Int("status", status))
	return c.user, nil
}

// getJSON GETs rel below the client's endpoint with the credentials and
// decodes a JSON answer of at most maxJSONBody bytes into v, following
// redirects on the same server. It returns the status and the final URL;
// an answer that is not JSON leaves v as it was and is no error. Errors
// are failures to get an answer.
func (c *Client) getJSON(ctx context.Context, rel string, hdr http.Header, v any) (int, *url.URL, error) {
	ref, err := url.Parse(rel)
	if err != nil {
		return 0, nil, err
	}
	u := c.endpoint.ResolveReference(ref)
	t := c.target("connect to", c.endpoint.Redacted())
	t.discovery = true
	ctx, cancel := context.WithTimeout(ctx, c.timeout) // bounds reading the body too
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return 0, nil, t.transportError(ctx, err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	req.SetBasicAuth(c.user, c.pass)
	hc, x := c.http(ctx, sameServerRedirects)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, nil, t.transportError(ctx, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody))
	if err != nil || x.err != nil {
		return 0, nil, t.transportError(ctx, errors.Join(x.err, err))
	}
	if resp.StatusCode == http.StatusOK {
		_ = json.Unmarshal(body, v) // not JSON: not the answer looked for
	}
	return resp.StatusCode, resp.Request.URL, nil
}

// checkFolder checks that the client's endpoint is a WebDAV folder these
// credentials may read: PROPFIND Depth 0 must answer 207 for a collection.
func (c *Client) checkFolder(ctx context.Context) error {
	t := c.target("connect to", c.endpoint.Redacted())
	t.discovery = true
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	e, err := c.statURL(ctx, c.endpoint, propsWebDAV, t)
	switch s := HTTPStatus(err); s {
	case http.StatusOK, http.StatusMethodNotAllowed, http.StatusNotImplemented, http.StatusBadRequest:
		return t.notWebDAV(statusText(s), &StatusError{Method: "PROPFIND", URL: c.endpoint.Redacted(), Status: s})
	}
	if err != nil {
		return err
	}
	if !e.isDir {
		return domain.RemoteErrorf(domain.EINVALID, "%s is a file, not a WebDAV folder", t.what)
	}
	return nil
}
