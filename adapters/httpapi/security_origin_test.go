package httpapi_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

// secSend sends a request with the given headers and optional cookie and
// returns the status, the error code and the error message of the answer
// (the raw answer when it is not an error).
func (s *secAPI) secSend(method, path string, headers map[string]string, cookie *http.Cookie) (int, string, string) {
	s.t.Helper()
	return s.secRequest(method, path, `{}`, headers, cookie)
}

// secSendBody sends body with the signed-in token, if any.
func (s *secAPI) secSendBody(method, path, body string, headers map[string]string) (int, string, string) {
	s.t.Helper()
	h := map[string]string{}
	for k, v := range headers {
		h[k] = v
	}
	if s.token != "" {
		h["Authorization"] = "Bearer " + s.token
	}
	return s.secRequest(method, path, body, h, nil)
}

func (s *secAPI) secRequest(method, path, body string, headers map[string]string, cookie *http.Cookie) (int, string, string) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	s.lastHeader = res.Header
	raw, _ := io.ReadAll(res.Body)
	var e apiError
	if json.Unmarshal(raw, &e) == nil && e.Error.Message != "" {
		return res.StatusCode, e.Error.Code, e.Error.Message
	}
	return res.StatusCode, e.Error.Code, string(raw)
}

// secCookie signs in and returns the session cookie and the token.
func (s *secAPI) secCookie() (*http.Cookie, string) {
	s.t.Helper()
	res, err := http.Post(s.srv.URL+"/api/v1/session", "application/json", strings.NewReader(`{"password":"admin-pw"}`))
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	var tok struct{ Token string }
	_ = json.NewDecoder(res.Body).Decode(&tok)
	if res.StatusCode != 200 || len(res.Cookies()) != 1 {
		s.t.Fatalf("sign-in: %d", res.StatusCode)
	}
	return res.Cookies()[0], tok.Token
}

