package domain

import (
	"errors"
	"time"
)

// Trying again.
//
// Within a run, a transfer the server turned away for now (EUNAVAILABLE:
// 423, 425, 429, 5xx, a broken connection) is tried again after a wait
// that doubles from try to try, with jitter so that transfers running side
// by side do not come back in step, and never shorter than the server's
// Retry-After. Across runs, a file that still fails waits before its next
// attempt, longer after each failed run, until the account's retry limit
// marks it failed: then only a person's retry brings it back.

// Waits between the runs' attempts at a file that failed.
const (
	FailureBackoffBase = time.Minute
	FailureBackoffMax  = 24 * time.Hour
)

// RetryAfter returns how long the server behind err asked to wait before
// the next request (its Retry-After header), and 0 when it did not say.
// Adapters expose it on their errors' causes with a RetryDelay method.
func RetryAfter(err error) time.Duration {
	var ra interface{ RetryDelay() time.Duration }
	if errors.As(err, &ra) {
		return max(ra.RetryDelay(), 0)
	}
	return 0
}

// Backoff returns the wait before try attempt+1 after attempt tries
// failed: base doubled attempt-1 times, at most limit, plus up to a
// quarter more by jitter, a number in [0, 1) the caller draws at random.
// Attempts below 1 count as 1.
func Backoff(attempt int, base, limit time.Duration, jitter float64) time.Duration {
	d := base
	for i := 1; i < attempt && d < limit; i++ {
		d *= 2
	}
	d = min(d, limit)
	jitter = min(max(jitter, 0), 1)
	return d + time.Duration(float64(d)/4*jitter)
}

// RecordFailure returns f after one more failed attempt at now with the
// cause msg: the attempts counted, the next attempt put off by Backoff
// from FailureBackoffBase (or by wait, when the server asked for longer),
// and Failed set once the attempts reach limit.
func RecordFailure(f SyncFailure, msg string, now time.Time, limit int, wait time.Duration, jitter float64) SyncFailure {
	f.Attempts++
	f.LastError = msg
	f.LastAttemptAt = now
	f.NextAttemptAt = now.Add(max(Backoff(f.Attempts, FailureBackoffBase, FailureBackoffMax, jitter), wait))
	f.Failed = f.Attempts >= limit
	return f
}
