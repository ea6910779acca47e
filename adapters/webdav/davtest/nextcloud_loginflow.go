package davtest

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// This file imitates Nextcloud's Login Flow v2 and its app passwords, as
// developer_manual/client_apis/LoginFlow/index.rst describes them:
//
//   - POST /index.php/login/v2, anonymous, answers {"poll": {"token",
//     "endpoint"}, "login"};
//   - the login URL is the page a person opens in a browser; there they
//     sign in with their own password and grant access (GrantLogin does
//     both for a test);
//   - POST /index.php/login/v2/poll with token=... answers 404 until access
//     is granted, then 200 {"server", "loginName", "appPassword"} once, and
//     404 again after; a flow is forgotten after 20 minutes;
//   - an app password signs in wherever the password does, until DELETE
//     /ocs/v2.php/core/apppassword, sent with it, revokes it (403 when the
//     request signs in with the real password).

// loginFlowTTL is how long Nextcloud keeps a login flow.
const loginFlowTTL = 20 * time.Minute

// loginFlows is the imitation's state of login flows and app passwords.
type loginFlows struct {
	n *Nextcloud

	mu           sync.Mutex
	byLogin      map[string]*loginFlow // by the token in the login URL
	byPoll       map[string]*loginFlow // by the poll token
	appPasswords map[string]string     // app password -> login name it was granted to
}

// loginFlow is one flow: started, maybe granted, until it is polled.
type loginFlow struct {
	loginToken, pollToken string
	userAgent             string
	started               time.Time
	granted               bool
	loginName             string
	appPassword           string
}

type appPasswordKey struct{}

// loginFlowRoutes adds the Login Flow v2 and app password routes, and lets
// app passwords sign in on every other route as Nextcloud does: it keeps
// the user's password sealed with each app token and signs in with it, so
// a request with a valid app password is handed on as one with the
// password.
func (n *Nextcloud) loginFlowRoutes(mux *http.ServeMux) {
	lf := &loginFlows{n: n, byLogin: map[string]*loginFlow{}, byPoll: map[string]*loginFlow{}, appPasswords: map[string]string{}}
	b := n.cfg.basePath
	mux.HandleFunc("POST "+b+"/index.php/login/v2", lf.start)
	mux.HandleFunc("GET "+b+"/index.php/login/v2/flow/{token}", lf.page)
	mux.HandleFunc("POST "+b+"/index.php/login/v2/grant", lf.grant)
	mux.HandleFunc("POST "+b+"/index.php/login/v2/poll", lf.poll)
	mux.HandleFunc(b+"/ocs/v2.php/core/apppassword", lf.revoke)
	n.cfg.middleware = append(n.cfg.middleware, lf.acceptAppPasswords)
	n.tokenExists = func(token string) bool {
		lf.mu.Lock()
		defer lf.mu.Unlock()
		_, ok := lf.appPasswords[token]
		return ok
	}
}

// baseURL answers the server's address as the request reached it, which
// is how Nextcloud words its absolute URLs without overwrite settings.
func (n *Nextcloud) baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + n.cfg.basePath
}

// start begins a flow for an anonymous client.
func (lf *loginFlows) start(w http.ResponseWriter, r *http.Request) {
	f := &loginFlow{loginToken: randomToken(128), pollToken: randomToken(128), userAgent: r.UserAgent(), started: time.Now()}
	lf.mu.Lock()
	lf.expire()
	lf.byLogin[f.loginToken], lf.byPoll[f.pollToken] = f, f
	lf.mu.Unlock()
	base := lf.n.baseURL(r)
	writePHPJSON(w, http.StatusOK, map[string]any{
		"poll":  map[string]string{"token": f.pollToken, "endpoint": base + "/index.php/login/v2/poll"},
		"login": base + "/index.php/login/v2/flow/" + f.loginToken,
	})
}

// page is the login page a browser opens: a form that grants access once
// the person has signed in.
func (lf *loginFlows) page(w http.ResponseWriter, r *http.Request) {
	lf.mu.Lock()
	lf.expire()
	f := lf.byLogin[r.PathValue("token")]
	lf.mu.Unlock()
	if f == nil {
		htmlPage(w, http.StatusForbidden, "Access forbidden", "Your login token is invalid or has expired")
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>Nextcloud</title></head><body>\n"+
		"<h2>Connect to your account</h2>\n<p>You are about to grant %s access to your Nextcloud account.</p>\n"+
		"<form method=\"post\" action=\"%s/index.php/login/v2/grant\">"+
		"<input type=\"hidden\" name=\"stateToken\" value=\"%s\"><button type=\"submit\">Grant access</button></form>\n</body></html>\n",
		html.EscapeString(f.userAgent), html.EscapeString(lf.n.cfg.basePath), f.loginToken)
}

