package app_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/ports"
)

// syncWorld is the sync use case on in-memory stores and server, with a
// library folder on disk written through the real writer. Tests set
// fault to put a misbehaving server between the syncer and the files.
type syncWorld struct {
	dir      string
	clock    *memory.Clock
	server   *memory.Server
	remote   *memory.Remote
	accounts *app.Accounts
	store    *memory.SyncStore
	leases   *memory.LeaseStore
	libStore *memory.LibraryStore
	uploads  *memory.UploadStore
	indexer  *app.Indexer
	jobs     *app.Jobs
	syncer   *app.Syncer
	sched    *app.Scheduler
	account  domain.Account

	mu    sync.Mutex
	fault func(op, path string) error // nil, or the error for an operation on a path
	// wrap, when set, puts a storage of the test's between the syncer
	// and the server (around the fault injection).
	wrap    func(ports.RemoteStorage) ports.RemoteStorage
	faultMu sync.Mutex // calls to fault one at a time
}

// syncStorage lets a test fail operations of the memory server.
type syncStorage struct {
	ports.RemoteStorage
	w *syncWorld
}

func (s syncStorage) check(op, p string) error {
	s.w.mu.Lock()
	fault := s.w.fault
	s.w.mu.Unlock()
	if fault == nil {
		return nil
	}
	s.w.faultMu.Lock()
	defer s.w.faultMu.Unlock()
	return fault(op, p)
}

func (s syncStorage) Download(ctx context.Context, p string) (io.ReadCloser, domain.RemoteFile, error) {
	if err := s.check("download", p); err != nil {
		return nil, domain.RemoteFile{}, err
	}
	return s.RemoteStorage.Download(ctx, p)
}

func (s syncStorage) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	if err := s.check("upload", p); err != nil {
		return err
	}
	return s.RemoteStorage.Upload(ctx, p, body, size, meta)
}

func (s syncStorage) List(ctx context.Context, dir string) ([]domain.RemoteFile, error) {
	if err := s.check("list", dir); err != nil {
		return nil, err
	}
	return s.RemoteStorage.List(ctx, dir)
}

// Move keeps the memory server's capability to move files visible
// through the wrapper.
func (s syncStorage) Move(ctx context.Context, from, to string) error {
	if err := s.check("move", from); err != nil {
		return err
	}
	return s.RemoteStorage.(ports.Mover).Move(ctx, from, to)
}

type syncConnector struct {
	*memory.Connector
	w *syncWorld
}

func (c syncConnector) Open(creds domain.Credentials, typ domain.AccountType) (ports.RemoteStorage, error) {
	st, err := c.Connector.Open(creds, typ)
	if err != nil {
		return nil, err
	}
	var out ports.RemoteStorage = syncStorage{st, c.w}
	c.w.mu.Lock()
	wrap := c.w.wrap
	c.w.mu.Unlock()
	if wrap != nil {
		out = wrap(out)
	}
	return out, nil
}

