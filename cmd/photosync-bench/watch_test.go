package bench

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/photosync/photosync/adapters/fswatch"
	"github.com/photosync/photosync/adapters/secrets"
	"github.com/photosync/photosync/adapters/sqlite"
	"github.com/photosync/photosync/adapters/sqlstore"
	"github.com/photosync/photosync/adapters/system"
	"github.com/photosync/photosync/adapters/webdav"
	"github.com/photosync/photosync/app"
	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/infra/apptest"
	"github.com/photosync/photosync/internal/testkit"
)

// This file is the bench's scenario of issue 21 (docs/watch.md): what
// `serve` does with its library watcher, on the Nextcloud test server.
//
//   - "no-change sync, N files, watcher": the scheduler's due run of an
//     account when the watcher has seen nothing and the server's sync
//     folder ETag is unchanged: answered from stored state. Beside it the
//     table's "no-change sync, N files" row is the same run without the
//     watcher (`photosync sync`, a walk of the library and a listing).
//     serve stays up between runs, so the memory column of these rows is
//     what the answer allocated (Go's heap, runtime.MemStats.TotalAlloc),
//     not a process's peak RSS.
//   - "new file to verified arrival, N files": from a file written into
//     the library to its upload verified and recorded (the run complete),
//     quiet period included; memory is again what the run allocated.
//
// The composition is serve's, built here in process on the database the
// CLI wrote, so that the scheduler's tick can be timed on its own.

// watchNote explains the watcher's rows under the table.
const watchNote = "photosync serve (issue 21, docs/watch.md): the scheduler's tick with the library watcher running, built as serve builds it in the bench's process. " +
	"\"no-change sync, N files, watcher\" is a due run answered from stored state (the watcher saw nothing, the sync folder's ETag is the same); the row without \", watcher\" is the same sync without it. " +
	"\"new file to verified arrival\" runs from a file written into the library to its run ended complete (the upload verified), the quiet period included. " +
	"In these rows the peak RSS column is what the tick or the run allocated (Go's TotalAlloc), since serve keeps running."

// watchDelay is the quiet period of the arrival rows: serve's default,
// shorter in the tiny bench that `make test` runs.
func (b *bench) watchDelay() time.Duration {
	if len(b.cfg.many) == 1 && b.cfg.many[0] <= 1000 {
		return time.Second
	}
	return app.DefaultWatchDelay
}

// watched is serve's watcher, scheduler and syncer on a photosync's data.
type watched struct {
	db       *sqlite.DB
	accounts *app.Accounts
	syncs    *sqlstore.SyncStore
	jobs     *app.Jobs
	sched    *app.Scheduler
	watch    *app.Watch
	account  int64
	stop     func()
}

func startWatched(t testing.TB, p *photosync, delay time.Duration) *watched {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(p.data, "photosync.db"))
	if err != nil {
		t.Fatal(err)
	}
	key, err := secrets.LoadOrCreateKeyFile(filepath.Join(p.data, secrets.KeyFileName))
	if err != nil {
		t.Fatal(err)
	}
	box, err := secrets.NewBox(key)
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.DiscardHandler)
	clock := system.Clock{}
	w := &watched{db: db, syncs: sqlstore.NewSyncStore(db), account: p.account}
	ports := apptest.Ports(t, p.library, clock)
	ports.Accounts, ports.Jobs, ports.Library, ports.Uploads = sqlite.NewAccountStore(db), sqlite.NewJobStore(db), sqlite.NewLibraryStore(db), sqlite.NewUploadStore(db)
	ports.Sync, ports.Leases, ports.Proofs = w.syncs, sqlstore.NewLeaseStore(db), sqlite.NewProofStore(db)
	ports.Secrets, ports.Connector, ports.Watcher, ports.Log = box, webdav.NewConnector(log), fswatch.New(p.library), log
	a := apptest.New(t, ports, app.Settings{Sync: app.SyncConfig{Holder: "bench"}, Watch: app.WatchConfig{Delay: delay}})
	w.accounts, w.jobs, w.watch, w.sched = a.Accounts, a.Jobs, a.Watch, a.Scheduler
	wctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { w.watch.Run(wctx); close(done) }()
	w.stop = func() { cancel(); <-done; w.jobs.Close(); db.Close() }
	if !testkit.Poll(time.Minute, time.Millisecond, func() bool { return w.watch.Status().Watching }) {
		t.Fatalf("the watcher did not start: %+v", w.watch.Status())
	}
	return w
}

