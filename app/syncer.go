package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Syncer reconciles an account's sync folder with the library: the
// scheduled sync of DESIGN.md.
//
// A run takes the account's lease (one run per account at a time, across
// processes), indexes the library, removes the temporary files a killed
// run left, lists the remote folder (Depth 1 per folder, reusing folders
// whose ETag is unchanged on servers that propagate folder ETags), plans
// with domain.PlanSync and carries the plan out: downloads, updates and
// conflict copies first, then uploads, several at a time. Every file that
// moves is recorded as a pair as it goes (saved in batches), so a run that
// is cancelled or killed keeps what it did, and the next one goes on from
// there without moving anything twice.
//
// A run is made of parts, each with one owner: the preparation (prepare:
// the index and the listing, at once); the plan (recoverUnrecorded
// gathers evidence by reading, domain.PlanSync decides, guard holds back
// what waits for a person: a dry run makes the same plan); the executor
// (syncExec, sync_exec.go, sync_download.go, sync_replace.go: the
// transfers only); the ledger (sync_ledger.go: the one writer of the
// run's pairs, failures and record); and the read side (sync_history.go:
// failures, deletions, runs).
type Syncer struct {
	jobs      *Jobs
	accounts  *Accounts
	indexer   *Indexer
	library   ports.LibraryStore
	writer    ports.LibraryWriter
	lib       ports.Library
	store     ports.SyncStore
	leases    ports.LeaseStore
	inspector ports.MediaInspector
	checker   ports.ContentChecker
	versions  ports.VersionStore
	uploads   ports.UploadStore
	proofs    ports.ProofStore
	clock     ports.Clock
	log       *slog.Logger
	cfg       SyncConfig
	runs      atomic.Int64 // numbers this process's runs, for their lease holder names
	// staging is held for reading while a download waits in the staging
	// folder, and for writing while temporary files are removed.
	staging sync.RWMutex
}

// SyncConfig is how the Syncer runs.
type SyncConfig struct {
	// DownloadFolder is the library folder downloads go to; "nextcloud"
	// when empty.
	DownloadFolder string
	// Parallel is how many files move at once; 4 when 0.
	Parallel int
	// LeaseTTL is how long a run holds its account's lease without
	// renewing it (it renews it every third of that): how long a killed
	// run keeps the next from starting. 15 seconds when 0.
	LeaseTTL time.Duration
	// Holder names this process in leases, e.g. "host:pid".
	Holder string
	// Attempts and RetryDelay tune how a transfer is tried again within a
	// run while the server is busy (see retryPolicy); defaults when 0.
	Attempts   int
	RetryDelay time.Duration
	// SaveEvery is how many moved files are recorded at once; 50 when 0.
	SaveEvery int
	// DownloadStreams is how many parts of a file of 64 MiB or more are
	// fetched at once from a server that sends parts (HTTP ranges); 1
	// (when 0) fetches every file in one stream. One is the default
	// because on the servers photosync is measured against (same
	// machine, two cores) one stream was faster: the writer hashes and
	// writes a download on both cores already, and more streams only add
	// copies. Several help on a link where one stream is slower than a
	// few, e.g. a server far away.
	DownloadStreams int
	// Verify is how an upload is proven where the server computes no
	// hash of what it stored: VerifyAll (the default) reads every file
	// back, VerifySample one in ten, VerifySize only checks its size.
	Verify VerifyMode
	// MaxChanges is how many paired files one run may replace (either
	// way) before it waits for a person's confirmation; 0 is the default
	// rule, domain.MaxChangesDefault.
	MaxChanges int
}

// Defaults of SyncConfig.
const (
	DefaultDownloadFolder = "nextcloud"
	DefaultSyncParallel   = 4
	DefaultLeaseTTL       = 15 * time.Second
	defaultSaveEvery      = 50
	// saveInterval bounds the time between two saves of a run's pairs.
	saveInterval = 5 * time.Second
)