// newSyncWorld connects an account with sync on, both ways, names kept,
// to /Photos, every hour.
func newSyncWorld(t *testing.T) *syncWorld {
	t.Helper()
	clock := memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))
	box, err := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	w := &syncWorld{dir: t.TempDir(), clock: clock, server: memory.NewServer(clock), store: memory.NewSyncStore(), leases: memory.NewLeaseStore()}
	w.remote = memory.NewRemote(w.server)
	conn := memory.NewConnector()
	conn.Register("https://dav.example.com/", domain.TypeWebDAV, "bob", "hunter2", w.server)
	w.libStore, w.uploads = memory.NewLibraryStore(), memory.NewUploadStore()
	p := apptest.Ports(t, w.dir, clock)
	p.Secrets, p.Connector, p.Log = box, syncConnector{conn, w}, log
	p.Sync, p.Leases, p.Library, p.Uploads = w.store, w.leases, w.libStore, w.uploads
	a := apptest.New(t, p, app.Settings{Sync: app.SyncConfig{Holder: "test", RetryDelay: time.Millisecond, Parallel: 3}})
	w.accounts, w.indexer, w.jobs, w.syncer, w.sched = a.Accounts, a.Indexer, a.Jobs, a.Syncer, a.Scheduler
	w.account, err = w.accounts.Connect(context.Background(), app.AccountInput{
		URL: ptr("https://dav.example.com/"), Username: ptr("bob"), Password: ptr("hunter2"),
		SyncEnabled: ptr(true), SyncFolder: ptr("/Photos"), SyncInterval: ptr(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// setFault makes the server fail as fn says; nil heals it.
func (w *syncWorld) setFault(fn func(op, path string) error) {
	w.mu.Lock()
	w.fault = fn
	w.mu.Unlock()
}

// edit changes the account's settings.
func (w *syncWorld) edit(t *testing.T, in app.AccountInput) {
	t.Helper()
	a, err := w.accounts.Update(context.Background(), w.account.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	w.account = a
}

// put writes a remote file, creating its folders, with a modification
// time.
func (w *syncWorld) put(t *testing.T, p string, data []byte, mod time.Time) {
	t.Helper()
	ctx := context.Background()
	if err := w.remote.MkdirAll(ctx, filepath.Dir(p)); err != nil {
		t.Fatal(err)
	}
	if err := w.remote.Upload(ctx, p, bytes.NewReader(data), int64(len(data)), domain.UploadMeta{ModTime: mod}); err != nil {
		t.Fatal(err)
	}
}

// write writes a library file with a modification time.
func (w *syncWorld) write(t *testing.T, rel string, data []byte, mod time.Time) {
	t.Helper()
	p := mediatest.WriteFile(t, w.dir, rel, data)
	if err := os.Chtimes(p, mod, mod); err != nil {
		t.Fatal(err)
	}
}

// sync runs the account's sync by hand.
func (w *syncWorld) sync(t *testing.T) domain.SyncRun {
	t.Helper()
	run, err := runOf(w.syncer.Run(context.Background(), w.account.ID, app.ByHand, true))
	if err != nil {
		t.Fatalf("Sync: %v (run %+v)", err, run)
	}
	return run
}

// library returns the library's files (temporary and hidden ones too)
// and their content.
func (w *syncWorld) library(t *testing.T) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(w.dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(w.dir, p)
		if strings.HasPrefix(filepath.ToSlash(rel), versionsDir+"/") {
			return nil // photosync's own versions area: see versions
		}
		data, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = data
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// files returns the server's files below dir and their content.
func (w *syncWorld) files(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	var walk func(string)
	walk = func(d string) {
		entries, err := w.remote.List(context.Background(), d)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.IsDir && e.Name == ".photosync-versions" {
				continue // replaced copies kept by photosync, not synced files
			}
			if e.IsDir {
				walk(e.Path)
				continue
			}
			data, _ := w.server.File(e.Path)
			out[e.Path] = data
		}
	}
	walk(dir)
	return out
}

// checkRun fails unless a run moved what is expected.
func checkRun(t *testing.T, r domain.SyncRun, down, up, failed int) {
	t.Helper()
	if r.Downloaded != down || r.Uploaded != up || r.Failed != failed || !r.Complete || r.FinishedAt.IsZero() {
		t.Fatalf("run %+v; want %d down, %d up, %d failed, complete", r, down, up, failed)
	}
}

// keys returns a map's keys, sorted.
func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// noTemps fails when the library holds a temporary or staging file.
func noTemps(t *testing.T, lib map[string][]byte) {
	t.Helper()
	for p := range lib {
		if strings.Contains(p, "/.") || strings.HasPrefix(p, ".") {
			t.Errorf("the library holds %s", p)
		}
	}
}

// osRemove deletes a library file.
func osRemove(dir, rel string) error { return os.Remove(filepath.Join(dir, filepath.FromSlash(rel))) }

// runOf is the run and error of a waited Syncer.Run.
func runOf(_ domain.Job, run domain.SyncRun, err error) (domain.SyncRun, error) { return run, err }

// jobOf is the job and error of a Syncer.Run started in the background.
func jobOf(j domain.Job, _ domain.SyncRun, err error) (domain.Job, error) { return j, err }