// TestCrossOriginChangesRefused: with the session cookie, every
// state-changing route of the route table refuses a request from another
// origin (another site, or another port of the same host, which SameSite
// does not stop), a null origin and a request without Origin; the same
// requests pass with this server's Origin, and with a bearer token
// whatever their Origin.
func TestCrossOriginChangesRefused(t *testing.T) {
	s := newSecAPI(t, false)
	cookie, token := s.secCookie()
	host := strings.TrimPrefix(s.srv.URL, "http://")
	_, port, _ := strings.Cut(host, ":")
	refused := []map[string]string{
		{"Origin": "https://evil.example"},
		{"Origin": "http://127.0.0.1:1"},               // same site, other port
		{"Origin": "http://localhost:" + port},         // another name for this host
		{"Origin": "null"},                             // sandboxed frame, file: page
		{"Origin": "http://" + host + ".evil.example"}, // suffix trick
		{"Sec-Fetch-Site": "cross-site"},               // no Origin, fetch metadata
		{"Sec-Fetch-Site": "same-site"},                // no Origin, sibling origin
		{},                                             // neither: not a browser, yet it uses the cookie
		{"Origin": "https://evil.example", "X-Forwarded-Host": host}, // proxy header ignored without TrustProxy
	}
	allowed := []map[string]string{
		{"Origin": s.srv.URL},
		{"Origin": strings.ToUpper(s.srv.URL)},
		{"Sec-Fetch-Site": "same-origin"},
	}
	changes := 0
	for _, r := range s.e.Routes() {
		switch r.Method {
		case "POST", "PUT", "PATCH", "DELETE":
		default:
			continue
		}
		if r.Path == "/api/v1/session" || r.Path == "/api/v1/*" {
			continue // sign-in and sign-out are checked below; /* is the catch-all
		}
		changes++
		path := strings.ReplaceAll(r.Path, ":id", "999")
		for _, h := range refused {
			if st, code, raw := s.secSend(r.Method, path, h, cookie); st != 403 || code != "EFORBIDDEN" {
				t.Errorf("%s %s with cookie and %v: %d %s, want 403 EFORBIDDEN", r.Method, r.Path, h, st, raw)
			}
		}
		for _, h := range allowed {
			if st, _, raw := s.secSend(r.Method, path, h, cookie); st == 403 || st == 401 {
				t.Errorf("%s %s with cookie and %v: %d %s, want it past the checks", r.Method, r.Path, h, st, raw)
			}
		}
		for _, h := range append(refused[:5:5], map[string]string{}) {
			if st, _, raw := s.secSend(r.Method, path, map[string]string{"Origin": h["Origin"], "Authorization": "Bearer " + token}, nil); st == 403 || st == 401 {
				t.Errorf("%s %s with a bearer token and Origin %q: %d %s, want it past the checks", r.Method, r.Path, h["Origin"], st, raw)
			}
		}
	}
	if changes < 12 {
		t.Fatalf("only %d state-changing routes found", changes)
	}
	secReport(t, "API: cookie-signed changes from another origin (or none) refused with 403", fmt.Sprintf("%d routes × %d forged origins", changes, len(refused)))
	// A request whose Host is not the one in Origin (a rebound DNS name
	// pointing at this server) is refused too.
	if st, code, _ := s.secSend("POST", "/api/v1/accounts/1/test", map[string]string{"Origin": "http://" + host, "Host": "rebound.evil.example:" + port}, cookie); st != 403 || code != "EFORBIDDEN" {
		t.Errorf("Host differing from Origin: %d %s", st, code)
	}
	// Reads are not changes: another site cannot read the answer anyway
	// (no CORS), and links from elsewhere must open the app.
	if st, _, _ := s.secSend("GET", "/api/v1/accounts", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}, cookie); st != 200 {
		t.Errorf("cross-site GET: %d", st)
	}
	// Sign-in from another site is refused (no guessing through a
	// visitor's browser); from a script with no Origin it passes.
	if st, code, _ := s.secSend("POST", "/api/v1/session", map[string]string{"Origin": "https://evil.example"}, nil); st != 403 || code != "EFORBIDDEN" {
		t.Errorf("cross-site sign-in: %d %s", st, code)
	}
	if st, _, msg := s.secSend("POST", "/api/v1/session", nil, nil); st != 401 || msg != "wrong password" {
		t.Errorf("scripted sign-in with no password: %d %s, want it to reach the handler", st, msg)
	}
	// Sign-out by cookie needs the origin too (else any site could sign
	// the user out); then the cookie is dead.
	if st, _, _ := s.secSend("DELETE", "/api/v1/session", map[string]string{"Origin": "https://evil.example"}, cookie); st != 403 {
		t.Errorf("cross-site sign-out: %d", st)
	}
	if st, _, _ := s.secSend("DELETE", "/api/v1/session", map[string]string{"Origin": s.srv.URL}, cookie); st != 204 {
		t.Errorf("sign-out: %d", st)
	}
	if st, _, _ := s.secSend("GET", "/api/v1/accounts", nil, cookie); st != 401 {
		t.Errorf("after sign-out: %d", st)
	}
}

// TestOriginBehindTrustedProxy: with TrustProxy, a proxy on loopback
// that rewrites Host may name the public host in X-Forwarded-Host.
func TestOriginBehindTrustedProxy(t *testing.T) {
	s := newSecAPI(t, true)
	cookie, _ := s.secCookie()
	h := map[string]string{"Origin": "https://photos.example.org", "X-Forwarded-Host": "photos.example.org"}
	if st, _, raw := s.secSend("POST", "/api/v1/accounts/1/test", h, cookie); st != 200 {
		t.Errorf("through the proxy: %d %s", st, raw)
	}
	h["Origin"] = "https://evil.example"
	if st, _, _ := s.secSend("POST", "/api/v1/accounts/1/test", h, cookie); st != 403 {
		t.Errorf("another origin through the proxy: %d", st)
	}
}