// SyncDeps are the parts a Syncer works with. Checker and Versions guard
// the last good copy of every file: a version from the other side
// replaces a copy only once the checker found it sound, and a replaced
// library file is kept in Versions first. Neither may be nil, nor Jobs.
type SyncDeps struct {
	// Jobs runs every run as a job (see Run).
	Jobs      *Jobs
	Accounts  *Accounts
	Indexer   *Indexer
	Library   ports.LibraryStore
	Writer    ports.LibraryWriter
	Lib       ports.Library
	Store     ports.SyncStore
	Leases    ports.LeaseStore
	Inspector ports.MediaInspector
	Checker   ports.ContentChecker
	Versions  ports.VersionStore
	Uploads   ports.UploadStore // manual uploads, so that those in the sync folder are pairs; nil for none
	// Proofs, when set, records every upload the server's hash or a read
	// back proved (the backup status).
	Proofs ports.ProofStore
	Clock  ports.Clock
	Log    *slog.Logger
}

// NewSyncer returns the sync use case.
func NewSyncer(d SyncDeps, cfg SyncConfig) *Syncer {
	if d.Checker == nil || d.Versions == nil || d.Jobs == nil {
		panic("app.NewSyncer: jobs, a content checker and a version store are required")
	}
	if cfg.DownloadFolder == "" {
		cfg.DownloadFolder = DefaultDownloadFolder
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = DefaultSyncParallel
	}
	if cfg.LeaseTTL <= 0 {
		cfg.LeaseTTL = DefaultLeaseTTL
	}
	if cfg.Holder == "" {
		cfg.Holder = "photosync"
	}
	if cfg.SaveEvery <= 0 {
		cfg.SaveEvery = defaultSaveEvery
	}
	if cfg.DownloadStreams <= 0 {
		cfg.DownloadStreams = 1
	}
	if cfg.Verify == "" {
		cfg.Verify = VerifyAll
	}
	return &Syncer{jobs: d.Jobs, accounts: d.Accounts, indexer: d.Indexer, library: d.Library, writer: d.Writer, lib: d.Lib, store: d.Store,
		leases: d.Leases, inspector: d.Inspector, checker: d.Checker, versions: d.Versions, uploads: d.Uploads, proofs: d.Proofs,
		clock: d.Clock, log: d.Log, cfg: cfg}
}

// Deps answers the parts the Syncer works with, for the use cases that
// work with the same parts beside it (restore, verify).
func (s *Syncer) Deps() SyncDeps {
	return SyncDeps{Accounts: s.accounts, Indexer: s.indexer, Library: s.library, Writer: s.writer, Lib: s.lib, Store: s.store,
		Leases: s.leases, Inspector: s.inspector, Checker: s.checker, Versions: s.versions, Uploads: s.uploads, Proofs: s.proofs,
		Clock: s.clock, Log: s.log}
}

// Config answers how the Syncer runs, its defaults filled in.
func (s *Syncer) Config() SyncConfig { return s.cfg }

// SyncTrigger says who started a run.
type SyncTrigger int

// Triggers. A person's run also tries the files that wait out their
// backoff after failing; the scheduler's leaves them until their time.
// Files marked failed wait for a person's Retry either way.
const (
	ByHand SyncTrigger = iota
	BySchedule
)

// Run runs an account's sync as a job, the one way every entry point
// runs one (HTTP, the command line, the scheduler, the watcher, the
// fan-out's workers and Lambda), so that every run has a job record and
// its SyncRun names that job.
//
// The account's lease is taken before the job is created, so that a
// second run is refused at once: ECONFLICT when a run of the account is
// going on here or in another process, or when the account's sync is
// turned off; ENOTFOUND for an unknown account. A scheduled run started
// in the background (the scheduler's tick) also checks under the lease
// that it is still wanted (see stillWanted): another instance sharing the
// database may have just done it. A waited one is checked by its caller
// (a fan-out request by SyncRequest.Satisfied).
//
// Without wait, Run returns the job, queued, and the run goes on in the
// background. With wait, the run goes on within ctx (its values and
// deadline: a Lambda invocation's; cancelling ctx cancels the job), and
// Run returns the job as it ended, the run as recorded and why the run
// stopped: a server's error when it cannot be listed or refuses the
// credentials (the account is marked then), ctx's when it was cancelled
// or ran out of time. Files that fail do not make it fail: they are
// counted in the run and retried by later runs. The run's ID is 0 when
// no run started.
func (s *Syncer) Run(ctx context.Context, accountID int64, by SyncTrigger, wait bool) (domain.Job, domain.SyncRun, error) {
	a, err := s.syncable(ctx, accountID)
	if err != nil {
		return domain.Job{}, domain.SyncRun{}, err
	}
	l, err := s.lock(ctx, a.ID)
	if err != nil {
		return domain.Job{}, domain.SyncRun{}, err
	}
	if by == BySchedule && !wait {
		if err := s.stillWanted(ctx, l, a.ID); err != nil {
			return domain.Job{}, domain.SyncRun{}, err
		}
	}
	if !wait {
		j, err := s.jobs.Start(ctx, domain.JobSync, a.ID, func(ctx context.Context, p *Progress) error {
			_, err := s.runLocked(ctx, l, a.ID, by, p)
			return err
		})
		if err != nil {
			l.release()
		}
		return j, domain.SyncRun{}, err
	}
	var run domain.SyncRun
	var runErr error
	j, err := s.jobs.Run(ctx, domain.JobSync, a.ID, func(ctx context.Context, p *Progress) error {
		run, runErr = s.runLocked(ctx, l, a.ID, by, p)
		return runErr
	})
	if err != nil {
		l.release()
		return j, domain.SyncRun{}, err
	}
	if run.ID == 0 && runErr == nil {
		// The job could not start its work (its store refused it).
		runErr = fmt.Errorf("the sync job %d did not run: %s", j.ID, j.Error)
	}
	return j, run, runErr
}

