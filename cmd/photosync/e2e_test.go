package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/internal/testkit"
)

// syncBuffer collects a process's output while tests read it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// instance is a photosync serve started through run(), as main does.
type instance struct {
	t       *testing.T
	url     string
	dataDir string
	env     map[string]string
	stdout  *syncBuffer
	stderr  *syncBuffer
	token   string
	stop    func()
}

var listening = regexp.MustCompile(`listening on (http://\S+)`)

func startServe(t *testing.T, dataDir string, env map[string]string) *instance {
	t.Helper()
	full := map[string]string{
		"PHOTOSYNC_ADDR":    "127.0.0.1:0",
		"PHOTOSYNC_DATA":    dataDir,
		"PHOTOSYNC_LIBRARY": filepath.Clean(dataDir) + "-photos", // created on the first start, the same at the next
	}
	for k, v := range env {
		full[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	in := &instance{t: t, dataDir: dataDir, env: full, stdout: &syncBuffer{}, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"photosync", "serve"}, in.getenv, strings.NewReader(""), in.stdout, in.stderr)
	}()
	var once sync.Once
	in.stop = func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("serve returned %v", err)
			}
		})
	}
	t.Cleanup(in.stop)
	started := testkit.Poll(20*time.Second, 10*time.Millisecond, func() bool {
		if m := listening.FindStringSubmatch(in.stdout.String()); m != nil {
			in.url = m[1]
			return true
		}
		select {
		case err := <-done:
			t.Fatalf("serve exited: %v\nstderr: %s", err, in.stderr.String())
		default:
		}
		return false
	})
	if !started {
		t.Fatalf("serve did not start\nstdout: %s\nstderr: %s", in.stdout.String(), in.stderr.String())
	}
	return in
}

func (in *instance) getenv(k string) string { return in.env[k] }

// call sends a JSON request and decodes the answer into out.
func (in *instance) call(method, path string, body any, out any) int {
	in.t.Helper()
	return in.client().Call(method, path, body, out)
}

// client is a JSON client of the API with the instance's session.
func (in *instance) client() *testkit.Client {
	return &testkit.Client{T: in.t, URL: in.url, Token: in.token}
}

func (in *instance) login(password string) {
	in.t.Helper()
	var tok struct{ Token string }
	if st := in.call("POST", "/api/v1/session", map[string]string{"password": password}, &tok); st != 200 {
		in.t.Fatalf("login: %d", st)
	}
	in.token = tok.Token
}

type account struct {
	ID           int64
	Name         string
	URL          string
	Type         string
	Username     string
	UserID       string `json:"user_id"`
	HasPassword  bool   `json:"has_password"`
	Password     *string
	SyncEnabled  bool   `json:"sync_enabled"`
	SyncFolder   string `json:"sync_folder"`
	SyncInterval int64  `json:"sync_interval"`
	Status       string
}

type apiError struct {
	Error struct{ Code, Message string }
}

