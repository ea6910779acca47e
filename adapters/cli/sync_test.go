package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/cli"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
)

// syncCLI is the CLI with a sync of one account, syncing /Photos both
// ways every hour, over a memory server and a library on disk.
type syncCLI struct {
	t      *testing.T
	c      *cli.CLI
	out    *bytes.Buffer
	dir    string
	clock  *memory.Clock
	server *memory.Remote
	syncer *app.Syncer
	sched  *app.Scheduler
	jobs   *app.Jobs
	leases *memory.LeaseStore
}

func newSyncCLI(t *testing.T) *syncCLI {
	t.Helper()
	ctx := context.Background()
	c, out, _ := jobsCLI(t)
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, _ := secrets.NewBox(bytes.Repeat([]byte{1}, 32))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := memory.NewServer(clock)
	conn := memory.NewConnector()
	conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", srv)
	dir := t.TempDir()
	p := apptest.Ports(t, dir, clock)
	leases := memory.NewLeaseStore()
	p.Secrets, p.Connector, p.Leases, p.Log = box, conn, leases, log
	a := apptest.New(t, p, app.Settings{Sync: app.SyncConfig{Holder: "cli-test"}})
	accounts := a.Accounts
	for _, interval := range []time.Duration{time.Hour, 0} {
		if _, err := accounts.Connect(ctx, app.AccountInput{
			URL: ptr("https://dav.example.com/"), Username: ptr("bob"), Password: ptr("hunter2"),
			SyncEnabled: ptr(true), SyncFolder: ptr("/Photos"), SyncInterval: ptr(interval),
		}); err != nil {
			t.Fatal(err)
		}
	}
	return &syncCLI{t: t, c: c, out: out, dir: dir, clock: clock, server: memory.NewRemote(srv), syncer: a.Syncer,
		sched: a.Scheduler, jobs: a.Jobs, leases: leases}
}

func ptr[T any](v T) *T { return &v }

// run runs `photosync sync args...` and returns its output.
func (s *syncCLI) run(args ...string) (string, error) {
	s.t.Helper()
	s.out.Reset()
	err := s.c.SyncCommand(context.Background(), args, s.syncer, s.sched, s.jobs)
	return s.out.String(), err
}

func (s *syncCLI) put(p string, seed int64) {
	s.t.Helper()
	data := mediatest.JPEG(s.t, mediatest.JPEGOptions{Width: 16, Height: 16, Seed: seed})
	ctx := context.Background()
	if err := s.server.MkdirAll(ctx, filepath.Dir(p)); err != nil {
		s.t.Fatal(err)
	}
	if err := s.server.Upload(ctx, p, bytes.NewReader(data), int64(len(data)), domain.UploadMeta{}); err != nil {
		s.t.Fatal(err)
	}
}

func TestSyncCommand(t *testing.T) {
	s := newSyncCLI(t)
	s.put("/Photos/2024/a.jpg", 1)
	mediatest.WriteFile(t, s.dir, "mine/b.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Width: 16, Height: 16, Seed: 2}))

	out, err := s.run("--account", "1", "--dry-run")
	if err != nil || !strings.Contains(out, "download  nextcloud/2024/a.jpg") || !strings.Contains(out, "upload    mine/b.jpg") ||
		!strings.Contains(out, "1 to download, 1 to upload") {
		t.Fatalf("dry run: %v\n%s", err, out)
	}
	if _, err := os.Stat(filepath.Join(s.dir, "nextcloud")); err == nil {
		t.Fatal("a dry run downloaded")
	}
	out, err = s.run("--account", "1", "--dry-run", "--json")
	var plan struct{ Plan []struct{ Op string } }
	if err != nil || json.Unmarshal([]byte(out), &plan) != nil || len(plan.Plan) != 2 || plan.Plan[0].Op != "download" {
		t.Fatalf("dry run --json: %v\n%s", err, out)
	}

	out, err = s.run("--account", "1", "--json")
	var job struct {
		State                string
		Downloaded, Uploaded int
	}
	if err != nil || json.Unmarshal([]byte(out), &job) != nil || job.State != "done" || job.Downloaded != 1 || job.Uploaded != 1 {
		t.Fatalf("sync --json: %v\n%s", err, out)
	}
	if out, err = s.run("--account", "1", "--dry-run"); err != nil || !strings.Contains(out, "in step") {
		t.Fatalf("dry run after the sync: %v\n%s", err, out)
	}

	// A sync of the account elsewhere: refused, saying so.
	if err := s.leases.AcquireLease(context.Background(), "sync:1", "another process", s.clock.Now(), 3*time.Hour); err != nil {
		t.Fatal(err)
	}
	if _, err := s.run("--account", "1"); cli.ExitCode(err) != 1 || cli.Describe(err) != "a sync of account 1 is already running" {
		t.Fatalf("a second sync: %v", err)
	}

	// --due: account 1 synced just now, account 2 only by hand.
	if out, err := s.run("--due"); err != nil || !strings.Contains(out, "No account is due") {
		t.Fatalf("--due: %v\n%s", err, out)
	}
	s.clock.Advance(2 * time.Hour)
	if out, err := s.run("--due", "--json"); err != nil || strings.TrimSpace(out) != "[]" {
		t.Fatalf("--due while account 1 syncs elsewhere: %v\n%s", err, out) // passed over, nothing started
	}
}

func TestSyncFilesCommands(t *testing.T) {
	s := newSyncCLI(t)
	s.put("/Photos/a.jpg", 1)
	s.put("/Photos/b.jpg", 2)
	if err := os.MkdirAll(filepath.Join(s.dir, "nextcloud", "b.jpg"), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := s.run("--account", "1"); cli.ExitCode(err) != 1 {
		t.Fatalf("a sync with a failed file: %v", err)
	}
	out, err := s.run("failed", "--account", "1", "--all")
	if err != nil || !strings.Contains(out, "/Photos/b.jpg") || !strings.Contains(out, "next try") {
		t.Fatalf("failed --all: %v\n%s", err, out)
	}
	if out, err := s.run("failed", "--account", "1"); err != nil || !strings.Contains(out, "No failed files") {
		t.Fatalf("failed: %v\n%s", err, out)
	}
	if out, err := s.run("retry", "--account", "1", "/Photos/b.jpg"); err != nil || !strings.Contains(out, "1 file(s)") {
		t.Fatalf("retry: %v\n%s", err, out)
	}
	if err := os.Remove(filepath.Join(s.dir, "nextcloud", "a.jpg")); err != nil {
		t.Fatal(err)
	}
	s.run("--account", "1")
	out, err = s.run("deleted", "--account", "1", "--json")
	var deleted struct {
		Files []struct {
			LocalPath string `json:"local_path"`
			DeletedIn string `json:"deleted_in"`
		}
	}
	if err != nil || json.Unmarshal([]byte(out), &deleted) != nil || len(deleted.Files) != 1 || deleted.Files[0].DeletedIn != "library" ||
		deleted.Files[0].LocalPath != "nextcloud/a.jpg" {
		t.Fatalf("deleted: %v\n%s", err, out)
	}
	if out, err := s.run("restore", "--account", "1", "nextcloud/a.jpg"); err != nil || !strings.Contains(out, "1 file(s) will be copied") {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	for _, args := range [][]string{{}, {"--account", "1", "--due"}, {"restore", "--account", "1"}, {"failed"}, {"failed", "--account", "1", "x"}} {
		if _, err := s.run(args...); cli.ExitCode(err) != 2 {
			t.Errorf("sync %v: %v, want a usage error", args, err)
		}
	}
}