// Plan answers what a run of an account's sync would do now, moving
// nothing and recording nothing: a dry run. It indexes the library and
// lists the server as a run does. It works with sync turned off too, so a
// person can look before turning it on.
func (s *Syncer) Plan(ctx context.Context, accountID int64) (domain.SyncPlan, error) {
	a, err := s.accounts.Account(ctx, accountID)
	if err != nil {
		return domain.SyncPlan{}, err
	}
	st, err := s.accounts.Storage(ctx, a.ID)
	if err != nil {
		return domain.SyncPlan{}, err
	}
	pr, err := s.prepare(ctx, a, st, ByHand, false, nil)
	if err != nil {
		return domain.SyncPlan{}, s.accounts.NoteFailure(ctx, a.ID, err)
	}
	return pr.plan, nil
}

// syncable returns an account whose sync may run. ENOTFOUND, ECONFLICT.
func (s *Syncer) syncable(ctx context.Context, accountID int64) (domain.Account, error) {
	a, err := s.accounts.Account(ctx, accountID)
	if err != nil {
		return a, err
	}
	if !a.SyncEnabled {
		return a, domain.Errorf(domain.ECONFLICT, "sync is turned off for the account %q; turn it on first", a.Name)
	}
	return a, nil
}

// stillWanted checks, under the lease, that a run the scheduler starts is
// still wanted: the account is due, or its last run did not complete
// (DuePolicy{Unfinished: true}, which takes up what the scheduler's
// policy does). Another instance sharing the database may have run it
// between the scheduler's look and the lease. ECONFLICT (lease released)
// when it is not wanted.
func (s *Syncer) stillWanted(ctx context.Context, l *lease, accountID int64) error {
	a, err := s.accounts.Account(ctx, accountID)
	wanted := false
	if err == nil {
		wanted, err = DuePolicy{Unfinished: true}.due(ctx, a, s.clock.Now(), s.lastRun)
	}
	if err == nil && wanted {
		return nil
	}
	l.release()
	if err != nil {
		return err
	}
	return domain.Errorf(domain.ECONFLICT, "the sync of account %d is not due: another run has just done it", accountID)
}

// lastRun answers an account's newest run.
func (s *Syncer) lastRun(ctx context.Context, accountID int64) (domain.SyncRun, bool, error) {
	runs, err := s.store.Runs(ctx, accountID, 1)
	if err != nil || len(runs) == 0 {
		return domain.SyncRun{}, false, err
	}
	return runs[0], true, nil
}

// runLocked runs a sync under a lease taken by lock, and releases it.
func (s *Syncer) runLocked(ctx context.Context, l *lease, accountID int64, by SyncTrigger, p *Progress) (domain.SyncRun, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	l.keep(cancel)
	defer l.release()
	if p == nil {
		p = NewProgress(domain.Job{Kind: domain.JobSync, AccountID: accountID}, nil)
	}
	return s.run(ctx, accountID, by, p)
}

