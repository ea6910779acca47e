package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
)

// world is the app wired to in-memory adapters, with one WebDAV server at
// https://dav.example.com/ for user bob, password "hunter2".
type world struct {
	accounts *app.Accounts
	store    *memory.AccountStore
	server   *memory.Server
	conn     *memory.Connector
	clock    *memory.Clock
	logs     *bytes.Buffer
}

func newWorld(t *testing.T) *world {
	t.Helper()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, err := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	logs := &bytes.Buffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	w := &world{store: memory.NewAccountStore(clock), server: memory.NewServer(clock), conn: memory.NewConnector(), clock: clock, logs: logs}
	w.conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", w.server)
	w.accounts = app.NewAccounts(w.store, box, w.conn, clock, log)
	return w
}

func ptr[T any](v T) *T { return &v }

func TestConnectStoresSealedPasswordAndDefaults(t *testing.T) {
	w := newWorld(t)
	a, err := w.accounts.Connect(context.Background(), app.AccountInput{
		URL: ptr("DAV.example.com"), Username: ptr("bob"), Password: ptr("hunter2"),
	})
	if err != nil {
		t.Fatal(err)
	}
	if a.URL != "https://dav.example.com/" || a.Type != domain.TypeWebDAV {
		t.Fatalf("url %q type %q", a.URL, a.Type)
	}
	if a.Name != "bob@dav.example.com" {
		t.Fatalf("default name %q", a.Name)
	}
	if !a.HasPassword() || bytes.Contains(a.Secret, []byte("hunter2")) {
		t.Fatalf("secret %q: not sealed", a.Secret)
	}
	if a.UploadFolder != "/Photos" || a.UploadSize != domain.SizeOriginal || !a.SyncUpload || !a.SyncDownload || a.SyncEnabled {
		t.Fatalf("defaults not applied: %+v", a)
	}
	if strings.Contains(w.logs.String(), "hunter2") {
		t.Fatal("the password was logged")
	}
	second, err := w.accounts.Connect(context.Background(), app.AccountInput{
		URL: ptr("dav.example.com"), Username: ptr("bob"), Password: ptr("hunter2"),
	})
	if err != nil || second.Name != "bob@dav.example.com (2)" {
		t.Fatalf("second default name %q, %v", second.Name, err)
	}
}

func TestConnectFailuresStoreNothing(t *testing.T) {
	w := newWorld(t)
	cases := []struct {
		name string
		in   app.AccountInput
		code string
	}{
		{"wrong password", app.AccountInput{URL: ptr("https://dav.example.com"), Username: ptr("bob"), Password: ptr("nope")}, domain.EUNAUTHORIZED},
		{"unknown server", app.AccountInput{URL: ptr("https://other.example.com"), Username: ptr("bob"), Password: ptr("hunter2")}, domain.EUNAVAILABLE},
		{"no url", app.AccountInput{Username: ptr("bob")}, domain.EINVALID},
		{"ftp url", app.AccountInput{URL: ptr("ftp://dav.example.com"), Username: ptr("bob")}, domain.EINVALID},
		{"folder with ..", app.AccountInput{URL: ptr("https://dav.example.com"), Username: ptr("bob"), Password: ptr("hunter2"), UploadFolder: ptr("/a/../b")}, domain.EINVALID},
		{"negative interval", app.AccountInput{URL: ptr("https://dav.example.com"), Username: ptr("bob"), Password: ptr("hunter2"), SyncInterval: ptr(-time.Second)}, domain.EINVALID},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := w.accounts.Connect(context.Background(), c.in)
			if domain.ErrorCode(err) != c.code {
				t.Fatalf("err = %v (%s), want %s", err, domain.ErrorCode(err), c.code)
			}
			if strings.Contains(err.Error(), "nope") {
				t.Fatal("error shows the password")
			}
		})
	}
	if all, _ := w.accounts.Accounts(context.Background()); len(all) != 0 {
		t.Fatalf("%d accounts stored after failures", len(all))
	}
}

