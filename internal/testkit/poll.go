package testkit

import (
	"testing"
	"time"
)

// Poll calls cond every interval until it returns true, and reports
// whether it did before timeout passed. cond runs at least once, and
// after every interval until the deadline. The interval is how often to look, not a
// synchronisation: a test waits for what it observes, never for a time.
// cond may fail the test itself (t.Fatal) to stop at once, for instance
// when the process it waits on has exited.
func Poll(timeout, interval time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(interval) // polling interval, not synchronisation
	}
}

// WaitFor polls cond (every 5 ms) until it holds, and fails t with
// "timed out waiting for <what>" when timeout passes first.
func WaitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	if !Poll(timeout, 5*time.Millisecond, cond) {
		t.Fatalf("timed out waiting for %s", what)
	}
}
