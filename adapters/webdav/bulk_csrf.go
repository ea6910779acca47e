package webdav

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
)

// This file lets a bulk request keep the session. Nextcloud checks a POST
// signed in by the session cookie against the session's CSRF token
// (Connector\Sabre\Auth): without it the session is logged out and the
// request signed in again by its credentials, which with the login
// password costs a password hash check (bcrypt) and, worse, a new session
// for every request in flight. Nextcloud's desktop client is exempt by its
// user agent; photosync does not pretend to be it. Instead it asks the
// session for its token (GET index.php/csrftoken, a public page that
// answers the session's token, Nextcloud 14 and later) once per client and
// sends it in the requesttoken header. When that fails, or a POST with it
// is answered with a new session cookie (the server logged the session
// out: the token did not pass), bulk requests go without the session
// cookie for the rest of the client's life, signed in by their
// credentials alone, as before. See docs/nextcloud-model.md.

// csrfState is what a client knows of its session's CSRF token.
type csrfState struct {
	mu     sync.Mutex
	token  string
	broken bool // no token, or it did not pass: bulk requests go without the session
}

// maxCSRFAnswer bounds the csrftoken answer read.
const maxCSRFAnswer = 4 << 10

// requestToken answers the session's CSRF token for a bulk request, ""
// when the request is to go without the session: no session yet (the
// first requests of a run make it), or no token to be had.
func (c *Client) requestToken(ctx context.Context) string {
	if c.jar == nil || !c.isNextcloud() {
		return ""
	}
	c.csrf.mu.Lock()
	defer c.csrf.mu.Unlock()
	if c.csrf.broken || c.csrf.token != "" {
		return c.csrf.token
	}
	if len(c.jar.cookies(c.endpoint)) == 0 {
		return ""
	}
	tok, err := c.fetchRequestToken(ctx)
	if err != nil {
		if ctx.Err() == nil {
			c.csrf.broken = true
			c.logger.LogAttrs(ctx, slog.LevelInfo, "webdav: no CSRF token for the session; bulk requests sign in on their own",
				slog.String("error", err.Error()))
		}
		return ""
	}
	c.csrf.token = tok
	return tok
}

// fetchRequestToken asks the session for its CSRF token.
func (c *Client) fetchRequestToken(ctx context.Context) (string, error) {
	u, _, ok := c.bulkURL()
	if !ok {
		return "", errors.New("not a Nextcloud endpoint")
	}
	tu := *u
	tu.Path = strings.TrimSuffix(u.Path, "/remote.php/dav/bulk") + "/index.php/csrftoken"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, tu.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Accept", "application/json")
	// The session's cookie alone: credentials would sign in anew.
	x := &exchange{ctx: ctx, next: c.transport, origin: c.endpoint, logger: c.logger, idle: c.timeout, jar: c.jar}
	resp, err := (&http.Client{Transport: x, CheckRedirect: noRedirect}).Do(req)
	if err != nil {
		return "", errors.Join(x.err, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxCSRFAnswer))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GET %s answered %s", tu.Redacted(), statusText(resp.StatusCode))
	}
	var v struct {
		Token string `json:"token"`
	}
	if err := json.Unmarshal(raw, &v); err != nil || !plainToken(v.Token) {
		return "", fmt.Errorf("GET %s answered no token", tu.Redacted())
	}
	return v.Token, nil
}

// plainToken reports whether a token can go in a header as it is.
func plainToken(s string) bool {
	if s == "" || len(s) > 1024 {
		return false
	}
	for _, r := range s {
		if r <= ' ' || r > '~' {
			return false
		}
	}
	return true
}

// sessionRenewed reports whether an answer sets a cookie the request
// brought with another value: the server logged the session out and made
// a new one.
func sessionRenewed(sent []*http.Cookie, resp *http.Response) bool {
	for _, set := range resp.Cookies() {
		for _, c := range sent {
			if c.Name == set.Name && c.Value != set.Value {
				return true
			}
		}
	}
	return false
}

// tokenFailed notes that a bulk request with the token lost the session.
func (c *Client) tokenFailed(ctx context.Context) {
	c.csrf.mu.Lock()
	first := !c.csrf.broken
	c.csrf.broken, c.csrf.token = true, ""
	c.csrf.mu.Unlock()
	if first {
		c.logger.LogAttrs(ctx, slog.LevelInfo, "webdav: a bulk request with the session's CSRF token lost the session; bulk requests sign in on their own")
	}
}
