package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/httpapi"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/infra/apptest"
)

// flowAPI is the API with the login flow routes over real parts: SQLite in
// a data folder, the sealing box, the WebDAV connector and the Nextcloud
// test server. The flows' clock is a memory clock, to make them expire.
type flowAPI struct {
	*apiClient
	nc      *davtest.Nextcloud
	dataDir string
	store   *sqlite.AccountStore
	box     *secrets.Box
	clock   *memory.Clock
}

func newFlowAPI(t *testing.T) *flowAPI {
	t.Helper()
	dataDir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dataDir, "photosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	box, _ := secrets.NewBox(bytes.Repeat([]byte{3}, 32))
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	clock := memory.NewClock(time.Now())
	conn := webdav.NewConnector(log)
	store := sqlite.NewAccountStore(db)
	p := apptest.Ports(t, t.TempDir(), clock)
	p.Accounts, p.Secrets, p.Connector, p.LoginFlowClient, p.Log = store, box, conn, conn, log
	srv := httptest.NewServer(httpapi.New(apptest.New(t, p, app.Settings{AdminPassword: "admin-pw"}), httpapi.Settings{Version: "test"}))
	t.Cleanup(srv.Close)
	return &flowAPI{apiClient: &apiClient{t: t, srv: srv, logs: logs}, nc: davtest.StartNextcloud(t), dataDir: dataDir, store: store, box: box, clock: clock}
}

type flowView struct {
	ID        string
	State     string
	LoginURL  string    `json:"login_url"`
	ExpiresAt time.Time `json:"expires_at"`
	Account   *struct {
		ID          int64
		Name, URL   string
		Type        string
		Username    string
		UserID      string `json:"user_id"`
		HasPassword bool   `json:"has_password"`
	}
}

