package webdav

import (
	"fmt"
	"log/slog"
	"net/http"

	"github.com/studio-b12/gowebdav"
)

// basicAuth is the one way photosync signs in to a WebDAV server: HTTP Basic
// on every request, sent preemptively. gowebdav's automatic negotiation
// would first send each request without credentials and, to be able to send
// it again, copy a non-seekable upload body into memory; preemptive Basic
// auth avoids both the extra round trip and the buffering.
//
// It also tells gowebdav never to follow a redirect (gowebdav honours
// gowebdav.XInhibitRedirect only when an Authenticator sets it): following
// one would turn a PROPFIND into a GET, and could carry the credentials
// to another host.
type basicAuth struct {
	user string
	pass string
}

var _ gowebdav.Authenticator = (*basicAuth)(nil)

// Authorize adds the credentials and turns off redirects.
func (a *basicAuth) Authorize(_ *http.Client, rq *http.Request, _ string) error {
	rq.SetBasicAuth(a.user, a.pass)
	rq.Header.Set(gowebdav.XInhibitRedirect, "1")
	return nil
}

// Verify turns a 401 into an error: gowebdav would otherwise hand the 401
// answer on as if it were the server's answer to the request.
func (a *basicAuth) Verify(_ *http.Client, rs *http.Response, path string) (redo bool, err error) {
	if rs.StatusCode == http.StatusUnauthorized {
		return false, gowebdav.NewPathError("Authorize", path, rs.StatusCode)
	}
	return false, nil
}

// Clone returns a itself: it holds no state that changes.
func (a *basicAuth) Clone() gowebdav.Authenticator { return a }

// Close releases nothing.
func (a *basicAuth) Close() error { return nil }

// String names the user and never the password, so that printing the
// authenticator by mistake leaks nothing.
func (a *basicAuth) String() string { return fmt.Sprintf("basic auth for user %q", a.user) }

// GoString is String, for %#v.
func (a *basicAuth) GoString() string { return a.String() }

// LogValue is what log/slog records instead of the fields.
func (a *basicAuth) LogValue() slog.Value { return slog.StringValue(a.String()) }
