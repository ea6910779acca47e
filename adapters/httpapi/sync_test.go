package httpapi_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/httpapi"
	"github.com/photosync/photosync/adapters/jsonview"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
)

// syncAPI is the API with the sync routes over a memory server and a
// library on disk, signed in, with one account syncing /Photos both ways.
type syncAPI struct {
	*apiClient
	server  *memory.Server
	dir     string
	account domain.Account
	jobs    *app.Jobs
}

func newSyncAPI(t *testing.T) *syncAPI {
	t.Helper()
	ctx := context.Background()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	log := slog.New(slog.DiscardHandler)
	server := memory.NewServer(clock)
	conn := memory.NewConnector()
	conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", server)
	dir := t.TempDir()
	p := apptest.Ports(t, dir, clock)
	p.Secrets, p.Connector, p.Log = box, conn, log
	ap := apptest.New(t, p, app.Settings{AdminPassword: "admin-pw", Sync: app.SyncConfig{Holder: "api-test", RetryDelay: time.Millisecond}})
	a, err := ap.Accounts.Connect(ctx, app.AccountInput{
		URL: ptrTo("https://dav.example.com/"), Username: ptrTo("bob"), Password: ptrTo("hunter2"),
		SyncEnabled: ptrTo(true), SyncFolder: ptrTo("/Photos"), RetryLimit: ptrTo(1),
	})
	if err != nil {
		t.Fatal(err)
	}
	jobs := ap.Jobs
	srv := httptest.NewServer(httpapi.New(ap, httpapi.Settings{Version: "test"}))
	t.Cleanup(func() {
		jobs.Close()
		srv.Close()
	})
	c := &apiClient{t: t, srv: srv}
	c.login()
	return &syncAPI{apiClient: c, server: server, dir: dir, account: a, jobs: jobs}
}

func ptrTo[T any](v T) *T { return &v }

// put stores a file on the memory server.
func (s *syncAPI) put(p string, data []byte) {
	s.t.Helper()
	r := memory.NewRemote(s.server)
	if err := r.MkdirAll(context.Background(), filepath.Dir(p)); err != nil {
		s.t.Fatal(err)
	}
	if err := r.Upload(context.Background(), p, bytes.NewReader(data), int64(len(data)), domain.UploadMeta{}); err != nil {
		s.t.Fatal(err)
	}
}

// sync starts a sync and waits for its job.
func (s *syncAPI) sync() jsonview.Job {
	s.t.Helper()
	var j jsonview.Job
	if st, raw := s.do("POST", fmt.Sprintf("/api/v1/accounts/%d/sync", s.account.ID), `{"dry_run": false}`, &j); st != 202 {
		s.t.Fatalf("sync: %d %s", st, raw)
	}
	end, err := s.jobs.Wait(context.Background(), j.ID)
	if err != nil {
		s.t.Fatal(err)
	}
	return jsonview.FromJob(end)
}

func TestSyncRoutes(t *testing.T) {
	s := newSyncAPI(t)
	base := fmt.Sprintf("/api/v1/accounts/%d", s.account.ID)
	jpg := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 16, Height: 16, Seed: 1})
	s.put("/Photos/a.jpg", jpg)
	s.put("/Photos/b.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 16, Height: 16, Seed: 2}))

	var plan struct{ Plan []jsonview.SyncAction }
	if st, raw := s.do("POST", base+"/sync", `{"dry_run": true}`, &plan); st != 200 || len(plan.Plan) != 2 ||
		plan.Plan[0] != (jsonview.SyncAction{Op: "download", Direction: "down", LocalPath: "nextcloud/a.jpg", RemotePath: "/Photos/a.jpg", Size: int64(len(jpg))}) {
		t.Fatalf("dry run: %d %s", st, raw)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "nextcloud")); err == nil {
		t.Fatal("a dry run wrote into the library")
	}

	// A folder where b.jpg should go makes it fail; with retry limit 1 it
	// is failed at once.
	if err := os.MkdirAll(filepath.Join(s.dir, "nextcloud", "b.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	j := s.sync()
	if j.State != "partial" || j.Downloaded != 1 || j.Failed != 1 {
		t.Fatalf("sync job %+v", j)
	}
	var failed struct{ Files []jsonview.SyncFile }
	if st, raw := s.do("GET", base+"/files?state=failed", "", &failed); st != 200 || len(failed.Files) != 1 ||
		failed.Files[0].RemotePath != "/Photos/b.jpg" || !failed.Files[0].Failed || failed.Files[0].Attempts != 1 ||
		failed.Files[0].Direction != "down" || failed.Files[0].LastError == "" || failed.Files[0].NextAttemptAt == nil {
		t.Fatalf("failed files: %d %s", st, raw)
	}
	var retried struct{ Retried int }
	if st, raw := s.do("POST", base+"/files/retry", "", &retried); st != 200 || retried.Retried != 1 {
		t.Fatalf("retry: %d %s", st, raw)
	}
	if st, raw := s.do("GET", base+"/files?state=all", "", &failed); st != 200 || failed.Files == nil || len(failed.Files) != 0 {
		t.Fatalf("files after the retry: %d %s", st, raw)
	}
	var runs struct{ Runs []jsonview.SyncRun }
	if st, raw := s.do("GET", base+"/runs?limit=5", "", &runs); st != 200 || len(runs.Runs) != 1 || runs.Runs[0].Downloaded != 1 ||
		runs.Runs[0].Failed != 1 || len(runs.Runs[0].Errors) != 1 || !runs.Runs[0].Complete || runs.Runs[0].JobID != j.ID {
		t.Fatalf("runs: %d %s", st, raw)
	}

	if err := os.Remove(filepath.Join(s.dir, "nextcloud", "a.jpg")); err != nil {
		t.Fatal(err)
	}
	s.sync()
	var files struct{ Files []jsonview.DeletedFile }
	if st, raw := s.do("GET", base+"/files?state=deleted", "", &files); st != 200 ||
		len(files.Files) != 1 || files.Files[0] != (jsonview.DeletedFile{LocalPath: "nextcloud/a.jpg", RemotePath: "/Photos/a.jpg", DeletedIn: "library"}) {
		t.Fatalf("deleted files: %d %s", st, raw)
	}
	var restored struct{ Restored int }
	if st, raw := s.do("POST", base+"/files/restore", `{"paths": ["nextcloud/a.jpg"]}`, &restored); st != 200 || restored.Restored != 1 {
		t.Fatalf("restore: %d %s", st, raw)
	}
	if j := s.sync(); j.Downloaded != 1 {
		t.Fatalf("the restored file did not come back: %+v", j)
	}

	for _, tt := range []struct {
		method, path, body string
		status             int
		code               string
	}{
		{"GET", base + "/files?state=odd", "", 400, domain.EINVALID},
		{"GET", base + "/runs?limit=0", "", 400, domain.EINVALID},
		{"POST", base + "/sync", `{"dry_run": "yes"}`, 400, domain.EINVALID},
		{"POST", base + "/files/restore", `{"paths": []}`, 400, domain.EINVALID},
		{"POST", "/api/v1/accounts/99/sync", "", 404, domain.ENOTFOUND},
		{"GET", "/api/v1/accounts/99/files", "", 404, domain.ENOTFOUND},
	} {
		var e apiError
		if st, raw := s.do(tt.method, tt.path, tt.body, &e); st != tt.status || e.Error.Code != tt.code {
			t.Errorf("%s %s %s: %d %s; want %d %s", tt.method, tt.path, tt.body, st, raw, tt.status, tt.code)
		}
	}
}
