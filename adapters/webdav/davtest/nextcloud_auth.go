package davtest

import (
	"context"
	"net/http"
)

// The messages of Sabre's NotAuthenticated exception, as Nextcloud's DAV
// server words them.
const (
	davNoCredentials = "No public access to this resource., No 'Authorization: Basic' header found. " +
		"Either the client didn't send one, or the server is misconfigured, No 'Authorization: Bearer' header found. " +
		"Either the client didn't send one, or the server is mis-configured"
	davBadCredentials = "Username or password was incorrect, No 'Authorization: Bearer' header found. " +
		"Either the client didn't send one, or the server is mis-configured"
)

type userIDKey struct{}

// login checks Basic credentials as Nextcloud does: the user may give the
// login name or the user id, with the password. It answers the user id.
func (n *Nextcloud) login(r *http.Request) (userID string, sent, ok bool) {
	user, pass, sent := r.BasicAuth()
	if !sent {
		return "", false, false
	}
	nameOK := equal(user, n.LoginName) || equal(user, n.UserID)
	if nameOK && equal(pass, n.Password) {
		return n.UserID, true, true
	}
	return "", true, false
}

// requireDAVAuth answers 401 as Nextcloud's DAV server does unless the
// request carries the user's credentials, and passes the user id on in the
// request's context.
func (n *Nextcloud) requireDAVAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, sent, ok := n.login(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Basic realm="Nextcloud", charset="UTF-8"`)
			msg := davNoCredentials
			if sent {
				msg = davBadCredentials
			}
			davErrorf(http.StatusUnauthorized, "NotAuthenticated", msg).write(w)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userIDKey{}, id)))
	})
}

// loggedInUser answers the user id requireDAVAuth found.
func loggedInUser(r *http.Request) string {
	id, _ := r.Context().Value(userIDKey{}).(string)
	return id
}
