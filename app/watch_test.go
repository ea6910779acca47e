//go:build !wasm

// The Nextcloud test server needs sockets, which wasip1 has not.

package app_test

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/fswatch"
	"github.com/photosync/photosync/adapters/media/mediatest"
	"github.com/photosync/photosync/adapters/memory"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/adapters/webdav/davtest"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/internal/testkit"
	"github.com/photosync/photosync/ports"
)

// fakeWatcher is a library watcher whose events the test sends; Stat is
// the real adapter's.
type fakeWatcher struct {
	*fswatch.Watcher
	events chan ports.LibraryEvent
}

func (f *fakeWatcher) Watch(ctx context.Context) (<-chan ports.LibraryEvent, error) {
	return f.events, nil
}

// watchWorld is the watcher's use case against the Nextcloud test
// server: an account syncing /Photos both ways every hour, its first run
// done, and the Watch running with a short quiet period.
type watchWorld struct {
	nc       *davtest.Nextcloud
	dir      string
	clock    *memory.Clock
	accounts *app.Accounts
	store    *memory.SyncStore
	syncer   *app.Syncer
	jobs     *app.Jobs
	sched    *app.Scheduler
	watch    *app.Watch
	fake     *fakeWatcher
	account  domain.Account
}

func newWatchWorld(t *testing.T, cfg app.WatchConfig) *watchWorld {
	t.Helper()
	ctx := context.Background()
	w := &watchWorld{nc: davtest.StartNextcloud(t), dir: t.TempDir(), store: memory.NewSyncStore(),
		clock: memory.NewClock(time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC))}
	box, _ := secrets.NewBox(bytes.Repeat([]byte{7}, 32))
	log := slog.New(slog.DiscardHandler)
	w.fake = &fakeWatcher{Watcher: fswatch.New(w.dir), events: make(chan ports.LibraryEvent)}
	p := apptest.Ports(t, w.dir, w.clock)
	p.Secrets, p.Connector, p.Log, p.Sync, p.Watcher = box, webdav.NewConnector(log), log, w.store, w.fake
	a := apptest.New(t, p, app.Settings{Sync: app.SyncConfig{Holder: "test", RetryDelay: time.Millisecond, Parallel: 3}, Watch: cfg})
	w.accounts, w.jobs, w.syncer, w.watch, w.sched = a.Accounts, a.Jobs, a.Syncer, a.Watch, a.Scheduler
	var err error
	w.account, err = w.accounts.Connect(ctx, app.AccountInput{
		URL: ptr(w.nc.BaseURL), Username: ptr(w.nc.LoginName), Password: ptr(w.nc.Password),
		SyncEnabled: ptr(true), SyncFolder: ptr("/Photos"), SyncInterval: ptr(time.Hour),
	})
	if err != nil {
		t.Fatal(err)
	}
	if !w.account.SyncOnChange || w.account.Type != domain.TypeNextcloud {
		t.Fatalf("account %+v: want Nextcloud with sync_on_change on by default", w.account)
	}
	if _, err := runOf(w.syncer.Run(ctx, w.account.ID, app.ByHand, true)); err != nil {
		t.Fatal(err)
	}
	wctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.watch.Run(wctx); close(done) }()
	t.Cleanup(func() { stop(); <-done })
	waitUntil(t, "the watch to start", func() bool { return w.watch.Status().Watching })
	return w
}

// send hands the Watch an event.
func (w *watchWorld) send(t *testing.T, ev ports.LibraryEvent) {
	t.Helper()
	select {
	case w.fake.events <- ev:
	case <-time.After(10 * time.Second):
		t.Fatal("the Watch does not read its events")
	}
}

// onServer reports whether the server holds rel below /Photos with data.
func (w *watchWorld) onServer(rel string, data []byte) bool {
	got, err := os.ReadFile(filepath.Join(w.nc.Dir, "Photos", filepath.FromSlash(rel)))
	return err == nil && bytes.Equal(got, data)
}

// runs returns the account's runs, newest first.
func (w *watchWorld) runs(t *testing.T) []domain.SyncRun {
	t.Helper()
	runs, err := w.store.Runs(context.Background(), w.account.ID, 100)
	if err != nil {
		t.Fatal(err)
	}
	return runs
}

// idle waits until every job has ended, and returns the account's newest
// run.
func (w *watchWorld) idle(t *testing.T) domain.SyncRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	jobs, err := w.jobs.Jobs(ctx, domain.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if _, err := w.jobs.Wait(ctx, j.ID); err != nil {
			t.Fatal(err)
		}
	}
	runs := w.runs(t)
	if len(runs) == 0 || runs[0].FinishedAt.IsZero() {
		t.Fatalf("the newest run has not ended: %+v", runs)
	}
	return runs[0]
}

