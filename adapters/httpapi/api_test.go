package httpapi_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/httpapi"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/internal/testkit"
)

type apiClient struct {
	t     *testing.T
	srv   *httptest.Server
	token string
	logs  *bytes.Buffer
	conn  *memory.Connector
}

func newAPI(t *testing.T) *apiClient {
	t.Helper()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	conn := memory.NewConnector()
	conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", memory.NewServer(clock))
	p := apptest.Ports(t, t.TempDir(), clock)
	p.Secrets, p.Connector, p.Log = box, conn, log
	h := httpapi.New(apptest.New(t, p, app.Settings{AdminPassword: "admin-pw"}), httpapi.Settings{Version: "test"})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return &apiClient{t: t, srv: srv, logs: logs, conn: conn}
}

// do sends a request and decodes the JSON answer into out (when not nil).
func (c *apiClient) do(method, path, body string, out any) (int, string) {
	c.t.Helper()
	client := testkit.Client{T: c.t, URL: c.srv.URL, Token: c.token}
	res, raw := client.Do(method, path, body)
	if out != nil {
		testkit.Decode(c.t, method+" "+path, raw, out)
	}
	return res.StatusCode, string(raw)
}

func (c *apiClient) login() {
	c.t.Helper()
	var tok struct{ Token string }
	if st, raw := c.do("POST", "/api/v1/session", `{"password":"admin-pw"}`, &tok); st != 200 || tok.Token == "" {
		c.t.Fatalf("login: %d %s", st, raw)
	}
	c.token = tok.Token
}

type apiError struct {
	Error struct{ Code, Message string }
}

func TestEveryRouteNeedsSession(t *testing.T) {
	c := newAPI(t)
	for _, r := range [][2]string{
		{"GET", "/api/v1/accounts"}, {"POST", "/api/v1/accounts"}, {"GET", "/api/v1/accounts/1"},
		{"PUT", "/api/v1/accounts/1"}, {"DELETE", "/api/v1/accounts/1"}, {"POST", "/api/v1/accounts/1/test"},
		{"GET", "/api/v1/accounts/1/folders"}, {"POST", "/api/v1/accounts/1/folders"},
		{"DELETE", "/api/v1/session"}, {"GET", "/api/v1/nonexistent"},
		{"GET", "/api/v1/jobs"}, {"GET", "/api/v1/jobs/1"}, {"POST", "/api/v1/jobs/1/cancel"}, {"GET", "/api/v1/events"},
		{"GET", "/api/v1/photos"}, {"GET", "/api/v1/photos/1"}, {"GET", "/api/v1/photos/1/thumb"}, {"GET", "/api/v1/photos/1/details"},
		{"POST", "/api/v1/library/index"}, {"GET", "/api/v1/library/problems"},
		{"POST", "/api/v1/accounts/1/upload"},
	} {
		var e apiError
		if st, raw := c.do(r[0], r[1], "", &e); st != 401 || e.Error.Code != "EUNAUTHORIZED" {
			t.Errorf("%s %s without session: %d %s", r[0], r[1], st, raw)
		}
	}
	c.token = "forged"
	if st, _ := c.do("GET", "/api/v1/accounts", "", nil); st != 401 {
		t.Errorf("forged token: %d", st)
	}
	if st, _ := c.do("GET", "/healthz", "", nil); st != 200 {
		t.Errorf("healthz: %d", st)
	}
}

func TestLoginCookie(t *testing.T) {
	c := newAPI(t)
	res, err := http.Post(c.srv.URL+"/api/v1/session", "application/json", strings.NewReader(`{"password":"admin-pw"}`))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	ck := res.Cookies()
	if len(ck) != 1 || !ck[0].HttpOnly || ck[0].SameSite != http.SameSiteStrictMode || ck[0].Name != httpapi.CookieName {
		t.Fatalf("cookie %+v", ck)
	}
	req, _ := http.NewRequest("GET", c.srv.URL+"/api/v1/accounts", nil)
	req.AddCookie(ck[0])
	res, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("with cookie: %d", res.StatusCode)
	}
	var e apiError
	if st, _ := c.do("POST", "/api/v1/session", `{"password":"nope"}`, &e); st != 401 || e.Error.Code != "EUNAUTHORIZED" {
		t.Fatalf("wrong admin password: %d %+v", st, e)
	}
}