// makeDue makes the account's sync due (its last run an interval ago), as
// the scheduler's tick finds it an hour after its last run.
func (w *watched) makeDue(t testing.TB) {
	t.Helper()
	_, err := sqlite.NewAccountStore(w.db).UpdateAccount(context.Background(), w.account, func(a *domain.Account) error {
		a.SyncInterval, a.LastSyncAt = time.Hour, time.Now().Add(-2*time.Hour)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tick runs the scheduler's tick and waits for the jobs it started.
func (w *watched) tick(t testing.TB) []domain.Job {
	t.Helper()
	ctx := context.Background()
	jobs, err := w.sched.RunDue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range jobs {
		if j, err := w.jobs.Wait(ctx, j.ID); err != nil || j.State != domain.JobDone {
			t.Fatalf("the scheduled run: %v %+v", err, j)
		}
	}
	return jobs
}

// allocated runs fn and answers its wall time and the bytes allocated
// meanwhile.
func allocated(fn func()) (time.Duration, int64) {
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	start := time.Now()
	fn()
	wall := time.Since(start)
	runtime.ReadMemStats(&after)
	return wall, int64(after.TotalAlloc - before.TotalAlloc)
}

// watchScenarios measures the watcher's rows for a library of n files on
// the Nextcloud test server (see the top of this file).
func (b *bench) watchScenarios(srv *server, n int) {
	t := b.t
	lib := b.manyLibrary(n)
	dest := b.dest("watch")
	srv.seed(t, lib.dir, dest)
	p := newPhotosync(t, b.photosync, lib.dir, srv.c, srv.user, srv.pass, dest, false)
	p.sync(t, srv.c) // pairs the library with the server; not timed
	if !slices.Contains(b.notes, watchNote) {
		b.notes = append(b.notes, watchNote)
	}
	w := startWatched(t, p, b.watchDelay())
	defer w.stop()
	// The first due run walks and lists: the baseline, not timed.
	w.makeDue(t)
	if len(w.tick(t)) != 1 {
		t.Fatal("the baseline run did not start")
	}
	sc := fmt.Sprintf("no-change sync, %d files, watcher", n)
	for range b.cfg.reps {
		w.makeDue(t)
		srv.c.take()
		var jobs []domain.Job
		wall, bytes := allocated(func() { jobs = w.tick(t) })
		reqs := srv.c.take()
		if len(jobs) != 0 {
			t.Fatalf("%s: the run was not answered from stored state (%+v)", sc, w.watch.Status())
		}
		b.res.add(sc, srv.title(), toolPhotosync+" serve", 0, sample{wall: wall, rss: bytes, reqs: reqs})
	}

	sc = fmt.Sprintf("new file to verified arrival, %d files (quiet period %s)", n, b.watchDelay())
	for rep := range b.cfg.reps {
		name := fmt.Sprintf("WATCH_%d_%03d.JPG", n, rep)
		before, err := w.syncs.Runs(context.Background(), w.account, 1)
		if err != nil {
			t.Fatal(err)
		}
		srv.c.take()
		var wall time.Duration
		_, bytes := allocated(func() {
			local := addFile(t, lib, name)
			wall = b.waitArrival(srv, w, dest, lib.dir, local, before)
		})
		b.res.add(sc, srv.title(), toolPhotosync+" serve", 0, sample{wall: wall, rss: bytes, reqs: srv.c.take()})
	}
	srv.clean(t)
}

// waitArrival polls until the file at local is on the server at the same
// path below dest, whole, and a run newer than before recorded it
// complete, and answers the time since the file was written.
func (b *bench) waitArrival(srv *server, w *watched, dest, root, local string, before []domain.SyncRun) time.Duration {
	t := b.t
	fi, err := os.Stat(local)
	if err != nil {
		t.Fatal(err)
	}
	rel, _ := filepath.Rel(root, local)
	remote := filepath.Join(srv.dir, strings.TrimPrefix(dest, "/"), rel)
	var took time.Duration
	// The polling interval's step bounds the error of took.
	arrived := testkit.Poll(5*time.Minute, 5*time.Millisecond, func() bool {
		runs, err := w.syncs.Runs(context.Background(), w.account, 1)
		if err != nil {
			t.Fatal(err)
		}
		if len(runs) == 1 && (len(before) == 0 || runs[0].ID != before[0].ID) && runs[0].Complete && runs[0].Uploaded > 0 {
			if rf, err := os.Stat(remote); err == nil && rf.Size() == fi.Size() {
				took = time.Since(fi.ModTime())
				return true
			}
		}
		return false
	})
	if !arrived {
		t.Fatalf("%s did not arrive (watch %+v)", rel, w.watch.Status())
	}
	return took
}
