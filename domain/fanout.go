package domain

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// SyncRequest asks a worker to run one account's sync: the scheduled
// invocation that finds the due accounts sends one per account through a
// queue, and the workers that take them run the syncs in parallel.
//
// A queue may deliver a request more than once, so a request carries the
// time it was made: a worker that finds the account already synced to the
// end since then has nothing left to do (see SyncRequest.Satisfied).
type SyncRequest struct {
	AccountID   int64
	RequestedAt time.Time
}

// Satisfied reports whether the account's latest run, last, already did
// what r asks: it started at or after r was made and handled everything.
// A dry run does not count.
func (r SyncRequest) Satisfied(last SyncRun) bool {
	return last.ID != 0 && last.Complete && !last.DryRun && !last.StartedAt.Before(r.RequestedAt)
}

// EnqueueFailure is a request a queue did not take, and why.
type EnqueueFailure struct {
	Request SyncRequest
	Err     error
}

// EnqueueError is the error of a queue that took some requests of a call
// and refused others: the refused ones are listed, in the order they were
// given, and the others were sent.
type EnqueueError struct {
	Failed []EnqueueFailure
}

// Error names each refused account and why, the accounts refused for the
// same reason together.
func (e *EnqueueError) Error() string {
	var reasons []string
	accounts := map[string][]string{}
	for _, f := range e.Failed {
		why := f.Err.Error()
		if _, ok := accounts[why]; !ok {
			reasons = append(reasons, why)
		}
		accounts[why] = append(accounts[why], strconv.FormatInt(f.Request.AccountID, 10))
	}
	parts := make([]string, len(reasons))
	for i, why := range reasons {
		ids := accounts[why]
		noun := "account "
		if len(ids) > 1 {
			noun = "accounts "
		}
		parts[i] = noun + strings.Join(ids, ", ") + ": " + why
	}
	return fmt.Sprintf("%d sync request(s) not queued: %s", len(e.Failed), strings.Join(parts, "; "))
}

// Unwrap returns the causes, so that ErrorCode finds the first one's code.
func (e *EnqueueError) Unwrap() []error {
	errs := make([]error, len(e.Failed))
	for i, f := range e.Failed {
		errs[i] = f.Err
	}
	return errs
}
