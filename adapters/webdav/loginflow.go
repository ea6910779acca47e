package webdav

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// This file is photosync's side of Nextcloud's Login Flow v2
// (developer_manual/client_apis/LoginFlow/index.rst): an anonymous POST to
// <base>/index.php/login/v2 answers the login page for the person's
// browser and a poll endpoint with a token; POSTing token=... there answers
// 404 until the person has signed in and granted access, then, once, the
// server, the login name and an app password.

var _ ports.LoginFlowClient = (*Connector)(nil)

// userAgent is how photosync introduces itself to Nextcloud, which names
// the client on its grant page and the app password after it.
const userAgent = "photosync"

// maxPollToken bounds the poll token photosync keeps (Nextcloud's has 128
// characters).
const maxPollToken = 1024

// StartLoginFlow asks the Nextcloud at creds.URL (its address or any of
// its WebDAV URLs, found as Discover finds it) to start a Login Flow v2
// sign-in, anonymously. The login URL and the poll endpoint must be
// http(s) URLs, and https when the server is: the person's password goes to
// the first, the poll token to the second. Errors have Remote set: EINVALID
// when the server is not a Nextcloud or answers unlike one, EUNAVAILABLE
// when it cannot be reached or is in maintenance, and the TLS errors of
// Discover.
func (c *Connector) StartLoginFlow(ctx context.Context, creds domain.Credentials) (domain.LoginFlowStart, error) {
	typed, err := parseURL(creds.URL)
	if err != nil {
		return domain.LoginFlowStart{}, err
	}
	anon := domain.Credentials{URL: creds.URL, CACert: creds.CACert, Timeout: creds.Timeout}
	site, err := c.newClient(nextcloudBase(typed), anon, domain.TypeNextcloud)
	if err != nil {
		return domain.LoginFlowStart{}, err
	}
	status, base, err := site.nextcloudStatus(ctx)
	switch {
	case err != nil:
		return domain.LoginFlowStart{}, err
	case status == nil:
		return domain.LoginFlowStart{}, domain.RemoteErrorf(domain.EINVALID,
			"%s is not a Nextcloud server; sign in with a user name and password instead", typed.Redacted())
	case status.Maintenance:
		return domain.LoginFlowStart{}, domain.RemoteErrorf(domain.EUNAVAILABLE,
			"the Nextcloud server at %s is in maintenance mode; try again later", base.Redacted())
	}
	site.endpoint = base
	start := base.ResolveReference(&url.URL{Path: "index.php/login/v2"})
	var answer struct {
		Poll struct {
			Token    string `json:"token"`
			Endpoint string `json:"endpoint"`
		} `json:"poll"`
		Login string `json:"login"`
	}
	t := site.target("start signing in at", base.Redacted())
	code, err := site.callJSON(ctx, http.MethodPost, start, nil, false, nil, t, &answer)
	if err != nil {
		return domain.LoginFlowStart{}, err
	}
	switch code {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusMethodNotAllowed:
		return domain.LoginFlowStart{}, domain.RemoteErrorf(domain.EINVALID,
			"the Nextcloud at %s does not offer Login Flow v2 (Nextcloud 16 and later do); sign in with a user name and an app password instead", base.Redacted())
	default:
		return domain.LoginFlowStart{}, t.statusError(http.MethodPost, start.Redacted(), code, nil)
	}
	login, lerr := flowURL(answer.Login, base)
	poll, perr := flowURL(answer.Poll.Endpoint, base)
	if lerr != nil || perr != nil || answer.Poll.Token == "" || len(answer.Poll.Token) > maxPollToken {
		return domain.LoginFlowStart{}, &domain.Error{Code: domain.EINVALID, Remote: true, Err: errors.Join(lerr, perr),
			Message: "the server at " + base.Redacted() + " did not answer the start of the sign-in as Nextcloud does"}
	}
	return domain.LoginFlowStart{LoginURL: login.String(), PollEndpoint: poll.String(), PollToken: domain.Secret(answer.Poll.Token)}, nil
}