func waitUntil(t *testing.T, what string, cond func() bool) {
	t.Helper()
	testkit.WaitFor(t, 30*time.Second, what, cond)
}

// TestWatchRunOnlyUploads: a change starts a run that uploads the new
// file, downloads nothing (a file new on the server waits for the
// interval) and leaves the account's interval where it was.
func TestWatchRunOnlyUploads(t *testing.T) {
	w := newWatchWorld(t, app.WatchConfig{Delay: 20 * time.Millisecond})
	before, _ := w.accounts.Account(context.Background(), w.account.ID)
	w.nc.WriteFile(t, "Photos/remote.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 1}))
	w.clock.Advance(time.Minute)
	data := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 2})
	mediatest.WriteFile(t, w.dir, "new/a.jpg", data)
	// A sync's download (the download folder) is no change to back up.
	w.send(t, ports.LibraryEvent{Kind: ports.LibraryCreated, Path: "nextcloud/downloaded.jpg"})
	w.send(t, ports.LibraryEvent{Kind: ports.LibraryCreated, Path: "new/a.jpg"})
	waitUntil(t, "the new file on the server", func() bool { return w.onServer("new/a.jpg", data) })
	r := w.idle(t)
	if !r.Complete || r.Uploaded != 1 || r.Downloaded != 0 {
		t.Fatalf("the watcher's run: %+v", r)
	}
	if _, err := os.Stat(filepath.Join(w.dir, "nextcloud", "remote.jpg")); err == nil {
		t.Fatal("the watcher's run downloaded a file")
	}
	after, _ := w.accounts.Account(context.Background(), w.account.ID)
	if !after.LastSyncAt.Equal(before.LastSyncAt) {
		t.Fatalf("the watcher's run moved the interval: LastSyncAt %v, was %v", after.LastSyncAt, before.LastSyncAt)
	}
	if s := w.watch.Status(); s.Runs != 1 || s.LastEvent.Path != "new/a.jpg" || s.FellBack != "" {
		t.Fatalf("status %+v", s)
	}
	waitUntil(t, "the file shown verified", func() bool {
		f := w.watch.Status().Files
		return len(f) == 1 && f[0] == app.WatchedFile{Path: "new/a.jpg", State: app.WatchedVerified}
	})
}

// TestWatchOverflowFallsBackToAWalk: the watcher lost events (the files
// below were never reported one by one): the run it starts walks the
// library and finds everything, and the status says why.
func TestWatchOverflowFallsBackToAWalk(t *testing.T) {
	w := newWatchWorld(t, app.WatchConfig{Delay: 20 * time.Millisecond})
	want := map[string][]byte{}
	for i, rel := range []string{"a/1.jpg", "a/b/2.jpg", "c/3.jpg"} {
		want[rel] = mediatest.JPEG(t, mediatest.JPEGOptions{Seed: int64(10 + i)})
		mediatest.WriteFile(t, w.dir, rel, want[rel])
	}
	w.send(t, ports.LibraryEvent{Kind: ports.LibraryOverflow, Why: "the system dropped change events"})
	waitUntil(t, "every file on the server", func() bool {
		for rel, data := range want {
			if !w.onServer(rel, data) {
				return false
			}
		}
		return true
	})
	if r := w.idle(t); !r.Complete || r.Uploaded != 3 {
		t.Fatalf("the walk's run: %+v", r)
	}
	s := w.watch.Status()
	if !strings.Contains(s.FellBack, "dropped") || s.FellBackAt.IsZero() || s.Incomplete {
		t.Fatalf("status %+v: want the fallback and why, the watch still complete", s)
	}
}

// TestWatchIncompleteWalksRegularly: a folder the watcher cannot follow
// (the watch limit) makes it walk the library regularly, which finds a
// file it was never told of; and runs are no longer answered from stored
// state.
func TestWatchIncompleteWalksRegularly(t *testing.T) {
	w := newWatchWorld(t, app.WatchConfig{Delay: 20 * time.Millisecond, FallbackEvery: 50 * time.Millisecond})
	w.send(t, ports.LibraryEvent{Kind: ports.LibraryIncomplete, Path: "deep", Why: "the system's limit of inotify watches is reached"})
	w.idle(t)
	data := mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 20})
	mediatest.WriteFile(t, w.dir, "deep/unseen.jpg", data)
	waitUntil(t, "the unseen file on the server", func() bool { return w.onServer("deep/unseen.jpg", data) })
	if s := w.watch.Status(); !s.Incomplete || !strings.Contains(s.FellBack, "limit") {
		t.Fatalf("status %+v", s)
	}
}

