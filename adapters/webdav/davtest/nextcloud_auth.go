package davtest

import (
	"context"
	"crypto/sha512"
	"encoding/hex"
	"net/http"
	"regexp"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"
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

// This file imitates how Nextcloud signs a request in, and what that
// costs (see docs/nextcloud-model.md for the sources):
//
//   - the login password is checked against its stored hash
//     (OC\Security\Hasher: bcrypt, cost 10; see WithPasswordHashCost) on every request
//     that is not signed in by a session;
//   - an app password (a token) is looked up by its SHA-512 with the
//     instance secret (PublicKeyTokenProvider::hashToken), and the
//     password it keeps is checked against the login backend once every
//     5 minutes (Session::checkTokenCredentials);
//   - a successful Basic login starts a PHP session: its cookie (named
//     after the instance id) is set on the answer, with cookie_test. The
//     session signs later requests in without a password check once
//     Nextcloud made a session token for it, which it does on a password
//     login only when the client sent cookie_test back
//     (Session::supportsCookies): a client keeping cookies pays the hash
//     twice, then no more. A session made by an app password is
//     validated by that token (cheap) on each request;
//   - a POST signed in by the session cookie without the session's CSRF
//     token (nextcloud_csrf.go) fails the CSRF check
//     (Connector\Sabre\Auth::requiresCSRFCheck; Nextcloud's own clients,
//     known by their user agent, are exempt) and is logged out, so its
//     Basic credentials are checked again, in a new session.

// sessionState is the server's PHP sessions.
type sessionState struct {
	mu       sync.Mutex
	sessions map[string]*session // by session id

	hash            []byte // the login password's bcrypt hash
	passwordChecks  int    // bcrypt verifications
	tokenChecks     int    // app password (token) look-ups
	tokenLastChecks map[string]time.Time
}

// session is one PHP session.
type session struct {
	user        string // the user id signed in, "" for none
	token       bool   // a session token exists: the session signs requests in
	appPassword string // the app password it was signed in with, if any
	csrf        string // the CSRF token's secret, "" until one was asked for
	lastCheck   time.Time
}

// passwordRecheck is how often Nextcloud checks the password kept with a
// token against the login backend.
const passwordRecheck = 5 * time.Minute

// RealisticPasswordHashCost is the bcrypt cost of Nextcloud's Hasher (PHP's
// default, 10): about 50-100 ms a verification. A server started without
// WithPasswordHashCost hashes at bcrypt.MinCost (4), still a real bcrypt
// verification on every request without a session, but 64 times cheaper,
// so that the many tests that do not measure it stay quick; a benchmark
// asks for the realistic cost.
const RealisticPasswordHashCost = 10

// WithPasswordHashCost sets the bcrypt cost of the stored login password,
// e.g. RealisticPasswordHashCost.
func WithPasswordHashCost(cost int) NextcloudOption {
	return func(c *nextcloudConfig) { c.hashCost = cost }
}

// PasswordChecks answers how many times the server verified the login
// password's hash so far (a Basic login with the password, or the
// periodic check of a token's password).
func (n *Nextcloud) PasswordChecks() int {
	n.auth.mu.Lock()
	defer n.auth.mu.Unlock()
	return n.auth.passwordChecks
}

// TokenChecks answers how many times the server looked an app password
// up (a SHA-512), without a session.
func (n *Nextcloud) TokenChecks() int {
	n.auth.mu.Lock()
	defer n.auth.mu.Unlock()
	return n.auth.tokenChecks
}

// Sessions answers how many sessions the server started.
func (n *Nextcloud) Sessions() int {
	n.auth.mu.Lock()
	defer n.auth.mu.Unlock()
	return len(n.auth.sessions)
}

// newSessionState hashes the password at cost.
func newSessionState(password string, cost int) (*sessionState, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return nil, err
	}
	return &sessionState{sessions: map[string]*session{}, hash: h, tokenLastChecks: map[string]time.Time{}}, nil
}

// checkPassword verifies pass against the stored hash, paying its cost.
func (n *Nextcloud) checkPassword(pass string) bool {
	n.auth.mu.Lock()
	n.auth.passwordChecks++
	h := n.auth.hash
	n.auth.mu.Unlock()
	return bcrypt.CompareHashAndPassword(h, []byte(pass)) == nil
}

// checkToken looks an app password up as Nextcloud does (its SHA-512 with
// the instance secret) and checks the password kept with it every 5
// minutes.
func (n *Nextcloud) checkToken(token string) bool {
	sum := sha512.Sum512([]byte(token + n.files.instanceID))
	key := hex.EncodeToString(sum[:])
	now := n.cfg.now()
	n.auth.mu.Lock()
	n.auth.tokenChecks++
	last, seen := n.auth.tokenLastChecks[key]
	recheck := !seen || now.Sub(last) > passwordRecheck
	if recheck {
		n.auth.tokenLastChecks[key] = now
	}
	n.auth.mu.Unlock()
	if n.tokenExists == nil || !n.tokenExists(token) {
		return false // revoked
	}
	if recheck {
		return n.checkPassword(n.Password)
	}
	return true
}