// grant is the person granting access after signing in with their own
// password (here Basic auth; an app password is refused, as Nextcloud's
// login form refuses it): an app password is made for the flow.
func (lf *loginFlows) grant(w http.ResponseWriter, r *http.Request) {
	user, _, _ := r.BasicAuth()
	if _, _, ok := lf.n.login(r); !ok || r.Context().Value(appPasswordKey{}) != nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="Nextcloud"`)
		htmlPage(w, http.StatusUnauthorized, "Login", "Wrong login or password.")
		return
	}
	token := r.PostFormValue("stateToken")
	lf.mu.Lock()
	defer lf.mu.Unlock()
	lf.expire()
	f := lf.byLogin[token]
	if f == nil || f.granted {
		htmlPage(w, http.StatusForbidden, "Access forbidden", "Your login token is invalid or has expired")
		return
	}
	f.granted, f.loginName, f.appPassword = true, user, randomToken(72)
	lf.appPasswords[f.appPassword] = user
	delete(lf.byLogin, token)
	htmlPage(w, http.StatusOK, "Account connected", "Your client should now be connected! You can close this window.")
}

// poll answers 404 until the flow is granted, then the credentials once.
func (lf *loginFlows) poll(w http.ResponseWriter, r *http.Request) {
	token := r.PostFormValue("token")
	lf.mu.Lock()
	lf.expire()
	f := lf.byPoll[token]
	if f == nil || !f.granted {
		lf.mu.Unlock()
		writePHPJSON(w, http.StatusNotFound, []any{})
		return
	}
	delete(lf.byPoll, token)
	lf.mu.Unlock()
	writePHPJSON(w, http.StatusOK, map[string]string{
		"server": lf.n.baseURL(r), "loginName": f.loginName, "appPassword": f.appPassword,
	})
}

// revoke deletes the app password the request signs in with.
func (lf *loginFlows) revoke(w http.ResponseWriter, r *http.Request) {
	format := ocsFormat(r)
	if r.Method != http.MethodDelete {
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	if _, _, ok := lf.n.login(r); !ok {
		w.Header().Set("WWW-Authenticate", `Basic realm="Authorisation Required"`)
		writeOCS(w, 2, format, ocsUnauthorised, "Current user is not logged in", ocsObject{})
		return
	}
	if r.Header.Get("OCS-APIRequest") != "true" {
		csrfFailed(w, r)
		return
	}
	pw, _ := r.Context().Value(appPasswordKey{}).(string)
	if pw == "" {
		writeOCS(w, 2, format, http.StatusForbidden, "no app password in use", ocsObject{})
		return
	}
	lf.mu.Lock()
	delete(lf.appPasswords, pw)
	lf.mu.Unlock()
	writeOCS(w, 2, format, ocsOK, "", ocsObject{})
}

// acceptAppPasswords hands a request signed in with a valid app password
// on as one signed in with the user's password, noting the app password
// in its context.
func (lf *loginFlows) acceptAppPasswords(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if ok {
			lf.mu.Lock()
			login, valid := lf.appPasswords[pass]
			lf.mu.Unlock()
			if valid && (equal(user, login) || equal(user, lf.n.LoginName) || equal(user, lf.n.UserID)) {
				r = r.Clone(context.WithValue(r.Context(), appPasswordKey{}, pass))
				r.SetBasicAuth(user, lf.n.Password)
			}
		}
		next.ServeHTTP(w, r)
	})
}

// expire forgets flows older than loginFlowTTL; lf.mu must be held.
func (lf *loginFlows) expire() {
	for k, f := range lf.byPoll {
		if time.Since(f.started) >= loginFlowTTL {
			delete(lf.byPoll, k)
			delete(lf.byLogin, f.loginToken)
		}
	}
}

// GrantLogin does in a browser's stead what a person does on the page at
// loginURL (the "login" of a Login Flow v2 start, or just its token): signs
// in with the user's login name and password and grants access. Nextcloud
// makes an app password for the flow, which the client's next poll
// receives.
func (n *Nextcloud) GrantLogin(t testing.TB, loginURL string) {
	t.Helper()
	if !strings.Contains(loginURL, "/") {
		loginURL = n.BaseURL + "/index.php/login/v2/flow/" + loginURL
	}
	res, err := http.Get(loginURL)
	if err != nil {
		t.Fatalf("davtest: open the login page: %v", err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("davtest: the login page answered %s", res.Status)
	}
	token := strings.TrimPrefix(loginURL[strings.LastIndex(loginURL, "/"):], "/")
	if !strings.Contains(string(page), token) {
		t.Fatalf("davtest: the login page has no grant form: %s", page)
	}
	req, _ := http.NewRequest(http.MethodPost, n.BaseURL+"/index.php/login/v2/grant",
		strings.NewReader(url.Values{"stateToken": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(n.LoginName, n.Password)
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("davtest: grant access: %v", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("davtest: granting access answered %s", res.Status)
	}
}

// Accepts reports whether the server accepts login and password, checked
// with a Depth 0 PROPFIND of the user's files.
func (n *Nextcloud) Accepts(t testing.TB, login, password string) bool {
	t.Helper()
	req, _ := http.NewRequest("PROPFIND", n.DAVURL, nil)
	req.Header.Set("Depth", "0")
	req.SetBasicAuth(login, password)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("davtest: PROPFIND: %v", err)
	}
	res.Body.Close()
	return res.StatusCode != http.StatusUnauthorized
}

// writePHPJSON answers v as PHP's json_encode writes it, slashes escaped.
func writePHPJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(strings.ReplaceAll(string(body), "/", `\/`)))
}

// htmlPage answers a small HTML page.
func htmlPage(w http.ResponseWriter, status int, title, text string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	fmt.Fprintf(w, "<!DOCTYPE html>\n<html><head><title>%s - Nextcloud</title></head><body><h2>%s</h2><p>%s</p></body></html>\n",
		html.EscapeString(title), html.EscapeString(title), html.EscapeString(text))
}

// randomToken answers n random letters and digits, as Nextcloud's
// ISecureRandom makes tokens and app passwords.
func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}
