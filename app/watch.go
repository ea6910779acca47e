package app

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// ByWatcher is a run the library watcher starts once the library has been
// quiet for a moment after a change: it only uploads (downloads keep the
// account's interval, and the run does not count as the interval's run),
// and it is held like a scheduled run when it would be a large first sync.
const ByWatcher SyncTrigger = ByConfirmation + 1

// WatchConfig is how the library watcher turns changes into runs.
type WatchConfig struct {
	// Delay is the quiet period: a run starts once no change was seen
	// for this long (PHOTOSYNC_WATCH_DELAY), so that a card copy of
	// thousands of files becomes one run. DefaultWatchDelay when 0.
	Delay time.Duration
	// Settle is how long the files that changed are watched for a size
	// or time change before the run (a file still being written without
	// events, e.g. through a network share, waits another quiet period).
	// Delay/10, between 100 ms and 2 s, when 0.
	Settle time.Duration
	// MaxWait bounds how long a steady stream of changes puts a run off:
	// 6 quiet periods when 0.
	MaxWait time.Duration
	// FallbackEvery is how often the library is walked while the watcher
	// cannot see all of it (watch limit, folders it cannot follow).
	// DefaultWatchFallbackEvery when 0.
	FallbackEvery time.Duration
	// FullWalkEvery bounds how long runs are answered from stored state:
	// a full walk runs at least this often. 24 hours when 0.
	FullWalkEvery time.Duration
	// DownloadFolder is the library folder syncs download to
	// (SyncConfig.DownloadFolder; DefaultDownloadFolder when empty). Its
	// changes are a sync's own downloads, mostly: they start no run (the
	// next scheduled run, a full one, sees what else arrived there).
	DownloadFolder string
}

// Defaults of WatchConfig.
const (
	DefaultWatchDelay         = 10 * time.Second
	DefaultWatchFallbackEvery = 15 * time.Minute
	DefaultFullWalkEvery      = 24 * time.Hour
	// watchPathsMax bounds the changed files remembered for the settle
	// check; past it the check looks at the newest ones.
	watchPathsMax = 10000
	// watchFilesShown bounds WatchStatus.Files.
	watchFilesShown = 500
)

// WatchStatus is what the UI shows of the watcher.
type WatchStatus struct {
	// Watching: the library is being watched.
	Watching bool
	Since    time.Time
	// LastEvent is the newest change seen (zero Kind when none yet).
	LastEvent   ports.LibraryEvent
	LastEventAt time.Time
	// FellBack says why the watcher fell back to full walks, empty while
	// it sees everything; FellBackAt is when.
	FellBack   string
	FellBackAt time.Time
	// Incomplete: part of the library goes unseen (FellBack says why);
	// the library is walked every FallbackEvery and runs are never
	// answered from stored state.
	Incomplete bool
	// Runs counts the runs the watcher started; LastRunAt the newest.
	Runs      int
	LastRunAt time.Time
	// Files are the newest files the watcher saw arrive (at most
	// watchFilesShown) and how far their backup is, for the photo tiles.
	Files []WatchedFile
}

// WatchedFile is a file the watcher saw arrive or change.
type WatchedFile struct {
	Path  string
	State WatchedState
}

// WatchedState is how far a watched file's backup is.
type WatchedState string

// States of a watched file: waiting for the quiet period, in a run that
// goes on, backed up (the run ended with every file sent and its upload
// verified), or not (the run ended otherwise: the sync page tells why).
const (
	WatchedPending  WatchedState = "pending"
	WatchedSending  WatchedState = "sending"
	WatchedVerified WatchedState = "verified"
	WatchedFailed   WatchedState = "failed"
)

// Watch is the library watcher of `photosync serve`: it notes the
// library's changes and, once the library has been quiet for Delay and
// the changed files stopped changing, starts an upload run (ByWatcher)
// for every account whose sync uploads and backs new photos up at once
// (domain.Account.SyncOnChange). Lost events (an overflow) start a run,
// which walks the whole library; folders it cannot watch make it walk the
// library every FallbackEvery. It also lets the scheduler answer a run
// that has nothing to do from stored state (see Scheduler.RunDue).
type Watch struct {
	watcher  ports.LibraryWatcher
	accounts *Accounts
	syncer   *Syncer
	jobs     *Jobs
	clock    ports.Clock
	log      *slog.Logger
	cfg      WatchConfig

	mu     sync.Mutex
	status WatchStatus
	seq    uint64 // counts the changes seen; a baseline is valid while it is unchanged
	// changed are the files that changed since the last run, for the
	// settle check.
	changed   map[string]struct{}
	baselines map[int64]baseline // see watch_nochange.go
}

