package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/photosync/photosync/adapters/httpapi"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
)

// secAPI is the whole API, every route of routes.go wired to real use
// cases over memory adapters and a library folder, with its clock, for
// the security tests. Account 1 exists ("bob" on dav.example.com).
type secAPI struct {
	*apiClient
	e     *echo.Echo
	clock *memory.Clock
	// lastHeader is the header of the last answer of secRequest.
	lastHeader http.Header
}

func newSecAPI(t *testing.T, trustProxy bool) *secAPI {
	t.Helper()
	ctx := context.Background()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	conn := memory.NewConnector()
	conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", memory.NewServer(clock))
	p := apptest.Ports(t, t.TempDir(), clock)
	p.Secrets, p.Connector, p.Log = box, conn, log
	a := apptest.New(t, p, app.Settings{AdminPassword: "admin-pw", Sync: app.SyncConfig{Holder: "sec-test", RetryDelay: time.Millisecond}})
	if _, err := a.Accounts.Connect(ctx, app.AccountInput{URL: ptrTo("https://dav.example.com/"), Username: ptrTo("bob"), Password: ptrTo("hunter2"),
		SyncEnabled: ptrTo(true), SyncFolder: ptrTo("/Photos")}); err != nil {
		t.Fatal(err)
	}
	e := httpapi.New(a, httpapi.Settings{Version: "test", TrustProxy: httpapi.TrustProxy(trustProxy)})
	srv := httptest.NewServer(e)
	t.Cleanup(func() {
		a.Close()
		srv.Close()
	})
	return &secAPI{apiClient: &apiClient{t: t, srv: srv, logs: logs, conn: conn}, e: e, clock: clock}
}

// publicRoutes answer without a session: the health check, sign-in, and
// the web app's pages and assets (which hold no data).
var publicRoutes = map[string]bool{
	"GET /healthz": true, "POST /api/v1/session": true, "GET /*": true, "HEAD /*": true,
}

// concrete fills a route pattern's parameters.
func concrete(path string) string {
	path = strings.ReplaceAll(path, ":id", "1")
	return strings.ReplaceAll(path, "*", "anything")
}

// TestRouteTableNeedsSession walks Echo's route table, so a route added
// later is covered without editing this test: every route but the public
// ones answers 401 EUNAUTHORIZED without a session, with a forged token
// and with a forged cookie.
func TestRouteTableNeedsSession(t *testing.T) {
	s := newSecAPI(t, false)
	checked := 0
	for _, r := range s.e.Routes() {
		key := r.Method + " " + r.Path
		if publicRoutes[key] || r.Method == echo.RouteNotFound || r.Method == "CONNECT" || r.Method == "TRACE" {
			continue
		}
		checked++
		url := s.srv.URL + concrete(r.Path)
		for _, cred := range []string{"", "Bearer forged", "cookie"} {
			req, _ := http.NewRequest(r.Method, url, strings.NewReader(`{}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Origin", s.srv.URL)
			switch cred {
			case "cookie":
				req.AddCookie(&http.Cookie{Name: httpapi.CookieName, Value: "forged"})
			case "":
			default:
				req.Header.Set("Authorization", cred)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := io.ReadAll(res.Body)
			res.Body.Close()
			var e apiError
			_ = json.Unmarshal(raw, &e)
			if res.StatusCode != 401 || (r.Method != "HEAD" && e.Error.Code != "EUNAUTHORIZED") {
				t.Errorf("%s (credentials %q): %d %s, want 401 EUNAUTHORIZED", key, cred, res.StatusCode, raw)
			}
		}
	}
	if checked < 25 {
		t.Fatalf("only %d routes checked: the route table is not what this test expects", checked)
	}
	secReport(t, "API: routes of the route table answering 401 without a session (no credentials, forged token, forged cookie)", fmt.Sprintf("%d routes", checked))
	for key := range publicRoutes {
		method, path, _ := strings.Cut(key, " ")
		req, _ := http.NewRequest(method, s.srv.URL+concrete(path), strings.NewReader(`{"password":"admin-pw"}`))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode == 401 {
			t.Errorf("public route %s answers 401", key)
		}
	}
}

// TestSessionExpiresOverHTTP: a session works until domain.SessionTTL has
// passed on the server's clock, then answers 401 for the token and the
// cookie alike.
func TestSessionExpiresOverHTTP(t *testing.T) {
	s := newSecAPI(t, false)
	res, err := http.Post(s.srv.URL+"/api/v1/session", "application/json", strings.NewReader(`{"password":"admin-pw"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		Token     string
		ExpiresAt time.Time `json:"expires_at"`
	}
	_ = json.NewDecoder(res.Body).Decode(&tok)
	res.Body.Close()
	cookie := res.Cookies()[0]
	if !tok.ExpiresAt.Equal(s.clock.Now().Add(domain.SessionTTL)) || !cookie.Expires.Equal(tok.ExpiresAt) {
		t.Fatalf("session expires %v, cookie %v; want now + %v", tok.ExpiresAt, cookie.Expires, domain.SessionTTL)
	}
	get := func() int {
		t.Helper()
		codes := 0
		for _, withCookie := range []bool{false, true} {
			req, _ := http.NewRequest("GET", s.srv.URL+"/api/v1/accounts", nil)
			if withCookie {
				req.AddCookie(cookie)
			} else {
				req.Header.Set("Authorization", "Bearer "+tok.Token)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if codes != 0 && codes != res.StatusCode {
				t.Fatalf("token and cookie disagree: %d and %d", codes, res.StatusCode)
			}
			codes = res.StatusCode
		}
		return codes
	}
	s.clock.Advance(domain.SessionTTL - time.Second)
	if st := get(); st != 200 {
		t.Fatalf("a second before expiry: %d", st)
	}
	s.clock.Advance(time.Second)
	if st := get(); st != 401 {
		t.Fatalf("at expiry: %d, want 401", st)
	}
}

// TestBodyLimit: a JSON body over httpapi.MaxBodyBytes is refused with
// 413 EINVALID, whether its length is announced or streamed; one just
// under the limit is read (and refused for its content, not its size).
func TestBodyLimit(t *testing.T) {
	s := newSecAPI(t, false)
	s.login()
	over := `{"path":"` + strings.Repeat("x", httpapi.MaxBodyBytes) + `"}`
	for _, chunked := range []bool{false, true} {
		var body io.Reader = strings.NewReader(over)
		if chunked {
			body = io.MultiReader(body) // hides the length: sent chunked
		}
		req, _ := http.NewRequest("POST", s.srv.URL+"/api/v1/accounts/1/folders", body)
		req.Header.Set("Authorization", "Bearer "+s.token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var e apiError
		_ = json.NewDecoder(res.Body).Decode(&e)
		res.Body.Close()
		if res.StatusCode != 413 || e.Error.Code != "EINVALID" || !strings.Contains(e.Error.Message, "1 MiB") {
			t.Errorf("%d-byte body (chunked %v): %d %+v, want 413 EINVALID", len(over), chunked, res.StatusCode, e)
		}
	}
	under := `{"path":"/` + strings.Repeat(" ", httpapi.MaxBodyBytes-100) + `a"}`
	var e apiError
	if st, raw := s.do("POST", "/api/v1/accounts/1/folders", under, &e); st != 400 || e.Error.Code != "EINVALID" || !strings.HasPrefix(e.Error.Message, "path:") {
		t.Errorf("body just under 1 MiB: %d %.300s, want 400 about path", st, raw)
	}
}
