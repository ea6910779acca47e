package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// Timing of a running job's bookkeeping. Workers only bump a counter; a
// watcher per job publishes what changed at most every publishEvery and
// stores it at most every persistEvery, so a job that counts every block
// of every file does not write to the database for each. The final state
// is always stored and published. These use the real time, not the Clock,
// which stamps the job's times.
const (
	publishEvery = 100 * time.Millisecond
	persistEvery = 500 * time.Millisecond
	// storeTimeout bounds one write of a job's state, which must succeed
	// even when the job was cancelled.
	storeTimeout = 10 * time.Second
	// recoverScan is how many of the newest jobs Recover looks at.
	recoverScan = 10000
)

// InterruptedMessage is the Error of a job that was running when photosync
// stopped.
const InterruptedMessage = "interrupted: photosync stopped while it ran"

// Jobs runs indexes, uploads and syncs as jobs: it records each in the
// JobStore with its progress and final state, lets people follow and
// cancel them, and publishes their progress to subscribers.
//
// Jobs of any kinds run at the same time, several uploads to one account
// included (each sends its own selection), except that one index runs at a
// time: starting an index while another runs in this process answers
// ECONFLICT. The check is per process: a CLI index and the server's may
// overlap, which is safe because saving an index is one transaction.
//
// Every job runs under a context of its own, derived from one that lives
// as long as the Jobs (not from the request that started it) and cancelled
// by Cancel or Close.
type Jobs struct {
	store ports.JobStore
	clock ports.Clock
	log   *slog.Logger

	base     context.Context
	stopBase context.CancelFunc
	wg       sync.WaitGroup // one per job between begin and its end

	mu        sync.Mutex
	closed    bool
	running   map[int64]*run
	unsaved   map[int64]domain.Job // ended, but the store refused the end so far
	exclusive map[exclusiveKey]bool
	subs      map[*subscriber]struct{}
}

// NewJobs returns a job runner that records jobs in store. Call Close
// when done with it.
func NewJobs(store ports.JobStore, clock ports.Clock, log *slog.Logger) *Jobs {
	base, stop := context.WithCancel(context.Background())
	return &Jobs{
		store: store, clock: clock, log: log,
		base: base, stopBase: stop,
		running:   map[int64]*run{},
		unsaved:   map[int64]domain.Job{},
		exclusive: map[exclusiveKey]bool{},
		subs:      map[*subscriber]struct{}{},
	}
}

// exclusiveKey names a kind of job of which one runs at a time (per
// account, for kinds that have one).
type exclusiveKey struct {
	kind    domain.JobKind
	account int64
}

// exclusiveKinds are the kinds that run one at a time, with the error
// message for a second one.
var exclusiveKinds = map[domain.JobKind]string{
	domain.JobIndex: "an index is already running",
}

// stopReason is why a job's context was cancelled.
type stopReason int

const (
	notStopped stopReason = iota
	stoppedByPerson
	stoppedByShutdown
)

// run is a job running in this process.
type run struct {
	created domain.Job
	ctx     context.Context
	cancel  context.CancelFunc
	// caller is the context of Run's caller, which the job's work runs
	// within; nil for a job of Start.
	caller   context.Context
	key      exclusiveKey
	progress atomic.Pointer[Progress] // set when the job starts running
	version  atomic.Uint64            // counts changes to progress
	done     chan struct{}            // closed when final is set

	// Guarded by Jobs.mu.
	reason stopReason
	ending bool // the work has returned
	final  domain.Job
}

// live returns the job as it stands now.
func (r *run) live() domain.Job {
	if p := r.progress.Load(); p != nil {
		return p.Snapshot()
	}
	return r.created
}

// Start records a new job and runs work in the background; it returns at
// once with the job, queued. work reports its progress through p and must
// return soon after ctx is cancelled. The job ends done when no file
// failed, partial when some did, failed when work returns an error (its
// message for people becomes the job's Error) and cancelled when Cancel
// stopped it. EINVALID for an unknown kind; ECONFLICT when an index is
// already running; EUNAVAILABLE after Close.
func (js *Jobs) Start(ctx context.Context, kind domain.JobKind, accountID int64, work func(ctx context.Context, p *Progress) error) (domain.Job, error) {
	r, err := js.begin(ctx, kind, accountID, work, false)
	if err != nil {
		return domain.Job{}, err
	}
	return r.created, nil
}