func TestAccountLifecycleAndErrors(t *testing.T) {
	c := newAPI(t)
	c.login()
	var e apiError
	// A remote's wrong password is 422 (not 401, which means "sign in again").
	st, _ := c.do("POST", "/api/v1/accounts", `{"url":"dav.example.com","username":"bob","password":"wrong-pass"}`, &e)
	if st != 422 || e.Error.Code != "EUNAUTHORIZED" || !strings.Contains(e.Error.Message, "user name or password") {
		t.Fatalf("wrong password: %d %+v", st, e)
	}
	st, _ = c.do("POST", "/api/v1/accounts", `{"url":"down.example.com","username":"bob","password":"x"}`, &e)
	if st != 502 || e.Error.Code != "EUNAVAILABLE" {
		t.Fatalf("dead server: %d %+v", st, e)
	}
	for body, want := range map[string]string{
		`{"url":"dav.example.com","pasword":"x"}`: "unknown field",
		`{"url":`: "not valid JSON",
		`{"url":"dav.example.com","timeout":"ten"}`:                                                 "timeout",
		`{"url":"dav.example.com","username":"bob","password":"hunter2","upload_folder":"/a/../b"}`: "..",
		``: "empty",
	} {
		st, raw := c.do("POST", "/api/v1/accounts", body, &e)
		if st != 400 || e.Error.Code != "EINVALID" || !strings.Contains(e.Error.Message, want) {
			t.Errorf("body %q: %d %s", body, st, raw)
		}
	}
	big := `{"name":"` + strings.Repeat("x", 2<<20) + `"}`
	if st, raw := c.do("POST", "/api/v1/accounts", big, &e); st != 413 || e.Error.Code != "EINVALID" {
		t.Errorf("2 MiB body: %d %.200s", st, raw)
	}

	var a map[string]any
	st, raw := c.do("POST", "/api/v1/accounts", `{"name":"home","url":"dav.example.com","username":"bob","password":"hunter2","sync_interval":3600}`, &a)
	if st != 201 {
		t.Fatalf("create: %d %s", st, raw)
	}
	if strings.Contains(raw, "hunter2") || a["has_password"] != true || a["password"] != nil {
		t.Fatalf("create answer leaks or lacks has_password: %s", raw)
	}
	if a["sync_interval"] != float64(3600) || a["type"] != "webdav" || a["url"] != "https://dav.example.com/" {
		t.Fatalf("create answer: %s", raw)
	}
	if st, raw := c.do("GET", "/api/v1/accounts/1", "", nil); st != 200 || strings.Contains(raw, "hunter2") {
		t.Fatalf("get: %d %s", st, raw)
	}
	if st, _ := c.do("POST", "/api/v1/accounts", `{"name":"home","url":"dav.example.com","username":"bob","password":"hunter2"}`, &e); st != 409 || e.Error.Code != "ECONFLICT" {
		t.Fatalf("duplicate name: %d %+v", st, e)
	}
	if st, raw := c.do("PUT", "/api/v1/accounts/1", `{"sync_enabled":true,"sync_folder":"Camera"}`, &a); st != 200 || a["sync_folder"] != "/Camera" {
		t.Fatalf("update: %d %s", st, raw)
	}
	if st, raw := c.do("POST", "/api/v1/accounts/1/folders", `{"path":"/Photos/2026"}`, nil); st != 201 {
		t.Fatalf("mkdir: %d %s", st, raw)
	}
	var folders struct {
		Path    string
		Folders []struct{ Name, Path string }
	}
	if st, raw := c.do("GET", "/api/v1/accounts/1/folders?path=/Photos", "", &folders); st != 200 || len(folders.Folders) != 1 || folders.Folders[0].Path != "/Photos/2026" {
		t.Fatalf("folders: %d %s", st, raw)
	}
	if st, _ := c.do("POST", "/api/v1/accounts/1/test", "", nil); st != 200 {
		t.Fatalf("test: %d", st)
	}
	// The server's password changes: test answers 422 and the account says so.
	c.conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "rotated", memory.NewServer(memory.NewClock(time.Now())))
	if st, _ := c.do("POST", "/api/v1/accounts/1/test", "", &e); st != 422 || e.Error.Code != "EUNAUTHORIZED" {
		t.Fatalf("test after rotation: %d %+v", st, e)
	}
	if c.do("GET", "/api/v1/accounts/1", "", &a); a["status"] != "unauthorized" {
		t.Fatalf("status after failed test: %v", a["status"])
	}
	if st, _ := c.do("DELETE", "/api/v1/accounts/1", "", nil); st != 204 {
		t.Fatalf("delete: %d", st)
	}
	if st, _ := c.do("GET", "/api/v1/accounts/1", "", &e); st != 404 || e.Error.Code != "ENOTFOUND" {
		t.Fatalf("after delete: %d", st)
	}
	if st, _ := c.do("GET", "/api/v1/accounts/abc", "", &e); st != 404 {
		t.Fatalf("bad id: %d", st)
	}
	if strings.Contains(c.logs.String(), "hunter2") || strings.Contains(c.logs.String(), "admin-pw") {
		t.Fatal("a password reached the logs")
	}
}