// NewWatch returns the library watcher's use case.
func NewWatch(watcher ports.LibraryWatcher, accounts *Accounts, syncer *Syncer, jobs *Jobs, clock ports.Clock, log *slog.Logger, cfg WatchConfig) *Watch {
	if cfg.Delay <= 0 {
		cfg.Delay = DefaultWatchDelay
	}
	if cfg.Settle <= 0 {
		cfg.Settle = min(max(cfg.Delay/10, 100*time.Millisecond), 2*time.Second)
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 6 * cfg.Delay
	}
	if cfg.FallbackEvery <= 0 {
		cfg.FallbackEvery = DefaultWatchFallbackEvery
	}
	if cfg.FullWalkEvery <= 0 {
		cfg.FullWalkEvery = DefaultFullWalkEvery
	}
	if cfg.DownloadFolder == "" {
		cfg.DownloadFolder = DefaultDownloadFolder
	}
	return &Watch{watcher: watcher, accounts: accounts, syncer: syncer, jobs: jobs, clock: clock, log: log, cfg: cfg,
		changed: map[string]struct{}{}, baselines: map[int64]baseline{}}
}

// Status returns what the UI shows of the watcher.
func (w *Watch) Status() WatchStatus {
	w.mu.Lock()
	defer w.mu.Unlock()
	s := w.status
	s.Files = slices.Clone(s.Files)
	return s
}

// Run watches the library until ctx ends. When the watching cannot start
// it says why in the status and walks the library every FallbackEvery.
func (w *Watch) Run(ctx context.Context) {
	events, err := w.watcher.Watch(ctx)
	if err != nil {
		w.fallBack("the library cannot be watched: "+domain.ErrorMessage(err), true)
		w.log.WarnContext(ctx, "the library cannot be watched; new files wait for walks", "err", err, "every", w.cfg.FallbackEvery)
		events = nil // a nil channel: only the fallback walks run
	} else {
		w.mu.Lock()
		w.status.Watching, w.status.Since = true, w.clock.Now()
		w.mu.Unlock()
		w.log.InfoContext(ctx, "watching the library", "quiet_period", w.cfg.Delay)
	}
	defer func() {
		w.mu.Lock()
		w.status.Watching = false
		w.mu.Unlock()
	}()

	quiet := time.NewTimer(time.Hour)
	quiet.Stop()
	var fire <-chan time.Time // set while a run waits for quiet
	var first time.Time       // the first change the waiting run is for
	arm := func(d time.Duration) {
		quiet.Reset(d)
		fire = quiet.C
	}
	fallback := time.NewTicker(w.cfg.FallbackEvery)
	defer fallback.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				if ctx.Err() == nil {
					w.fallBack("the watcher stopped", true)
				}
				events = nil
				continue
			}
			if !w.note(ctx, ev) {
				continue
			}
			now := time.Now()
			if first.IsZero() {
				first = now
			}
			if now.Sub(first) < w.cfg.MaxWait {
				arm(w.cfg.Delay)
			} else if fire == nil {
				arm(0)
			}
		case <-fire:
			fire = nil
			if !w.settled(ctx) {
				arm(w.cfg.Delay) // still being written
				continue
			}
			if w.startRuns(ctx) {
				arm(w.cfg.Delay) // a run was going on: try again after it
				continue
			}
			first = time.Time{}
		case <-fallback.C:
			if w.Status().Incomplete {
				w.log.InfoContext(ctx, "walking the library: the watcher cannot see all of it")
				w.startRuns(ctx)
			}
		}
	}
}

// note records an event and reports whether it calls for a run.
func (w *Watch) note(ctx context.Context, ev ports.LibraryEvent) bool {
	now := w.clock.Now()
	w.mu.Lock()
	w.seq++
	w.status.LastEvent, w.status.LastEventAt = ev, now
	if d := w.cfg.DownloadFolder; ev.Kind != ports.LibraryOverflow && ev.Kind != ports.LibraryIncomplete &&
		(ev.Path == d || strings.HasPrefix(ev.Path, d+"/")) {
		w.mu.Unlock()
		return false // a download, mostly: no run, but no answer from stored state either
	}
	if !ev.Folder && ev.Path != "" && (ev.Kind == ports.LibraryCreated || ev.Kind == ports.LibraryChanged) {
		if len(w.changed) >= watchPathsMax {
			clear(w.changed)
		}
		w.changed[ev.Path] = struct{}{}
		w.showLocked(ev.Path, WatchedPending)
	}
	w.mu.Unlock()
	switch ev.Kind {
	case ports.LibraryOverflow:
		w.fallBack(ev.Why, false)
		w.log.WarnContext(ctx, "the library watcher lost events; the next run walks the whole library", "why", ev.Why)
	case ports.LibraryIncomplete:
		w.fallBack(ev.Why, true)
		w.log.WarnContext(ctx, "the library watcher cannot see part of the library; it is walked every "+w.cfg.FallbackEvery.String(),
			"path", ev.Path, "why", ev.Why)
	}
	return true
}

