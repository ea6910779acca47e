package app

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/photosync/photosync/domain"
)

// Cancel asks a running job to stop; it ends cancelled soon after, with
// the counts of what it did. ENOTFOUND when there is no such job;
// ECONFLICT when it has ended or runs in another photosync process (a CLI
// command stops with Ctrl-C).
func (js *Jobs) Cancel(ctx context.Context, id int64) error {
	js.mu.Lock()
	r, ok := js.running[id]
	js.mu.Unlock()
	if ok {
		if !js.stopRun(r, stoppedByPerson) {
			return domain.Errorf(domain.ECONFLICT, "job %d has already finished", id)
		}
		return nil
	}
	j, err := js.store.Job(ctx, id)
	if err != nil {
		return err
	}
	if j.State.Ended() {
		return domain.Errorf(domain.ECONFLICT, "job %d has already ended (%s)", id, j.State)
	}
	return domain.Errorf(domain.ECONFLICT, "job %d runs in another photosync process; stop it there", id)
}

// Job returns one job; a job running in this process with its progress as
// it stands, not as last stored. ENOTFOUND.
func (js *Jobs) Job(ctx context.Context, id int64) (domain.Job, error) {
	js.mu.Lock()
	r, ok := js.running[id]
	js.mu.Unlock()
	if ok {
		return r.live(), nil
	}
	if j, ok := js.unsavedJob(id); ok {
		return j, nil
	}
	return js.store.Job(ctx, id)
}

// Jobs returns jobs, newest first, those running in this process with
// their progress as it stands.
func (js *Jobs) Jobs(ctx context.Context, f domain.JobFilter) ([]domain.Job, error) {
	list, err := js.store.Jobs(ctx, f)
	if err != nil {
		return nil, err
	}
	js.mu.Lock()
	defer js.mu.Unlock()
	for i, j := range list {
		if r, ok := js.running[j.ID]; ok {
			list[i] = r.live()
		} else if u, ok := js.unsaved[j.ID]; ok {
			list[i] = u
		}
	}
	return list, nil
}

// Wait waits for a job to end and returns it as it ended, or ctx's error.
// A job of another process is followed through the store. ENOTFOUND.
func (js *Jobs) Wait(ctx context.Context, id int64) (domain.Job, error) {
	js.mu.Lock()
	r, ok := js.running[id]
	js.mu.Unlock()
	if ok {
		select {
		case <-r.done:
			return r.final, nil
		case <-ctx.Done():
			return domain.Job{}, ctx.Err()
		}
	}
	t := time.NewTimer(0)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return domain.Job{}, ctx.Err()
		case <-t.C:
		}
		if j, ok := js.unsavedJob(id); ok {
			return j, nil
		}
		j, err := js.store.Job(ctx, id)
		if err != nil || j.State.Ended() {
			return j, err
		}
		t.Reset(persistEvery)
	}
}

// errEnded stops Recover's update of a job that ended meanwhile.
var errEnded = errors.New("the job has ended")

// Recover marks the jobs that a stopped photosync left queued or running
// as failed, with InterruptedMessage. Call it once at startup, before
// starting jobs. It looks at the newest recoverScan jobs. It cannot tell
// a crashed process from another one that is running, so a CLI job that
// runs while the server starts is marked too (its next progress update
// and its final state are stored over the mark).
func (js *Jobs) Recover(ctx context.Context) error {
	list, err := js.store.Jobs(ctx, domain.JobFilter{Limit: recoverScan})
	if err != nil {
		return fmt.Errorf("recover jobs: %w", err)
	}
	for _, j := range list {
		js.mu.Lock()
		_, mine := js.running[j.ID]
		js.mu.Unlock()
		if j.State.Ended() || mine {
			continue
		}
		_, err := js.store.UpdateJob(ctx, j.ID, func(x *domain.Job) error {
			if x.State.Ended() {
				return errEnded
			}
			x.State, x.Error, x.FinishedAt = domain.JobFailed, InterruptedMessage, js.clock.Now().UTC()
			return nil
		})
		if errors.Is(err, errEnded) {
			continue
		}
		if err != nil {
			return fmt.Errorf("recover job %d: %w", j.ID, err)
		}
		js.log.Warn("a job was interrupted when photosync stopped", "job", j.ID, "kind", j.Kind, "account", j.AccountID)
	}
	return nil
}

// Close cancels the running jobs, waits for them to store how they ended
// (failed, with InterruptedMessage, unless they finished meanwhile) and
// ends every subscription. Jobs cannot be started after. It waits as long
// as the jobs' work takes to notice the cancellation.
func (js *Jobs) Close() {
	js.mu.Lock()
	first := !js.closed
	js.closed = true
	for _, r := range js.running {
		if r.reason == notStopped && !r.ending {
			r.reason = stoppedByShutdown
		}
	}
	js.mu.Unlock()
	js.stopBase()
	js.wg.Wait()
	if first {
		js.closeSubscribers()
	}
}

// CancelAccount stops every job of an account that runs in this process
// and waits for each to end (or for ctx), so that nothing of the account
// still talks to its server when the caller goes on, e.g. to remove it.
func (js *Jobs) CancelAccount(ctx context.Context, accountID int64) error {
	js.mu.Lock()
	var runs []*run
	for _, r := range js.running {
		if r.created.AccountID == accountID {
			runs = append(runs, r)
		}
	}
	js.mu.Unlock()
	for _, r := range runs {
		js.stopRun(r, stoppedByPerson)
	}
	for _, r := range runs {
		select {
		case <-r.done:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}