// Run runs a job like Start but waits for it to end and returns it as it
// ended. The work runs within ctx: it sees ctx's values and deadline, and
// cancelling ctx cancels the job (it ends cancelled); a job whose work
// stops at ctx's deadline ends failed, its Error saying the time ran out
// (a Lambda invocation's run). Cancel and Close stop it as any job. The
// error is about starting the job only: how the job went is in its State,
// counts and Error.
func (js *Jobs) Run(ctx context.Context, kind domain.JobKind, accountID int64, work func(ctx context.Context, p *Progress) error) (domain.Job, error) {
	if err := ctx.Err(); err != nil {
		return domain.Job{}, err
	}
	r, err := js.begin(ctx, kind, accountID, work, true)
	if err != nil {
		return domain.Job{}, err
	}
	<-r.done
	return r.final, nil
}

// timeRanOutMessage is the Error of a job of Run whose work stopped at its
// caller's deadline.
const timeRanOutMessage = "stopped: the time for the job ran out"

// begin records the job and starts its goroutine. A job of Run (within)
// works under ctx as well as under the Jobs' own context.
func (js *Jobs) begin(ctx context.Context, kind domain.JobKind, accountID int64, work func(ctx context.Context, p *Progress) error, within bool) (*run, error) {
	switch kind {
	case domain.JobIndex, domain.JobUpload, domain.JobSync, domain.JobVerify, domain.JobRestore:
	default:
		return nil, domain.Errorf(domain.EINVALID, "unknown job kind %q", kind)
	}
	if work == nil {
		return nil, errors.New("app: start job: no work")
	}
	key := exclusiveKey{kind, accountID}
	_, exclusive := exclusiveKinds[kind]

	js.mu.Lock()
	if js.closed {
		js.mu.Unlock()
		return nil, domain.Errorf(domain.EUNAVAILABLE, "photosync is shutting down")
	}
	if exclusive && js.exclusive[key] {
		js.mu.Unlock()
		return nil, domain.Errorf(domain.ECONFLICT, "%s", exclusiveKinds[kind])
	}
	if exclusive {
		js.exclusive[key] = true
	}
	js.wg.Add(1)
	js.mu.Unlock()

	j := domain.Job{Kind: kind, AccountID: accountID, State: domain.JobQueued}
	if err := js.store.CreateJob(ctx, &j); err != nil {
		js.mu.Lock()
		delete(js.exclusive, key)
		js.mu.Unlock()
		js.wg.Done()
		return nil, fmt.Errorf("start %s job: %w", kind, err)
	}
	r := &run{created: j, key: key, done: make(chan struct{})}
	if within {
		// Close and Cancel stop it as they stop any job.
		r.caller = ctx
		var cancel context.CancelFunc
		r.ctx, cancel = context.WithCancel(ctx)
		stop := context.AfterFunc(js.base, cancel)
		r.cancel = func() { stop(); cancel() }
	} else {
		r.ctx, r.cancel = context.WithCancel(js.base)
	}

	js.mu.Lock()
	js.running[j.ID] = r
	js.publishLocked(j)
	js.mu.Unlock()
	js.log.Info("job started", "job", j.ID, "kind", kind, "account", accountID)

	go js.execute(r, work)
	return r, nil
}

// execute runs one job from queued to its final state.
func (js *Jobs) execute(r *run, work func(ctx context.Context, p *Progress) error) {
	defer js.wg.Done()
	defer r.cancel()

	j := r.created
	j.State, j.StartedAt = domain.JobRunning, js.clock.Now().UTC()
	_, err := js.save(j.ID, func(x *domain.Job) { x.State, x.StartedAt = j.State, j.StartedAt })
	p := NewProgress(j, func(domain.Job) { r.version.Add(1) })
	r.progress.Store(p)
	if err == nil {
		js.publish(j)
		stopWatch := js.watch(r, p)
		err = js.call(r, work, p)
		stopWatch()
	} else {
		err = fmt.Errorf("start job %d: %w", j.ID, err)
	}
	js.finish(r, p.Snapshot(), err)
}

// call runs work, turning a panic into an error so that one broken job
// does not take the process down.
func (js *Jobs) call(r *run, work func(ctx context.Context, p *Progress) error, p *Progress) (err error) {
	defer func() {
		if v := recover(); v != nil {
			js.log.Error("job panicked", "job", r.created.ID, "kind", r.created.Kind, "panic", v, "stack", string(debug.Stack()))
			err = fmt.Errorf("job %d panicked: %v", r.created.ID, v)
		}
	}()
	return work(r.ctx, p)
}