func TestUpdateRetestsOnlyConnectionChanges(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, err := w.accounts.Connect(ctx, app.AccountInput{Name: ptr("home"), URL: ptr("dav.example.com"), Username: ptr("bob"), Password: ptr("hunter2")})
	if err != nil {
		t.Fatal(err)
	}
	// A settings change needs no server.
	w.conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "changed-on-server", w.server)
	got, err := w.accounts.Update(ctx, a.ID, app.AccountInput{SyncEnabled: ptr(true), SyncInterval: ptr(time.Hour), SyncFolder: ptr("Camera/")})
	if err != nil {
		t.Fatal(err)
	}
	if !got.SyncEnabled || got.SyncInterval != time.Hour || got.SyncFolder != "/Camera" {
		t.Fatalf("settings not saved: %+v", got)
	}
	// A wrong new password is tested and refused; the old one stays.
	if _, err := w.accounts.Update(ctx, a.ID, app.AccountInput{Password: ptr("wrong")}); domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("err = %v, want EUNAUTHORIZED", err)
	}
	after, _ := w.accounts.Account(ctx, a.ID)
	if !bytes.Equal(after.Secret, a.Secret) {
		t.Fatal("a refused password replaced the stored one")
	}
	// The right new password is saved.
	if _, err := w.accounts.Update(ctx, a.ID, app.AccountInput{Password: ptr("changed-on-server")}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.accounts.Test(ctx, a.ID); err != nil {
		t.Fatalf("test after password change: %v", err)
	}
}

func TestTestRecordsStatus(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, err := w.accounts.Connect(ctx, app.AccountInput{URL: ptr("dav.example.com"), Username: ptr("bob"), Password: ptr("hunter2")})
	if err != nil {
		t.Fatal(err)
	}
	w.conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "rotated", w.server)
	got, err := w.accounts.Test(ctx, a.ID)
	if domain.ErrorCode(err) != domain.EUNAUTHORIZED {
		t.Fatalf("err = %v", err)
	}
	if got.Status != domain.StatusUnauthorized || got.ErrorCount != 1 || !strings.Contains(got.LastError, "user name or password") {
		t.Fatalf("status %q count %d last %q", got.Status, got.ErrorCount, got.LastError)
	}
	w.conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", w.server)
	got, err = w.accounts.Test(ctx, a.ID)
	if err != nil || got.Status != domain.StatusOK || got.LastError != "" {
		t.Fatalf("after recovery: %v %q %q", err, got.Status, got.LastError)
	}
}

func TestFolders(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	a, err := w.accounts.Connect(ctx, app.AccountInput{URL: ptr("dav.example.com"), Username: ptr("bob"), Password: ptr("hunter2")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.accounts.CreateFolder(ctx, a.ID, "/Photos/2024/"); err != nil {
		t.Fatal(err)
	}
	if _, err := w.accounts.CreateFolder(ctx, a.ID, "/archive"); err != nil {
		t.Fatal(err)
	}
	st, _ := w.accounts.Storage(ctx, a.ID)
	if err := st.Upload(ctx, "/readme.txt", strings.NewReader("hi"), 2, domain.UploadMeta{}); err != nil {
		t.Fatal(err)
	}
	got, err := w.accounts.Folders(ctx, a.ID, "/")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range got {
		names = append(names, f.Name)
	}
	if strings.Join(names, ",") != "archive,Photos" {
		t.Fatalf("folders %v, want archive,Photos (folders only, by name)", names)
	}
	if _, err := w.accounts.Folders(ctx, a.ID, "/../etc"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("err = %v, want EINVALID", err)
	}
	if _, err := w.accounts.CreateFolder(ctx, a.ID, "/"); domain.ErrorCode(err) != domain.EINVALID {
		t.Fatalf("create root: %v", err)
	}
	if _, err := w.accounts.Folders(ctx, 999, "/"); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("missing account: %v", err)
	}
	if err := w.accounts.Remove(ctx, a.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.accounts.Account(ctx, a.ID); domain.ErrorCode(err) != domain.ENOTFOUND {
		t.Fatalf("after remove: %v", err)
	}
}