// TestConnectEveryServer walks the foundation's user story through the
// binary's entry point against all four kinds of server.
func TestConnectEveryServer(t *testing.T) {
	in := startServe(t, t.TempDir(), map[string]string{"PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e"})
	in.login("admin-e2e")

	nc := davtest.StartNextcloud(t)
	servers := []struct {
		name, url, user, password, wantType, wantURL string
	}{
		{"xnet", "", "", "", "webdav", ""},
		{"rclone", "", "", "", "webdav", ""},
		{"apache", "", "", "", "webdav", ""},
		{"nextcloud", nc.BaseURL, nc.LoginName, nc.Password, "nextcloud", nc.DAVURL},
	}
	for i, s := range servers[:3] {
		var srv *davtest.Server
		switch s.name {
		case "xnet":
			srv = davtest.StartXNet(t)
		case "rclone":
			srv = davtest.StartRclone(t)
		case "apache":
			srv = davtest.StartApache(t)
		}
		servers[i].url, servers[i].user, servers[i].password, servers[i].wantURL = srv.URL, srv.Username, srv.Password, srv.URL
	}
	secrets := []string{"admin-e2e"}
	for _, s := range servers {
		secrets = append(secrets, s.password)
		t.Run(s.name, func(t *testing.T) {
			in.t = t
			var a account
			st := in.call("POST", "/api/v1/accounts", map[string]any{"name": s.name, "url": s.url, "username": s.user, "password": s.password}, &a)
			if st != 201 {
				t.Fatalf("connect: %d", st)
			}
			if a.Type != s.wantType || a.URL != s.wantURL || !a.HasPassword || a.Password != nil {
				t.Fatalf("account %+v, want type %s url %s", a, s.wantType, s.wantURL)
			}
			var f struct{ Path string }
			if st := in.call("POST", fmt.Sprintf("/api/v1/accounts/%d/folders", a.ID), map[string]string{"path": "/Photos/2026 Été"}, &f); st != 201 || f.Path != "/Photos/2026 Été" {
				t.Fatalf("create folder: %d %+v", st, f)
			}
			var list struct {
				Folders []struct{ Name, Path string }
			}
			if st := in.call("GET", fmt.Sprintf("/api/v1/accounts/%d/folders?path=/Photos", a.ID), nil, &list); st != 200 || len(list.Folders) != 1 || list.Folders[0].Name != "2026 Été" {
				t.Fatalf("list folders: %d %+v", st, list)
			}
			if st := in.call("PUT", fmt.Sprintf("/api/v1/accounts/%d", a.ID), map[string]any{"name": s.name + " renamed", "sync_enabled": true, "sync_interval": 3600, "sync_folder": "/Photos"}, &a); st != 200 || a.Name != s.name+" renamed" || !a.SyncEnabled || a.SyncInterval != 3600 {
				t.Fatalf("edit: %d %+v", st, a)
			}
			if st := in.call("POST", fmt.Sprintf("/api/v1/accounts/%d/test", a.ID), nil, &a); st != 200 || a.Status != "ok" {
				t.Fatalf("test: %d %+v", st, a)
			}
			if st := in.call("DELETE", fmt.Sprintf("/api/v1/accounts/%d", a.ID), nil, nil); st != 204 {
				t.Fatalf("remove: %d", st)
			}
			var e apiError
			if st := in.call("GET", fmt.Sprintf("/api/v1/accounts/%d", a.ID), nil, &e); st != 404 || e.Error.Code != "ENOTFOUND" {
				t.Fatalf("after remove: %d %+v", st, e)
			}
		})
	}
	// Keep one account so the database holds a sealed password, then stop.
	in.t = t
	if st := in.call("POST", "/api/v1/accounts", map[string]any{"name": "kept", "url": nc.BaseURL, "username": nc.LoginName, "password": nc.Password}, nil); st != 201 {
		t.Fatalf("connect kept account: %d", st)
	}
	in.stop()
	assertNoSecretIn(t, in.dataDir, secrets)
	for _, s := range secrets {
		if strings.Contains(in.stdout.String()+in.stderr.String(), s) {
			t.Errorf("a password appears in the output or logs")
		}
	}
}

// assertNoSecretIn fails when any file below dir contains one of secrets.
func assertNoSecretIn(t *testing.T, dir string, secrets []string) {
	t.Helper()
	files := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		files++
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(data, []byte(s)) {
				t.Errorf("%s contains a password in clear", p)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Fatal("the data folder is empty")
	}
}

// TestConnectFailuresNameTheirCause provokes each cause for real.
func TestConnectFailuresNameTheirCause(t *testing.T) {
	in := startServe(t, t.TempDir(), map[string]string{"PHOTOSYNC_ADMIN_PASSWORD": "admin-e2e"})
	in.login("admin-e2e")
	rc := davtest.StartRclone(t)
	tlsSrv := davtest.StartTLS(t)
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
		words  []string
	}{
		{"wrong password", map[string]any{"url": rc.URL, "username": rc.Username, "password": "definitely-wrong"}, 422, "EUNAUTHORIZED", []string{"user name or password", rc.Username}},
		{"closed port", map[string]any{"url": davtest.ClosedURL(t), "username": "u", "password": "p"}, 502, "EUNAVAILABLE", []string{"refused"}},
		{"not webdav", map[string]any{"url": davtest.StartPlainHTTP(t), "username": "u", "password": "p"}, 422, "EINVALID", []string{"not a WebDAV server"}},
		{"self-signed", map[string]any{"url": tlsSrv.URL, "username": tlsSrv.Username, "password": tlsSrv.Password}, 422, "EINVALID", []string{"certificate", "photosync test CA"}},
		{"silent", map[string]any{"url": davtest.StartSilent(t), "username": "u", "password": "p", "timeout": 1}, 502, "EUNAVAILABLE", []string{"1s"}},
		{"unknown host", map[string]any{"url": "http://photosync-test.invalid/dav/", "username": "u", "password": "p", "timeout": 2}, 502, "EUNAVAILABLE", []string{"photosync-test.invalid"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in.t = t
			var e apiError
			st := in.call("POST", "/api/v1/accounts", c.body, &e)
			if st != c.status || e.Error.Code != c.code {
				t.Fatalf("status %d code %s (%q), want %d %s", st, e.Error.Code, e.Error.Message, c.status, c.code)
			}
			for _, w := range c.words {
				if !strings.Contains(e.Error.Message, w) {
					t.Errorf("message %q does not mention %q", e.Error.Message, w)
				}
			}
			if strings.Contains(e.Error.Message, "definitely-wrong") {
				t.Error("the message shows the password")
			}
		})
	}
	in.t = t
	var a account
	if st := in.call("POST", "/api/v1/accounts", map[string]any{"url": tlsSrv.URL, "username": tlsSrv.Username, "password": tlsSrv.Password, "ca_cert": tlsSrv.CAPEM}, &a); st != 201 {
		t.Fatalf("self-signed with its CA: %d", st)
	}
	var all struct{ Accounts []account }
	if in.call("GET", "/api/v1/accounts", nil, &all); len(all.Accounts) != 1 {
		t.Fatalf("%d accounts after one success and six failures", len(all.Accounts))
	}
}