// TestLoginFlowThroughTheAPI adds a Nextcloud account without its password
// ever reaching photosync: start, poll, grant in the "browser", poll; the
// account works with the app password, and removing it revokes that.
func TestLoginFlowThroughTheAPI(t *testing.T) {
	c := newFlowAPI(t)
	var e apiError
	if st, _ := c.do("POST", "/api/v1/login-flows", `{"url":"x"}`, &e); st != 401 || e.Error.Code != "EUNAUTHORIZED" {
		t.Fatalf("without a session: %d %+v", st, e)
	}
	c.login()
	var f flowView
	st, raw := c.do("POST", "/api/v1/login-flows", fmt.Sprintf(`{"url":%q,"name":"Cloud","timeout":30}`, c.nc.BaseURL), &f)
	if st != 201 || f.ID == "" || f.State != "pending" || !strings.HasPrefix(f.LoginURL, c.nc.BaseURL+"/index.php/login/v2/flow/") ||
		f.ExpiresAt.Sub(time.Now()) < 19*time.Minute || f.Account != nil {
		t.Fatalf("start: %d %s", st, raw)
	}
	if strings.Contains(raw, "poll") || strings.Contains(raw, "token") {
		t.Fatalf("the start answer shows the poll endpoint or token: %s", raw)
	}
	if st, raw := c.do("GET", "/api/v1/login-flows/"+f.ID, "", &f); st != 200 || f.State != "pending" {
		t.Fatalf("poll before the grant: %d %s", st, raw)
	}
	c.nc.GrantLogin(t, f.LoginURL)
	st, raw = c.do("GET", "/api/v1/login-flows/"+f.ID, "", &f)
	a := f.Account
	if st != 200 || f.State != "done" || a == nil || a.Name != "Cloud" || a.Type != "nextcloud" || a.URL != c.nc.DAVURL ||
		a.Username != c.nc.LoginName || a.UserID != c.nc.UserID || a.UserID == a.Username || !a.HasPassword {
		t.Fatalf("poll after the grant: %d %s", st, raw)
	}
	if st, raw := c.do("GET", "/api/v1/login-flows/"+f.ID, "", &f); st != 200 || f.State != "done" || f.Account.ID != a.ID {
		t.Fatalf("a later poll: %d %s", st, raw)
	}

	stored, err := c.store.Account(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	appPassword, err := c.box.Open(stored.Secret)
	if err != nil || len(appPassword) == 0 || string(appPassword) == c.nc.Password {
		t.Fatalf("the stored password is not an app password: %v", err)
	}
	if st, raw := c.do("GET", fmt.Sprintf("/api/v1/accounts/%d/folders?path=/", a.ID), "", nil); st != 200 {
		t.Fatalf("the account does not work: %d %s", st, raw)
	}
	noSecretIn(t, c.dataDir, c.nc.Password, string(appPassword))
	if strings.Contains(c.logs.String(), c.nc.Password) || strings.Contains(c.logs.String(), string(appPassword)) {
		t.Fatal("a password shows in the logs")
	}

	if !c.nc.Accepts(t, c.nc.LoginName, string(appPassword)) {
		t.Fatal("the server does not accept the app password")
	}
	if st, raw := c.do("DELETE", fmt.Sprintf("/api/v1/accounts/%d", a.ID), "", nil); st != 204 {
		t.Fatalf("remove: %d %s", st, raw)
	}
	if c.nc.Accepts(t, c.nc.LoginName, string(appPassword)) {
		t.Fatal("the server still accepts the app password of the removed account")
	}
	if !c.nc.Accepts(t, c.nc.LoginName, c.nc.Password) {
		t.Fatal("removing the account broke the person's own password")
	}
}

func TestLoginFlowAPIRefusalsAndExpiry(t *testing.T) {
	c := newFlowAPI(t)
	c.login()
	var e apiError
	x := davtest.StartXNet(t)
	for _, r := range []struct {
		body   string
		status int
		code   string
		want   string
	}{
		{fmt.Sprintf(`{"url":%q}`, x.URL), 422, "EINVALID", "is not a Nextcloud server"},
		{`{"url":"http://127.0.0.1:1/"}`, 502, "EUNAVAILABLE", "refused"},
		{`{"url":""}`, 400, "EINVALID", "URL is empty"},
		{`{"url":"cloud.example.com","timeout":-1}`, 400, "EINVALID", "timeout"},
		{`{"url":"cloud.example.com","password":"x"}`, 400, "EINVALID", "unknown field"},
	} {
		if st, raw := c.do("POST", "/api/v1/login-flows", r.body, &e); st != r.status || e.Error.Code != r.code || !strings.Contains(e.Error.Message, r.want) {
			t.Errorf("%s: %d %s", r.body, st, raw)
		}
	}
	var f flowView
	if st, raw := c.do("POST", "/api/v1/login-flows", fmt.Sprintf(`{"url":%q}`, c.nc.DAVURL), &f); st != 201 {
		t.Fatalf("start: %d %s", st, raw)
	}
	c.clock.Advance(20 * time.Minute)
	c.nc.GrantLogin(t, f.LoginURL)
	if st, _ := c.do("GET", "/api/v1/login-flows/"+f.ID, "", &e); st != 404 || e.Error.Code != "ENOTFOUND" || e.Error.Message != "the sign-in expired; start again" {
		t.Fatalf("an expired flow: %d %+v", st, e)
	}
	if st, _ := c.do("GET", "/api/v1/login-flows/nope", "", &e); st != 404 || e.Error.Code != "ENOTFOUND" {
		t.Fatalf("an unknown flow: %d %+v", st, e)
	}
	var list struct{ Accounts []any }
	if c.do("GET", "/api/v1/accounts", "", &list); len(list.Accounts) != 0 {
		t.Fatalf("an expired flow connected an account: %+v", list)
	}
}

// noSecretIn fails when a file below dir holds one of secrets in clear.
func noSecretIn(t *testing.T, dir string, secrets ...string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s holds a password in clear", p)
			}
		}
		return err
	})
	if err != nil || files == 0 {
		t.Fatalf("walk %s: %d files, %v", dir, files, err)
	}
}