// prepared is what a run works from: the plan, and the listing to
// remember once the run completes.
type prepared struct {
	plan    domain.SyncPlan
	folders []domain.RemoteFolder
	pairs   []domain.SyncPair
	// pairsBefore is how many pairs there were before the run sent any
	// file (see earlySync): what the mass-change guard weighs.
	pairsBefore int
	failures    []domain.SyncFailure
	local       []domain.LibraryFile
	prev        []domain.RemoteFolder // the folders remembered before the run
	st          ports.RemoteStorage   // the server, listings tried again while it is busy
	stats       WalkStats
	etags       etagVerdict // what the run learnt of the server's folder ETags
	// createFolder is the sync folder a dry run found missing: the run
	// will create it.
	createFolder string
}

// prepare indexes the library, lists the server and plans. A run (write)
// also removes the temporary files a killed run left in the download
// folder and creates the sync folder when it uploads.
//
// The index and the listing run at once: one waits on the disk and the
// processor, the other on the server. When one fails the other is
// stopped, and the first failure is the run's. A run (early, nil for a
// dry run) sends files the index has read while it reads the rest, as
// far as a partial index allows (see earlySync).
func (s *Syncer) prepare(ctx context.Context, a domain.Account, st ports.RemoteStorage, by SyncTrigger, write bool, early *earlySync) (*prepared, error) {
	rctx, stopRemote := context.WithCancel(ctx)
	defer stopRemote()
	ictx, stopIndex := context.WithCancel(ctx)
	defer stopIndex()
	type indexed struct {
		local []domain.LibraryFile
		err   error
	}
	done := make(chan indexed, 1)
	go func() {
		_, local, err := s.indexer.IndexFiles(ictx, early.progress(), early.options())
		if err != nil {
			stopRemote()
		}
		done <- indexed{local, err}
	}()
	pr, files, err := s.listRemote(rctx, a, st, write)
	if err != nil {
		stopIndex()
	} else {
		early.start(ctx, pr, files)
	}
	ix := <-done
	if eerr := early.finish(ctx, err == nil && ix.err == nil); err == nil && ix.err == nil {
		err = eerr
	}
	stoppedHere := err != nil && ctx.Err() == nil && errors.Is(ix.err, context.Canceled)
	if ix.err != nil && !stoppedHere {
		// The index failed on its own (or the run was cancelled), not
		// because the listing did.
		return nil, fmt.Errorf("index the library: %w", ix.err)
	}
	if err != nil {
		return nil, err
	}
	pr.local = ix.local
	// The mass-change guard weighs a plan against the pairs there were
	// before the run: pairs this run made by sending new files early must
	// not raise the limit of what it may replace.
	pr.pairsBefore = len(pr.pairs)
	files = early.into(pr, files)

	failures := pr.failures
	if by.byPerson() {
		// A person asked: what waits out its backoff is tried now.
		failures = slices.Clone(failures)
		for i := range failures {
			if !failures[i].Failed {
				failures[i].NextAttemptAt = time.Time{}
			}
		}
	}
	set := domain.SyncSettingsOf(a, s.cfg.DownloadFolder)
	uploaded, err := s.uploadedIn(ctx, a.ID, files, pr.local, pr.pairs)
	if err != nil {
		return nil, err
	}
	files, truncated, undecided := s.recoverUnrecorded(ctx, pr.st, set, files, pr.local, pr.pairs, uploaded)
	pr.plan = domain.PlanSync(domain.SyncInput{
		Settings: set,
		Remote:   files, Local: pr.local, Pairs: pr.pairs, Failures: failures, Uploaded: uploaded,
		Truncated: truncated, Undecided: undecided, Now: s.clock.Now(),
	})
	pr.plan.Actions = early.left(pr.plan.Actions)
	pr.plan.CreateFolder = pr.createFolder
	return pr, nil
}