// fallBack records why the watcher fell back to walks.
func (w *Watch) fallBack(why string, incomplete bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.seq++
	w.status.FellBack, w.status.FellBackAt = why, w.clock.Now()
	if incomplete {
		w.status.Incomplete = true
	}
}

// settled reports whether the files that changed have stopped changing:
// their size and time are the same twice, Settle apart. The ones that
// are gone are passed over (their removal is the run's business).
func (w *Watch) settled(ctx context.Context) bool {
	w.mu.Lock()
	paths := make([]string, 0, len(w.changed))
	for p := range w.changed {
		paths = append(paths, p)
	}
	w.mu.Unlock()
	if len(paths) == 0 {
		return true
	}
	before := make(map[string]domain.FileInfo, len(paths))
	for _, p := range paths {
		if fi, err := w.watcher.Stat(ctx, p); err == nil {
			before[p] = fi
		}
	}
	t := time.NewTimer(w.cfg.Settle)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	}
	for p, fi := range before {
		now, err := w.watcher.Stat(ctx, p)
		if err != nil {
			continue
		}
		if now.Size != fi.Size || !now.ModTime.Equal(fi.ModTime) {
			w.log.DebugContext(ctx, "a file is still being written; the run waits", "path", p)
			return false
		}
	}
	return true
}

// startRuns starts an upload run for every account that backs new photos
// up at once, and reports whether one has to be tried again (a run of the
// account was going on, which may have missed the newest files).
func (w *Watch) startRuns(ctx context.Context) (again bool) {
	all, err := w.accounts.Accounts(ctx)
	if err != nil {
		w.log.WarnContext(ctx, "the watcher cannot read the accounts", "err", err)
		return true
	}
	w.mu.Lock()
	clear(w.changed)
	var sending []string
	for i, f := range w.status.Files {
		if f.State == WatchedPending {
			w.status.Files[i].State = WatchedSending
			sending = append(sending, f.Path)
		}
	}
	w.mu.Unlock()
	var started []int64
	for _, a := range all {
		if !WatchesFor(a) {
			continue
		}
		j, _, err := w.syncer.Run(ctx, a.ID, ByWatcher, false)
		switch {
		case err == nil:
			started = append(started, j.ID)
			w.mu.Lock()
			w.status.Runs++
			w.status.LastRunAt = w.clock.Now()
			w.mu.Unlock()
			w.log.InfoContext(ctx, "the library changed: upload run started", "account", a.ID, "job", j.ID)
		case domain.ErrorCode(err) == domain.ECONFLICT:
			w.log.DebugContext(ctx, "the library changed during a run; trying again after it", "account", a.ID)
			again = true
		default:
			w.log.WarnContext(ctx, "the watcher cannot start an upload run", "account", a.ID, "err", err)
		}
	}
	if again {
		w.mu.Lock()
		for _, p := range sending {
			w.showLocked(p, WatchedPending) // the next try sends them
		}
		w.mu.Unlock()
		return true
	}
	if len(started) == 0 {
		// No account backs new photos up at once: nothing to show.
		w.mu.Lock()
		w.status.Files = slices.DeleteFunc(w.status.Files, func(f WatchedFile) bool { return f.State == WatchedSending })
		w.mu.Unlock()
		return false
	}
	go w.follow(ctx, started, sending)
	return false
}

// follow waits for the runs started for the files sending, and shows the
// files verified when every run ended done (each file sent was verified,
// the others were there already), failed otherwise.
func (w *Watch) follow(ctx context.Context, jobs []int64, sending []string) {
	state := WatchedVerified
	for _, id := range jobs {
		j, err := w.jobs.Wait(ctx, id)
		if err != nil {
			return // serve stops
		}
		if j.State != domain.JobDone {
			state = WatchedFailed
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range sending {
		for i, f := range w.status.Files {
			if f.Path == p && f.State == WatchedSending {
				w.status.Files[i].State = state
			}
		}
	}
}

// showLocked sets a file's state in the status, newest first. The caller
// holds w.mu.
func (w *Watch) showLocked(path string, state WatchedState) {
	files := w.status.Files
	for i, f := range files {
		if f.Path == path {
			files = append(files[:i:i], files[i+1:]...)
			break
		}
	}
	files = append([]WatchedFile{{Path: path, State: state}}, files...)
	if len(files) > watchFilesShown {
		files = files[:watchFilesShown]
	}
	w.status.Files = files
}

// WatchesFor reports whether the watcher starts runs for an account: its
// sync is on and uploads, "Back up new photos at once" is on, and its
// server has not refused the credentials.
func WatchesFor(a domain.Account) bool {
	return a.SyncEnabled && a.SyncUpload && a.SyncOnChange && a.Status != domain.StatusUnauthorized
}
