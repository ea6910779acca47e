package app

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/photosync/photosync/domain"
	"github.com/photosync/photosync/ports"
)

// FanOut spreads the due syncs over many workers through a queue: the
// scheduled invocation only finds the due accounts and sends one request
// each (EnqueueDue), and the workers run the requests they are handed
// (Run), so that a slow account does not hold up the others and a failing
// one is tried again alone. On AWS the queue is SQS and the workers are
// invocations of the same Lambda function.
type FanOut struct {
	scheduler *Scheduler
	syncer    *Syncer
	queue     ports.SyncQueue
	clock     ports.Clock
	log       *slog.Logger

	// Parallel is how many requests of one batch Run runs at once;
	// DefaultFanOutParallel when 0.
	Parallel int
}

// DefaultFanOutParallel is FanOut.Parallel when unset: each run moves
// several files at once already (SyncConfig.Parallel).
const DefaultFanOutParallel = 4

// NewFanOut returns the fan-out through queue of the syncs scheduler
// finds due, run by syncer.
func NewFanOut(scheduler *Scheduler, syncer *Syncer, queue ports.SyncQueue, clock ports.Clock, log *slog.Logger) *FanOut {
	return &FanOut{scheduler: scheduler, syncer: syncer, queue: queue, clock: clock, log: log}
}

// EnqueueDue sends one request for each account whose sync is due or whose
// last run stopped before its end (DuePolicy{Unfinished: true}), and
// returns the requests sent. The error is why the accounts could not be
// listed, or a *domain.EnqueueError naming the accounts the queue did not
// take: the next scheduled invocation finds them again.
func (f *FanOut) EnqueueDue(ctx context.Context) ([]domain.SyncRequest, error) {
	due, err := f.scheduler.Due(ctx, DuePolicy{Unfinished: true})
	if err != nil {
		return nil, err
	}
	now := f.clock.Now()
	reqs := make([]domain.SyncRequest, 0, len(due))
	for _, a := range due {
		reqs = append(reqs, domain.SyncRequest{AccountID: a.ID, RequestedAt: now})
	}
	if len(reqs) == 0 {
		return reqs, nil
	}
	err = f.queue.Enqueue(ctx, reqs)
	var ee *domain.EnqueueError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		refused := map[int64]bool{}
		for _, fl := range ee.Failed {
			refused[fl.Request.AccountID] = true
			f.log.WarnContext(ctx, "sync request not queued", "account", fl.Request.AccountID, "err", fl.Err)
		}
		sent := reqs[:0:0]
		for _, r := range reqs {
			if !refused[r.AccountID] {
				sent = append(sent, r)
			}
		}
		reqs = sent
	default:
		return nil, err
	}
	f.log.InfoContext(ctx, "sync requests queued", "accounts", len(reqs))
	return reqs, err
}

// SyncOutcome is what became of one request a worker was handed.
type SyncOutcome struct {
	Request domain.SyncRequest
	// Run is the run, when one started.
	Run domain.SyncRun
	// Skipped says why no run started: the account was synced since the
	// request, its sync runs elsewhere or is turned off, or it is gone.
	Skipped string
	// Err is why the run stopped before its end, or why it could not
	// start.
	Err error
	// Retry says that the request should come again: the run failed in a
	// way a later try may not (a server or the database that cannot be
	// reached now). A run stopped by the deadline keeps what it did and
	// is not retried: the next scheduled invocation finds it unfinished
	// and asks again. Nor is an account whose server refused its
	// password: it waits for a person, as IsDue says.
	Retry bool
}

// Run runs the requests' syncs, Parallel at a time, and answers one
// outcome per request, in their order. A request the account's latest run
// already satisfies (a queue delivers at least once) starts no run.
func (f *FanOut) Run(ctx context.Context, reqs []domain.SyncRequest) []SyncOutcome {
	out := make([]SyncOutcome, len(reqs))
	n := f.Parallel
	if n <= 0 {
		n = DefaultFanOutParallel
	}
	sem := make(chan struct{}, n)
	var wg sync.WaitGroup
	for i, r := range reqs {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			out[i] = f.run(ctx, r)
		})
	}
	wg.Wait()
	return out
}

// run runs one request's sync.
func (f *FanOut) run(ctx context.Context, r domain.SyncRequest) SyncOutcome {
	o := SyncOutcome{Request: r}
	last, err := f.syncer.Runs(ctx, r.AccountID, 1)
	switch {
	case domain.ErrorCode(err) == domain.ENOTFOUND:
		o.Skipped = domain.ErrorMessage(err)
		return o
	case err != nil:
		o.Err, o.Retry = err, true
		f.log.WarnContext(ctx, "sync request not run", "account", r.AccountID, "err", err)
		return o
	case len(last) == 1 && r.Satisfied(last[0]):
		o.Skipped = "synced since the request"
		f.log.InfoContext(ctx, "sync request already satisfied", "account", r.AccountID, "run", last[0].ID)
		return o
	}
	_, o.Run, o.Err = f.syncer.Run(ctx, r.AccountID, BySchedule, true)
	switch code := domain.ErrorCode(o.Err); {
	case o.Err == nil:
	case o.Run.ID == 0 && (code == domain.ECONFLICT || code == domain.ENOTFOUND):
		o.Skipped, o.Err = domain.ErrorMessage(o.Err), nil
	case errors.Is(o.Err, context.DeadlineExceeded):
	case code == domain.EUNAUTHORIZED || code == domain.EFORBIDDEN || code == domain.EINVALID:
	default:
		o.Retry = true
	}
	switch {
	case o.Skipped != "":
		f.log.InfoContext(ctx, "sync request passed over", "account", r.AccountID, "reason", o.Skipped)
	case o.Err != nil:
		f.log.WarnContext(ctx, "requested sync stopped", "account", r.AccountID, "run", o.Run.ID, "retry", o.Retry, "err", o.Err)
	default:
		f.log.InfoContext(ctx, "requested sync done", "account", r.AccountID, "run", o.Run.ID, "complete", o.Run.Complete)
	}
	return o
}