// PollLoginFlow asks the poll endpoint whether the person has granted
// access: false while Nextcloud answers 404, the grant once it answers 200
// (it does so once only). Errors as StartLoginFlow.
func (c *Connector) PollLoginFlow(ctx context.Context, creds domain.Credentials, start domain.LoginFlowStart) (domain.LoginGrant, bool, error) {
	ep, err := url.Parse(start.PollEndpoint)
	if err != nil || (ep.Scheme != "http" && ep.Scheme != "https") || ep.Host == "" {
		return domain.LoginGrant{}, false, domain.Errorf(domain.EINVALID, "the sign-in's poll endpoint is not a URL")
	}
	anon := domain.Credentials{URL: start.PollEndpoint, CACert: creds.CACert, Timeout: creds.Timeout}
	cl, err := c.newClient(ep, anon, domain.TypeNextcloud)
	if err != nil {
		return domain.LoginGrant{}, false, err
	}
	var answer struct {
		Server      string `json:"server"`
		LoginName   string `json:"loginName"`
		AppPassword string `json:"appPassword"`
	}
	t := cl.target("check the sign-in at", ep.Host)
	form := url.Values{"token": {start.PollToken.Reveal()}}
	code, err := cl.callJSON(ctx, http.MethodPost, ep, form, false, nil, t, &answer)
	switch {
	case err != nil:
		return domain.LoginGrant{}, false, err
	case code == http.StatusNotFound:
		return domain.LoginGrant{}, false, nil
	case code != http.StatusOK:
		return domain.LoginGrant{}, false, t.statusError(http.MethodPost, ep.Redacted(), code, nil)
	case answer.LoginName == "" || answer.AppPassword == "" || strings.Contains(answer.LoginName, ":"):
		return domain.LoginGrant{}, false, domain.RemoteErrorf(domain.EINVALID,
			"the server at %s granted access without a login name or an app password", ep.Host)
	}
	return domain.LoginGrant{Server: answer.Server, LoginName: answer.LoginName, AppPassword: domain.Secret(answer.AppPassword)}, true, nil
}

// flowURL parses a URL of a login flow answer, which must be absolute
// http(s) and not drop from https to http against base.
func flowURL(raw string, base *url.URL) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return nil, err
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.User != nil:
		return nil, errors.New("not an absolute http(s) URL: " + u.Redacted())
	case base.Scheme == "https" && u.Scheme != "https":
		return nil, errors.New("https downgraded to http: " + u.Redacted())
	}
	return u, nil
}

// callJSON sends a request to u with form (when not nil) as its body, signed
// in with the client's credentials when signIn is set and anonymously
// otherwise, and decodes a JSON answer of at most maxJSONBody bytes into v
// whatever its status; a 200 answer that is not JSON is an error.
// Redirects are not followed. It answers the status; other errors are
// failures to get an answer.
func (c *Client) callJSON(ctx context.Context, method string, u *url.URL, form url.Values, signIn bool, hdr http.Header, t target, v any) (int, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout) // bounds reading the body too
	defer cancel()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return 0, t.transportError(ctx, err)
	}
	for k, vs := range hdr {
		req.Header[k] = vs
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", userAgent)
	if signIn {
		req.SetBasicAuth(c.user, c.pass)
	}
	hc, x := c.http(ctx, noRedirect)
	resp, err := hc.Do(req)
	if err != nil {
		return 0, t.transportError(ctx, errors.Join(x.err, err))
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxJSONBody))
	if err != nil || x.err != nil {
		return 0, t.transportError(ctx, errors.Join(x.err, err))
	}
	if err := json.Unmarshal(raw, v); err != nil && resp.StatusCode == http.StatusOK {
		return 0, t.notNextcloud(method, u, err)
	}
	return resp.StatusCode, nil
}

// notNextcloud is the error for a 200 answer that is not the JSON
// Nextcloud sends.
func (t target) notNextcloud(method string, u *url.URL, cause error) *domain.Error {
	return &domain.Error{
		Code: domain.EINVALID, Remote: true, Err: cause,
		Message: "the server at " + t.host + " answered " + method + " " + u.Redacted() + " unlike Nextcloud (not the JSON expected)",
	}
}