// watch publishes and stores the job's progress while it runs. The
// returned function stops the watcher and waits for it.
func (js *Jobs) watch(r *run, p *Progress) func() {
	quit, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(publishEvery)
		defer tick.Stop()
		var published, persisted uint64
		var lastPersist time.Time
		for {
			select {
			case <-quit:
				return
			case <-tick.C:
			}
			v := r.version.Load()
			if v == published && v == persisted {
				continue
			}
			j := p.Snapshot()
			if v != published {
				published = v
				js.publish(j)
			}
			if v != persisted && time.Since(lastPersist) >= persistEvery {
				persisted, lastPersist = v, time.Now()
				if _, err := js.save(j.ID, func(x *domain.Job) { copyProgress(x, j) }); err != nil {
					js.log.Warn("cannot store a job's progress", "job", j.ID, "err", err)
				}
			}
		}
	}()
	return func() {
		close(quit)
		<-stopped
	}
}

// finish decides the job's final state, stores and publishes it.
func (js *Jobs) finish(r *run, j domain.Job, err error) {
	js.mu.Lock()
	r.ending = true
	reason := r.reason
	if reason == notStopped && js.base.Err() != nil {
		reason = stoppedByShutdown // Close came before the job was listed
	}
	timeRanOut := false
	if reason == notStopped && r.caller != nil {
		// Run's caller cancelled it, or its deadline passed.
		switch r.caller.Err() {
		case context.Canceled:
			reason = stoppedByPerson
		case context.DeadlineExceeded:
			timeRanOut = true
		}
	}
	js.mu.Unlock()

	j.FinishedAt = js.clock.Now().UTC()
	stopped := reason != notStopped && (err != nil || j.FilesDone < j.FilesTotal)
	switch {
	case stopped && reason == stoppedByShutdown:
		j.State, j.Error = domain.JobFailed, InterruptedMessage
	case stopped:
		j.State = domain.JobCancelled
	case err != nil && timeRanOut:
		j.State, j.Error = domain.JobFailed, timeRanOutMessage
	case err != nil:
		j.State, j.Error = domain.JobFailed, domain.ErrorMessage(err)
		level := slog.LevelWarn
		if domain.ErrorCode(err) == domain.EINTERNAL {
			level = slog.LevelError
		}
		js.log.Log(context.Background(), level, "job failed", "job", j.ID, "kind", j.Kind, "err", err)
	case j.Failed > 0:
		j.State = domain.JobPartial
	default:
		j.State = domain.JobDone
	}
	stored := js.storeEnd(j)
	js.log.Info("job ended", "job", j.ID, "kind", j.Kind, "state", j.State, "files", j.FilesDone,
		"uploaded", j.Uploaded, "downloaded", j.Downloaded, "skipped", j.Skipped, "failed", j.Failed,
		"ms", j.FinishedAt.Sub(j.StartedAt).Milliseconds())

	js.mu.Lock()
	defer js.mu.Unlock()
	delete(js.running, j.ID)
	delete(js.exclusive, r.key)
	if !stored {
		// The job is final all the same: answered from memory, and
		// stored as soon as the store takes it (see keepStoring).
		js.unsaved[j.ID] = j
		if len(js.unsaved) == 1 && !js.closed {
			js.wg.Add(1)
			go js.keepStoring()
		}
	}
	r.final = j
	js.publishLocked(j)
	close(r.done)
}

// save changes the stored job with a context of its own: a job's state is
// stored even when the job, or photosync, is being stopped.
func (js *Jobs) save(id int64, fn func(*domain.Job)) (domain.Job, error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(js.base), storeTimeout)
	defer cancel()
	return js.store.UpdateJob(ctx, id, func(j *domain.Job) error { fn(j); return nil })
}

// copyProgress copies the counts and file errors of src to dst.
func copyProgress(dst *domain.Job, src domain.Job) {
	dst.FilesTotal, dst.FilesDone, dst.BytesTotal, dst.BytesDone = src.FilesTotal, src.FilesDone, src.BytesTotal, src.BytesDone
	dst.Uploaded, dst.Downloaded, dst.Skipped, dst.Failed = src.Uploaded, src.Downloaded, src.Skipped, src.Failed
	dst.Errors = append([]domain.JobError(nil), src.Errors...)
	dst.Link, dst.LinkError = src.Link, src.LinkError
}

// stopRun cancels a running job's context, remembering why. It reports
// false when the job's work has already returned.
func (js *Jobs) stopRun(r *run, why stopReason) bool {
	js.mu.Lock()
	if r.ending {
		js.mu.Unlock()
		return false
	}
	if r.reason == notStopped {
		r.reason = why
	}
	js.mu.Unlock()
	r.cancel()
	return true
}