// TestWatchAnswersNoChangeRunsFromStoredState: with the watcher having
// seen nothing and the server's sync folder ETag unchanged, a due run is
// answered from stored state (no job, one request to the server); a
// change on either side, or a day without a full walk, makes the next due
// run a real one.
func TestWatchAnswersNoChangeRunsFromStoredState(t *testing.T) {
	ctx := context.Background()
	w := newWatchWorld(t, app.WatchConfig{Delay: 20 * time.Millisecond})
	due := func() ([]domain.Job, int) {
		t.Helper()
		w.clock.Advance(time.Hour)
		mark := len(w.nc.Requests())
		jobs, err := w.sched.RunDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(jobs) > 0 {
			w.idle(t)
		}
		return jobs, len(w.nc.Requests()) - mark
	}
	if jobs, _ := due(); len(jobs) != 1 {
		t.Fatalf("the first scheduled run (the baseline): %d jobs", len(jobs))
	}
	jobs, reqs := due()
	if len(jobs) != 0 || reqs != 1 {
		t.Fatalf("nothing changed: %d jobs and %d requests, want none and the one for the sync folder's ETag", len(jobs), reqs)
	}
	if r := w.runs(t)[0]; !r.Complete || r.Uploaded+r.Downloaded != 0 {
		t.Fatalf("the answered run: %+v", r)
	}

	// A change on the server: a real run, which downloads it.
	w.nc.WriteFile(t, "Photos/remote.jpg", mediatest.JPEG(t, mediatest.JPEGOptions{Seed: 30}))
	if jobs, _ := due(); len(jobs) != 1 || w.runs(t)[0].Downloaded != 1 {
		t.Fatalf("after a change on the server: %d jobs, run %+v", len(jobs), w.runs(t)[0])
	}
	if jobs, _ := due(); len(jobs) != 0 {
		t.Fatal("nothing changed since, yet a run started")
	}

	// A change the watcher saw: a real run (the watcher's own upload run
	// is told apart from the scheduled one: it only uploads).
	w.send(t, ports.LibraryEvent{Kind: ports.LibraryRemoved, Path: "gone.jpg"})
	waitUntil(t, "the watcher's run", func() bool { return w.watch.Status().Runs == 1 })
	w.idle(t)
	if jobs, _ := due(); len(jobs) != 1 {
		t.Fatal("the library changed, yet no run started")
	}

	// A day on: a full walk whatever the watcher says.
	if jobs, _ := due(); len(jobs) != 0 {
		t.Fatal("nothing changed since, yet a run started")
	}
	w.clock.Advance(24 * time.Hour)
	if jobs, _ := due(); len(jobs) != 1 {
		t.Fatal("a day without a full walk, yet the run was answered from stored state")
	}
}

func TestWatchesFor(t *testing.T) {
	a := domain.NewAccount()
	a.SyncEnabled = true
	if !app.WatchesFor(a) {
		t.Fatal("an uploading sync with the switch on (the default) is not watched for")
	}
	for name, change := range map[string]func(*domain.Account){
		"switch off":   func(a *domain.Account) { a.SyncOnChange = false },
		"sync off":     func(a *domain.Account) { a.SyncEnabled = false },
		"no upload":    func(a *domain.Account) { a.SyncUpload = false },
		"unauthorized": func(a *domain.Account) { a.Status = domain.StatusUnauthorized },
	} {
		b := a
		change(&b)
		if app.WatchesFor(b) {
			t.Errorf("%s: watched for", name)
		}
	}
}

// TestWatchWaitsForAFileStillChanging: a file that keeps growing without
// telling the watcher (a network share, a writer that does not close) is
// held by the settle check until it stops changing, then sent once,
// whole.
func TestWatchWaitsForAFileStillChanging(t *testing.T) {
	w := newWatchWorld(t, app.WatchConfig{Delay: 20 * time.Millisecond, Settle: 150 * time.Millisecond})
	data := mediatest.JPEG(t, mediatest.JPEGOptions{Width: 300, Height: 200, Seed: 40})
	path := filepath.Join(w.dir, "growing.jpg")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	chunk := (len(data) + 9) / 10
	if _, err := f.Write(data[:chunk]); err != nil {
		t.Fatal(err)
	}
	w.send(t, ports.LibraryEvent{Kind: ports.LibraryCreated, Path: "growing.jpg"})
	// The writer's own pace, the scenario: no event tells of these writes.
	pace := time.NewTicker(50 * time.Millisecond)
	for off := chunk; off < len(data); off += chunk {
		<-pace.C
		if _, err := f.Write(data[off:min(off+chunk, len(data))]); err != nil {
			t.Fatal(err)
		}
	}
	pace.Stop()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, "the whole file on the server", func() bool { return w.onServer("growing.jpg", data) })
	if r := w.idle(t); r.Uploaded != 1 {
		t.Fatalf("the run: %+v", r)
	}
	if n := w.watch.Status().Runs; n != 1 {
		t.Fatalf("%d runs, want one, once the file was whole", n)
	}
}
