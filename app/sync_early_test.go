package app_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/localfs"
	"github.com/photosync/photosync/adapters/media"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Tests of sending while the library is read (app/sync_early.go). The
// index is held on one file by the inspector, so that what reaches the
// server before the index ends is seen for certain: the tests wait on
// channels, with a deadline that only a broken build reaches.

const earlyDeadline = 20 * time.Second

// holdingInspector is the real inspector, holding the file at path held
// until release is closed.
type holdingInspector struct {
	ports.MediaInspector
	held    string
	reached chan struct{} // closed when the index reaches the held file
	release chan struct{}
	once    sync.Once
}

func (h *holdingInspector) Inspect(ctx context.Context, name string, r io.ReadSeeker, size int64) (domain.MediaInfo, error) {
	if name == h.held {
		h.once.Do(func() { close(h.reached) })
		select {
		case <-h.release:
		case <-ctx.Done():
			return domain.MediaInfo{}, ctx.Err()
		}
	}
	return h.MediaInspector.Inspect(ctx, name, r, size)
}

// arrivals tells each file the server stored, once stored.
type arrivals struct {
	ports.RemoteStorage
	mu   sync.Mutex
	seen []string
	ch   chan string
}

func (a *arrivals) Upload(ctx context.Context, p string, body io.Reader, size int64, meta domain.UploadMeta) error {
	if err := a.RemoteStorage.Upload(ctx, p, body, size, meta); err != nil {
		return err
	}
	a.mu.Lock()
	a.seen = append(a.seen, p)
	a.mu.Unlock()
	a.ch <- p
	return nil
}

func (a *arrivals) Move(ctx context.Context, from, to string) error {
	return a.RemoteStorage.(ports.Mover).Move(ctx, from, to)
}

func (a *arrivals) uploads() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Sorted(slices.Values(a.seen))
}

// earlyWorld is a syncWorld whose index holds at the library file held
// (none when held is "") and whose server tells each upload.
func earlyWorld(t *testing.T, held string) (*syncWorld, *holdingInspector, *arrivals) {
	t.Helper()
	return rehold(t, newSyncWorld(t), held)
}

// rehold gives w (its stores, library and server) a new index holding at
// held, and a new record of uploads.
func rehold(t *testing.T, w *syncWorld, held string) (*syncWorld, *holdingInspector, *arrivals) {
	t.Helper()
	h := &holdingInspector{MediaInspector: media.NewInspector(), held: held, reached: make(chan struct{}), release: make(chan struct{})}
	if held == "" {
		close(h.release)
	}
	t.Cleanup(h.let)
	lib := localfs.NewLibrary(w.dir)
	log := slog.New(slog.DiscardHandler)
	w.indexer = app.NewIndexer(lib, w.libStore, h, w.clock, log)
	w.syncer = app.NewSyncer(app.SyncDeps{Accounts: w.accounts, Indexer: w.indexer, Library: w.libStore, Writer: localfs.NewWriter(w.dir), Lib: lib,
		Store: w.store, Leases: w.leases, Inspector: h, Checker: media.NewChecker(), Versions: localfs.NewVersionStore(w.dir, w.clock),
		Uploads: w.uploads, Jobs: w.jobs, Clock: w.clock, Log: log}, app.SyncConfig{Holder: "test", RetryDelay: time.Millisecond, Parallel: 3})
	a := &arrivals{ch: make(chan string, 1000)}
	w.mu.Lock()
	w.wrap = func(st ports.RemoteStorage) ports.RemoteStorage {
		a.RemoteStorage = st
		return a
	}
	w.mu.Unlock()
	return w, h, a
}

// let releases the held file, once.
func (h *holdingInspector) let() {
	select {
	case <-h.release:
	default:
		close(h.release)
	}
}

// waitReached waits until the index reached the held file.
func (h *holdingInspector) waitReached(t *testing.T) {
	t.Helper()
	select {
	case <-h.reached:
	case <-time.After(earlyDeadline):
		t.Fatal("the index never reached the held file")
	}
}