type userIDKey struct{}

// login checks Basic credentials as Nextcloud does: the user may give the
// login name or the user id, with the password or an app password (see
// acceptAppPasswords). It answers the user id.
func (n *Nextcloud) login(r *http.Request) (userID string, sent, ok bool) {
	user, pass, sent := r.BasicAuth()
	if !sent {
		return "", false, false
	}
	if !equal(user, n.LoginName) && !equal(user, n.UserID) {
		return "", true, false
	}
	if tok, _ := r.Context().Value(appPasswordKey{}).(string); tok != "" {
		return n.UserID, true, n.checkToken(tok)
	}
	return n.UserID, true, n.checkPassword(pass)
}

// officialClient is Nextcloud's desktop client's user agent
// (IRequest::USER_AGENT_CLIENT_DESKTOP), which the CSRF check exempts.
var officialClient = regexp.MustCompile(`^Mozilla/5\.0 \([A-Za-z ]+\) (mirall|csyncoC)/.*$`)

// sessionCookie is the name of the session cookie: Nextcloud names it
// after its instance id.
func (n *Nextcloud) sessionCookie() string { return n.files.instanceID }

// sessionLogin answers the user a request's session signs in, or "". A
// session that signs nothing in is no error: the request's credentials
// are checked instead.
func (n *Nextcloud) sessionLogin(r *http.Request) string {
	c, err := r.Cookie(n.sessionCookie())
	if err != nil {
		return ""
	}
	n.auth.mu.Lock()
	s := n.auth.sessions[c.Value]
	if s == nil || s.user == "" || !s.token {
		n.auth.mu.Unlock()
		return ""
	}
	if user, _, sent := r.BasicAuth(); sent && !equal(user, n.LoginName) && !equal(user, n.UserID) {
		n.auth.mu.Unlock()
		return "" // another account's credentials with this cookie
	}
	if r.Method == http.MethodPost && !validCSRF(s.csrf, r.Header.Get("requesttoken")) && !officialClient.MatchString(r.UserAgent()) {
		// CSRF check failed: logged out; the credentials' login makes a
		// new session (see nextcloud_csrf.go).
		delete(n.auth.sessions, c.Value)
		n.auth.mu.Unlock()
		return ""
	}
	user, app := s.user, s.appPassword
	now := n.cfg.now()
	recheck := app == "" && now.Sub(s.lastCheck) > passwordRecheck
	if recheck {
		s.lastCheck = now
	}
	n.auth.mu.Unlock()
	switch {
	case app != "":
		if !n.checkToken(app) {
			return ""
		}
	case recheck:
		if !n.checkPassword(n.Password) {
			return ""
		}
	}
	return user
}

// startSession notes a successful Basic login in the request's session,
// or starts one, setting its cookie on the answer.
func (n *Nextcloud) startSession(w http.ResponseWriter, r *http.Request, userID string) {
	app, _ := r.Context().Value(appPasswordKey{}).(string)
	_, testErr := r.Cookie("cookie_test")
	n.auth.mu.Lock()
	defer n.auth.mu.Unlock()
	s := n.requestSession(w, r)
	s.user, s.appPassword, s.lastCheck = userID, app, n.cfg.now()
	// A session token is made for a password login only once the client
	// showed it keeps cookies; an app password is its own token.
	s.token = app != "" || testErr == nil
	if testErr != nil {
		http.SetCookie(w, &http.Cookie{Name: "cookie_test", Value: "test", Path: n.cfg.basePath + "/", MaxAge: 3600})
	}
}

// requestSession answers the request's session, or starts one, setting
// its cookie on the answer. Call with n.auth.mu held.
func (n *Nextcloud) requestSession(w http.ResponseWriter, r *http.Request) *session {
	var s *session
	if c, err := r.Cookie(n.sessionCookie()); err == nil {
		s = n.auth.sessions[c.Value]
	}
	if s == nil {
		id := randomToken(32)
		s = &session{}
		n.auth.sessions[id] = s
		http.SetCookie(w, &http.Cookie{Name: n.sessionCookie(), Value: id, Path: n.cfg.basePath + "/", HttpOnly: true, SameSite: http.SameSiteLaxMode})
	}
	return s
}

// requireDAVAuth answers 401 as Nextcloud's DAV server does unless the
// request is signed in by its session or carries the user's credentials,
// and passes the user id on in the request's context.
func (n *Nextcloud) requireDAVAuth(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := n.sessionLogin(r)
		if id == "" {
			var sent, ok bool
			id, sent, ok = n.login(r)
			if !ok {
				w.Header().Set("WWW-Authenticate", `Basic realm="Nextcloud", charset="UTF-8"`)
				msg := davNoCredentials
				if sent {
					msg = davBadCredentials
				}
				davErrorf(http.StatusUnauthorized, "NotAuthenticated", msg).write(w)
				return
			}
			n.startSession(w, r, id)
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), userIDKey{}, id)))
	})
}

// loggedInUser answers the user id requireDAVAuth found.
func loggedInUser(r *http.Request) string {
	id, _ := r.Context().Value(userIDKey{}).(string)
	return id
}