// listRemote is prepare's part on the server's side: it lists the sync
// folder (after removing temporary files and creating the folder, for a
// run) and reads the account's pairs and failures.
func (s *Syncer) listRemote(ctx context.Context, a domain.Account, st ports.RemoteStorage, write bool) (*prepared, []domain.RemoteFile, error) {
	// The walk and the folder's creation are tried again while the
	// server is busy, as transfers are (see retryingLister).
	st = retryingLister{RemoteStorage: st, retry: retryPolicy{attempts: s.cfg.Attempts, delay: s.cfg.RetryDelay}, log: s.log}
	if write {
		s.staging.Lock()
		n, err := s.writer.RemoveTemps(ctx, s.cfg.DownloadFolder)
		s.staging.Unlock()
		if err != nil {
			return nil, nil, fmt.Errorf("remove temporary files of an earlier run: %w", err)
		}
		if n > 0 {
			s.log.InfoContext(ctx, "sync: removed temporary files an interrupted run left", "files", n)
		}
		if a.SyncUpload {
			if err := st.MkdirAll(ctx, a.SyncFolder); err != nil {
				return nil, nil, fmt.Errorf("create the sync folder %s: %w", a.SyncFolder, err)
			}
		}
	}
	prev, err := s.store.Folders(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	pr := &prepared{prev: prev, st: st}
	// Listings are small answers that wait on the server: twice the
	// transfers at once keep it busy (rclone's checkers are 8 too).
	files, folders, stats, err := WalkRemote(ctx, st, a.SyncFolder, prev, trustETags(a, prev), 2*s.cfg.Parallel)
	if err != nil && !write && a.SyncUpload && domain.ErrorCode(err) == domain.ENOTFOUND {
		// A dry run does not create the sync folder a run would: it
		// plans as if it were empty, and says it will be created.
		if _, serr := st.Stat(ctx, a.SyncFolder); domain.ErrorCode(serr) == domain.ENOTFOUND {
			files, folders, stats, err = nil, nil, WalkStats{}, nil
			pr.createFolder = a.SyncFolder
		}
	}
	if err != nil {
		return nil, nil, fmt.Errorf("list the sync folder %s: %w", a.SyncFolder, err)
	}
	pr.folders, pr.stats = folders, stats
	pr.etags = judgeETags(prev, pr.folders, a.SyncFolder)
	if pr.pairs, err = s.store.Pairs(ctx, a.ID); err != nil {
		return nil, nil, err
	}
	if pr.failures, err = s.store.Failures(ctx, a.ID, false); err != nil {
		return nil, nil, err
	}
	return pr, files, nil
}

// run runs a sync under the account's lease: it records the run, plans
// and carries the plan out, and records how it went.
func (s *Syncer) run(ctx context.Context, accountID int64, by SyncTrigger, p *Progress) (domain.SyncRun, error) {
	a, err := s.accounts.Account(ctx, accountID)
	if err != nil {
		return domain.SyncRun{}, err
	}
	if by == ByWatcher {
		a.SyncDownload = false // a watcher's run only uploads (see ByWatcher)
	}
	led := newLedger(s.store, s.clock, s.log, p, a, s.cfg.SaveEvery)
	run, err := led.open(ctx, p.Snapshot().ID)
	if err != nil {
		return run, err
	}
	start := run.StartedAt
	if by != ByWatcher { // downloads keep their interval
		s.noteStart(ctx, a.ID, start)
	}
	x, pr, err := s.begin(ctx, a, by, p, led)
	held := ""
	if err == nil {
		var plan domain.SyncPlan
		plan, held = s.guard(ctx, a, by, run.ID, pr.plan, pr.pairsBefore)
		if held != "" {
			s.log.WarnContext(ctx, "sync: a run holds back its plan until a person confirms it", "account", a.ID, "why", held)
		}
		err = x.execute(ctx, plan)
	}
	led.save(ctx)
	s.removeStaged(ctx)
	if err == nil && led.err() != nil {
		err = fmt.Errorf("save the run's records: %w", led.err())
	}
	if cause := context.Cause(ctx); err != nil && cause != nil && !errors.Is(cause, context.Canceled) {
		err = cause // the lease was lost
	}
	if err == nil {
		// Only the folders that changed are written: a run that found the
		// server as it was writes one row, the verdict's.
		put, retag, drop := changedFolders(pr.prev, pr.etags.mark(pr.folders, a.SyncFolder))
		if len(put)+len(retag)+len(drop) > 0 {
			if serr := s.store.UpdateFolders(context.WithoutCancel(ctx), a.ID, put, retag, drop); serr != nil {
				s.log.WarnContext(ctx, "sync: cannot remember the remote folders; the next run lists them all", "account", a.ID, "err", serr)
			}
		}
	}

	uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if x != nil {
		x.sender.proofs.flush(uctx) // before the run is recorded as ended
	}
	run = led.close(uctx, err, held)
	s.noteEnd(uctx, a.ID, err)
	if held != "" && err == nil {
		s.noteHeld(uctx, a.ID, held)
	}
	s.log.InfoContext(ctx, "sync ended", "account", a.ID, "run", run.ID, "downloaded", run.Downloaded, "uploaded", run.Uploaded,
		"skipped", run.Skipped, "failed", run.Failed, "bytes_down", run.BytesDown, "bytes_up", run.BytesUp,
		"complete", run.Complete, "duration", run.FinishedAt.Sub(start), "err", err)
	return run, err
}

// begin opens the account's storage, prepares the run and hands what it
// found to the run's executor and ledger. The executor is nil when the
// storage cannot be opened.
func (s *Syncer) begin(ctx context.Context, a domain.Account, by SyncTrigger, p *Progress, led *ledger) (*syncExec, *prepared, error) {
	st, err := s.accounts.Storage(ctx, a.ID)
	if err != nil {
		return nil, nil, err
	}
	x := s.newExec(a, st, p, led)
	pr, err := s.prepare(ctx, a, st, by, true, newEarlySync(x, by, func(ctx context.Context) (bool, error) {
		return s.firstRun(ctx, a.ID, led.runID())
	}))
	if err != nil {
		return x, nil, err
	}
	x.knowFolders(pr.folders)
	x.knownLocal = pr.local
	led.know(pr.pairs, pr.failures)
	return x, pr, nil
}

// noteStart records the start of a run on the account: the scheduler
// counts the interval from it.
func (s *Syncer) noteStart(ctx context.Context, id int64, at time.Time) {
	if err := s.accounts.RecordSyncStart(ctx, id, at); err != nil {
		s.log.WarnContext(ctx, "sync: cannot record the start of a run on the account", "account", id, "err", err)
	}
}

// noteEnd records on the account how its server answered the run: fine,
// refusing the credentials, or failing. A cancelled run says nothing.
func (s *Syncer) noteEnd(ctx context.Context, id int64, err error) {
	if errors.Is(err, context.Canceled) || domain.ErrorCode(err) == domain.ECONFLICT {
		return
	}
	if err != nil && !domain.IsRemote(err) {
		return // photosync's own trouble, not the server's
	}
	if uerr := s.accounts.RecordSyncOutcome(ctx, id, err); uerr != nil {
		s.log.WarnContext(ctx, "sync: cannot record the outcome on the account", "account", id, "err", uerr)
	}
}

// removeStaged removes the staging files of downloads that found their
// file in the library already.
func (s *Syncer) removeStaged(ctx context.Context) {
	s.staging.Lock()
	defer s.staging.Unlock()
	if _, err := s.writer.RemoveTemps(context.WithoutCancel(ctx), path.Join(s.cfg.DownloadFolder, stagingFolder)); err != nil {
		s.log.WarnContext(ctx, "sync: cannot remove staging files; the next run does", "err", err)
	}
}

// changedFolders answers what turns the remembered folders prev into
// cur: the folders of cur that are new or whose entries differ (put),
// those with the same entries under another ETag (retag: the verdict on
// the sync folder's own entry changes every run, its thousands of entries
// need not be written again), and the paths of prev's folders that cur
// lacks.
func changedFolders(prev, cur []domain.RemoteFolder) (put, retag []domain.RemoteFolder, drop []string) {
	byPath := make(map[string]*domain.RemoteFolder, len(prev))
	for i := range prev {
		byPath[prev[i].Path] = &prev[i]
	}
	for _, f := range cur {
		old, ok := byPath[f.Path]
		switch {
		case !ok || !sameEntries(*old, f):
			put = append(put, f)
		case old.ETag != f.ETag:
			retag = append(retag, domain.RemoteFolder{Path: f.Path, ETag: f.ETag})
		}
		delete(byPath, f.Path)
	}
	for p := range byPath {
		drop = append(drop, p)
	}
	slices.Sort(drop)
	return put, retag, drop
}

// sameEntries reports whether two listings of a folder have the same
// entries, whatever their order.
func sameEntries(a, b domain.RemoteFolder) bool {
	if len(a.Files) != len(b.Files) {
		return false
	}
	entries := make(map[string]*domain.RemoteFile, len(a.Files))
	for i := range a.Files {
		entries[a.Files[i].Path] = &a.Files[i]
	}
	for _, e := range b.Files {
		o, ok := entries[e.Path]
		if !ok || o.Name != e.Name || o.IsDir != e.IsDir || o.Size != e.Size || !o.ModTime.Equal(e.ModTime) ||
			o.ETag != e.ETag || o.Checksum != e.Checksum {
			return false
		}
		delete(entries, e.Path) // an entry twice in b cannot match
	}
	return true
}