// started runs a sync in the background, as a job; the run comes on the
// channel. The job's ID goes to *job when job is not nil, so that the
// test can look at its progress.
func (w *syncWorld) started(by app.SyncTrigger, job *int64) <-chan runResult {
	out := make(chan runResult, 1)
	ids := make(chan int64, 1)
	go func() {
		j, run, err := w.syncer.Run(context.Background(), w.account.ID, by, false)
		ids <- j.ID
		if err == nil {
			if _, err = w.jobs.Wait(context.Background(), j.ID); err == nil {
				var runs []domain.SyncRun
				if runs, err = w.syncer.Runs(context.Background(), w.account.ID, 1); err == nil && len(runs) == 1 {
					run = runs[0]
					if !run.Complete {
						err = fmt.Errorf("the run stopped: %s", run.Error)
					}
				}
			}
		}
		out <- runResult{run, err}
	}()
	id := <-ids
	if job != nil {
		*job = id
	}
	return out
}

// progress answers the job's progress as the API shows it.
func (w *syncWorld) progress(t *testing.T, id int64) domain.Job {
	t.Helper()
	j, err := w.jobs.Job(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

type runResult struct {
	run domain.SyncRun
	err error
}

// arrive waits until the server stored every path of want.
func arrive(t *testing.T, a *arrivals, want ...string) {
	t.Helper()
	left := map[string]bool{}
	for _, p := range want {
		left[p] = true
	}
	for _, p := range a.uploads() {
		delete(left, p)
	}
	deadline := time.After(earlyDeadline)
	for len(left) > 0 {
		select {
		case p := <-a.ch:
			delete(left, p)
		case <-deadline:
			t.Fatalf("the server did not get %v while the index was held (it got %v)", keys(left), a.uploads())
		}
	}
}

func finished(t *testing.T, ch <-chan runResult) domain.SyncRun {
	t.Helper()
	select {
	case r := <-ch:
		if r.err != nil {
			t.Fatalf("Sync: %v (run %+v)", r.err, r.run)
		}
		return r.run
	case <-time.After(earlyDeadline):
		t.Fatal("the run did not end")
	}
	return domain.SyncRun{}
}

// TestSyncSendsWhileTheLibraryIsRead: a first backup sends the photos the
// index has read while it still reads another; the job shows the index's
// progress and the bytes sent meanwhile; every file is sent once, paired,
// and a second run sends nothing.
func TestSyncSendsWhileTheLibraryIsRead(t *testing.T) {
	w, h, a := earlyWorld(t, "z/last.jpg")
	var want []string
	for i := range 5 {
		w.write(t, fmt.Sprintf("a/IMG_%d.jpg", i), pic(t, fmt.Sprint("early ", i)), syncTime)
		want = append(want, fmt.Sprintf("/Photos/a/IMG_%d.jpg", i))
	}
	w.write(t, "z/last.jpg", pic(t, "read last"), syncTime)
	var job int64
	done := w.started(app.ByHand, &job)

	arrive(t, a, want...)
	h.waitReached(t)
	j := w.progress(t, job)
	if j.IndexFilesTotal != 6 || j.IndexFilesDone != 5 || j.IndexBytesDone >= j.IndexBytesTotal || j.BytesDone <= 0 {
		t.Errorf("progress while the index holds: indexed %d/%d files, %d/%d bytes; sent %d bytes",
			j.IndexFilesDone, j.IndexFilesTotal, j.IndexBytesDone, j.IndexBytesTotal, j.BytesDone)
	}
	h.let()

	run := finished(t, done)
	checkRun(t, run, 0, 6, 0)
	if got := a.uploads(); len(got) != 6 {
		t.Errorf("uploads %v; want each of the 6 files once", got)
	}
	// The index's counts are live progress only (domain.Job): the
	// finished job, as stored, keeps what was moved.
	if j := w.progress(t, job); j.FilesDone != 6 || j.FilesTotal != 6 || j.Uploaded != 6 {
		t.Errorf("progress at the end: %d/%d files, %d uploaded", j.FilesDone, j.FilesTotal, j.Uploaded)
	}
	checkRun(t, w.sync(t), 0, 0, 0)
	if len(a.uploads()) != 6 {
		t.Errorf("the second run sent %v", a.uploads())
	}
}

// TestSyncEarlyLeavesTheRestToThePlan: while the index holds, only the new
// photo goes up; a paired file deleted from the library and a file changed
// on both sides wait for the plan made once the index is done, which
// remembers the deletion (nothing is deleted on the server) and keeps both
// versions of the conflict.
func TestSyncEarlyLeavesTheRestToThePlan(t *testing.T) {
	w := newSyncWorld(t)
	w.write(t, "keep.jpg", pic(t, "keep"), syncTime)
	w.write(t, "gone.jpg", pic(t, "gone"), syncTime)
	w.write(t, "both.jpg", pic(t, "both"), syncTime)
	checkRun(t, w.sync(t), 0, 3, 0)

	w2, h2, a2 := rehold(t, w, "zz/held.jpg")
	if err := osRemove(w2.dir, "gone.jpg"); err != nil {
		t.Fatal(err)
	}
	later := syncTime.Add(time.Hour)
	w2.write(t, "both.jpg", pic(t, "both, edited here"), later)
	w2.put(t, "/Photos/both.jpg", pic(t, "both, edited there"), later)
	w2.write(t, "new.jpg", pic(t, "new"), syncTime)
	w2.write(t, "zz/held.jpg", pic(t, "held"), syncTime)
	done := w2.started(app.ByHand, nil)

	arrive(t, a2, "/Photos/new.jpg")
	h2.waitReached(t)
	if got := a2.uploads(); !slices.Equal(got, []string{"/Photos/new.jpg"}) {
		t.Errorf("sent while the index held: %v; want the new photo only", got)
	}
	if deleted, err := w2.syncer.Deleted(context.Background(), w2.account.ID); err != nil || len(deleted) != 0 {
		t.Errorf("deletions remembered before the plan: %+v, %v", deleted, err)
	}
	for p := range w2.library(t) {
		if strings.Contains(p, "conflict") {
			t.Errorf("a conflict copy %s before the plan", p)
		}
	}
	h2.let()

	run := finished(t, done)
	checkRun(t, run, 1, 3, 0) // new, held, and both.jpg's two versions
	if _, ok := w2.server.File("/Photos/gone.jpg"); !ok {
		t.Error("a file deleted from the library was deleted on the server")
	}
	deleted, err := w2.syncer.Deleted(context.Background(), w2.account.ID)
	if err != nil || len(deleted) != 1 || deleted[0].LocalPath != "gone.jpg" {
		t.Errorf("deletions remembered: %+v, %v", deleted, err)
	}
	conflicts := 0
	for p := range w2.library(t) {
		if strings.Contains(p, "both (conflict ") {
			conflicts++
		}
	}
	if conflicts != 1 {
		t.Errorf("library %v; want one conflict copy of both.jpg", keys(w2.library(t)))
	}
	if got := a2.uploads(); len(got) != 3 {
		t.Errorf("uploads %v; want new, held and both once each", got)
	}
}

// TestSyncEarlyNotInADryRun: a dry run reads the whole library and sends
// nothing (were it to send early, it would send every file it read).
func TestSyncEarlyNotInADryRun(t *testing.T) {
	w, _, a := earlyWorld(t, "")
	for i := range 4 {
		w.write(t, fmt.Sprintf("IMG_%d.jpg", i), pic(t, fmt.Sprint("dry ", i)), syncTime)
	}
	plan, err := w.syncer.Plan(context.Background(), w.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	if n := plan.Summary().Uploads; n != 4 {
		t.Errorf("the dry run plans %d uploads, want 4", n)
	}
	if got := a.uploads(); len(got) != 0 {
		t.Errorf("a dry run sent %v", got)
	}
}

// TestSyncEarlyNotBeforeTheGuard: the first scheduled (or watcher's) run
// of a large library waits for a person's confirmation; nothing goes up
// before the plan is held, and a person's run then sends it all.
func TestSyncEarlyNotBeforeTheGuard(t *testing.T) {
	for _, by := range []app.SyncTrigger{app.BySchedule, app.ByWatcher} {
		t.Run(fmt.Sprint(by), func(t *testing.T) {
			w, _, a := earlyWorld(t, "")
			n := domain.MinGuardedChanges + 1
			for i := range n {
				w.write(t, fmt.Sprintf("d%d/IMG_%d.jpg", i%5, i), pic(t, fmt.Sprint("guarded ", i)), syncTime)
			}
			run := finished(t, w.started(by, nil))
			if run.Uploaded != 0 || !strings.Contains(run.Error, "confirmation") {
				t.Errorf("the first run %+v; want it held", run)
			}
			if got := a.uploads(); len(got) != 0 {
				t.Errorf("the held first run sent %d files: %+v", len(got), run)
			}
			checkRun(t, finished(t, w.started(app.ByConfirmation, nil)), 0, n, 0)
		})
	}
}

// TestSyncEarlyWatcherRun: a watcher's run after the first sends the new
// photo (early or not), downloads nothing, and a new file on the server
// stays there for the scheduled run.
func TestSyncEarlyWatcherRun(t *testing.T) {
	w, _, a := earlyWorld(t, "")
	w.write(t, "old.jpg", pic(t, "old"), syncTime)
	checkRun(t, w.sync(t), 0, 1, 0)
	w.write(t, "new.jpg", pic(t, "new"), syncTime)
	w.put(t, "/Photos/remote.jpg", pic(t, "remote"), syncTime)
	checkRun(t, finished(t, w.started(app.ByWatcher, nil)), 0, 1, 0)
	if got := a.uploads(); !slices.Equal(got, []string{"/Photos/new.jpg", "/Photos/old.jpg"}) {
		t.Errorf("uploads %v", got)
	}
	if _, ok := w.library(t)["nextcloud/remote.jpg"]; ok {
		t.Error("a watcher's run downloaded")
	}
	checkRun(t, w.sync(t), 1, 0, 0)
}

// TestSyncEarlyLeavesTakenNamesAndKnownContent: a library file whose name
// the server holds with other content, and one whose bytes are on the
// server at another path (an upload a killed run did not record), are
// the plan's: the first goes up beside the server's file, which stays as
// it was, and the others are linked, not sent again. Were they sent early
// (every file read is, when it qualifies), the server's file would be
// overwritten and the second would be on the server twice.
func TestSyncEarlyLeavesTakenNamesAndKnownContent(t *testing.T) {
	w, _, a := earlyWorld(t, "")
	w.edit(t, app.AccountInput{SyncDownload: ptr(false)})
	theirs, mine, known := pic(t, "the server's own"), pic(t, "mine, same name"), pic(t, "already there")
	w.put(t, "/Photos/a.jpg", theirs, syncTime)
	w.put(t, "/Photos/c.jpg", known, syncTime)
	w.write(t, "a.jpg", mine, syncTime)
	w.write(t, "c.jpg", known, syncTime)
	// A download a killed run did not record: the planner links it by
	// its download path, which only the same size can tell early.
	down := pic(t, "came down")
	w.put(t, "/Photos/x.jpg", down, syncTime)
	w.write(t, "nextcloud/x.jpg", down, syncTime)
	w.write(t, "new.jpg", pic(t, "new"), syncTime)
	run := finished(t, w.started(app.ByHand, nil))
	remote := w.files(t, "/Photos")
	if !bytes.Equal(remote["/Photos/a.jpg"], theirs) {
		t.Error("the server's a.jpg was replaced")
	}
	if !bytes.Equal(remote["/Photos/a (1).jpg"], mine) {
		t.Errorf("the library's a.jpg is not beside the server's: %v", keys(remote))
	}
	if got := a.uploads(); !slices.Equal(got, []string{"/Photos/a (1).jpg", "/Photos/new.jpg"}) {
		t.Errorf("uploads %v; want a (1).jpg and new.jpg", got)
	}
	if run.Uploaded != 2 || run.Failed != 0 {
		t.Errorf("run %+v", run)
	}
	checkRun(t, w.sync(t), 0, 0, 0)
}