// TestGeneratedAdminPassword: printed on first start only, and it works.
func TestGeneratedAdminPassword(t *testing.T) {
	data := t.TempDir()
	first := startServe(t, data, nil)
	m := regexp.MustCompile(`Generated admin password.*: (\S+)`).FindStringSubmatch(first.stdout.String())
	if m == nil {
		t.Fatalf("no generated password printed:\n%s", first.stdout.String())
	}
	first.login(m[1])
	first.stop()
	second := startServe(t, data, nil)
	if strings.Contains(second.stdout.String(), "Generated admin password") {
		t.Fatal("the password was generated again on the second start")
	}
	second.login(m[1])
	var e apiError
	if st := second.call("POST", "/api/v1/session", map[string]string{"password": "guess"}, &e); st != 401 || e.Error.Code != "EUNAUTHORIZED" {
		t.Fatalf("wrong admin password: %d %+v", st, e)
	}
}

// TestCLIAccounts drives the account commands as a script would.
func TestCLIAccounts(t *testing.T) {
	srv := davtest.StartRclone(t)
	data := t.TempDir()
	env := map[string]string{"PHOTOSYNC_DATA": data}
	cli := func(stdin string, args ...string) (string, string, error) {
		var out, errb bytes.Buffer
		err := run(context.Background(), append([]string{"photosync"}, args...), func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errb)
		return out.String(), errb.String(), err
	}
	out, errs, err := cli(srv.Password+"\n", "account", "add", "--url", srv.URL, "--user", srv.Username, "--name", "nas", "--password-stdin", "--json")
	if err != nil {
		t.Fatalf("add: %v\n%s", err, errs)
	}
	var a account
	if err := json.Unmarshal([]byte(out), &a); err != nil || a.ID == 0 || !a.HasPassword || a.Type != "webdav" {
		t.Fatalf("add --json: %v %s", err, out)
	}
	if out, _, err = cli("", "account", "list"); err != nil || !strings.Contains(out, "nas") || !strings.Contains(out, srv.URL) {
		t.Fatalf("list: %v\n%s", err, out)
	}
	id := fmt.Sprint(a.ID)
	if out, _, err = cli("", "account", "edit", id, "--sync", "--sync-interval", "4h", "--sync-folder", "Camera", "--json"); err != nil {
		t.Fatalf("edit: %v", err)
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil || !a.SyncEnabled || a.SyncInterval != 4*3600 || a.SyncFolder != "/Camera" {
		t.Fatalf("edit --json: %v %s", err, out)
	}
	if out, _, err = cli("", "account", "show", id); err != nil || !strings.Contains(out, "stored (encrypted)") || strings.Contains(out, srv.Password) {
		t.Fatalf("show: %v\n%s", err, out)
	}
	if out, _, err = cli("", "account", "test", id); err != nil || !strings.Contains(out, "works") {
		t.Fatalf("test: %v\n%s", err, out)
	}
	// Wrong password from the environment: a clear error, nothing stored.
	env["PHOTOSYNC_ACCOUNT_PASSWORD"] = "wrong"
	_, _, err = cli("", "account", "add", "--url", srv.URL, "--user", srv.Username, "--name", "bad")
	if err == nil || !strings.Contains(describe(err), "user name or password") || exitCode(err) != 1 {
		t.Fatalf("wrong password: %v", err)
	}
	delete(env, "PHOTOSYNC_ACCOUNT_PASSWORD")
	if _, _, err = cli("", "account", "add", "--password", "x"); err == nil || exitCode(err) != 2 {
		t.Fatalf("--password flag must not exist: %v", err)
	}
	if _, _, err = cli("", "account", "remove", id); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if out, _, err = cli("", "account", "list", "--json"); err != nil || strings.TrimSpace(out) != "[]" {
		t.Fatalf("list after remove: %v %q", err, out)
	}
	if out, _, err = cli("", "version", "--json"); err != nil || !strings.Contains(out, `"version"`) {
		t.Fatalf("version: %v %q", err, out)
	}
	assertNoSecretIn(t, data, []string{srv.Password})
}
