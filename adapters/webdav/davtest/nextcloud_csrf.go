package davtest

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
)

// Nextcloud's CSRF token (the "requesttoken"), as Nextcloud 27 keeps it
// (see docs/nextcloud-model.md for the sources):
//
//   - a secret per PHP session (CsrfTokenManager, kept in the session);
//   - handed out by GET index.php/csrftoken (core's CSRFTokenController, a
//     public page: a request without a session gets a new one, with its
//     cookie) in its encrypted form, "<base64 otp>:<base64 secret XOR
//     otp>" (CsrfToken::getEncryptedValue), with a new one-time pad each
//     time;
//   - checked by decrypting what a request sends in its requesttoken
//     header (CsrfTokenManager::isTokenValid). A POST signed in by the
//     session passes Connector\Sabre\Auth's CSRF check only with a valid
//     token; otherwise the session is logged out and the request signed
//     in by its credentials, in a new session (a login regenerates the
//     session id, so the answer sets a new session cookie).
//
// Not modelled: the strict same-site cookie Request::passesCSRFCheck also
// asks for (nc_sameSiteCookiestrict, which Nextcloud sets on a client's
// first request and a client that keeps cookies brings back).

// csrfRoutes adds the CSRF token's endpoint.
func (n *Nextcloud) csrfRoutes(mux *http.ServeMux) {
	mux.HandleFunc(n.cfg.basePath+"/index.php/csrftoken", n.handleCSRFToken)
}

// handleCSRFToken answers the session's CSRF token, encrypted.
func (n *Nextcloud) handleCSRFToken(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	n.auth.mu.Lock()
	s := n.requestSession(w, r)
	if s.csrf == "" {
		s.csrf = randomToken(32)
	}
	tok := encryptCSRF(s.csrf)
	n.auth.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
}

// encryptCSRF answers the encrypted form of a session's CSRF secret.
func encryptCSRF(secret string) string {
	otp := make([]byte, len(secret))
	_, _ = rand.Read(otp)
	x := []byte(secret)
	for i := range x {
		x[i] ^= otp[i]
	}
	return base64.StdEncoding.EncodeToString(otp) + ":" + base64.StdEncoding.EncodeToString(x)
}

// validCSRF reports whether sent, a requesttoken header, is the session
// secret's encrypted form. Call with n.auth.mu held.
func validCSRF(secret, sent string) bool {
	a, b, ok := strings.Cut(sent, ":")
	if secret == "" || !ok {
		return false
	}
	otp, err1 := base64.StdEncoding.DecodeString(a)
	x, err2 := base64.StdEncoding.DecodeString(b)
	if err1 != nil || err2 != nil || len(otp) != len(x) || len(x) != len(secret) {
		return false
	}
	for i := range x {
		x[i] ^= otp[i]
	}
	return string(x) == secret
}
