package app

import (
	"context"
	"errors"
	"time"

	"github.com/photosync/photosync/domain"
)

// connectAttempts is how many times a connection test tries a server that
// fails in a way that may pass (a connection that broke off or was
// refused, a busy answer) before it tells the person; connectRetryDelay is
// the wait before the second try, doubled before the third.
const (
	connectAttempts   = 3
	connectRetryDelay = 300 * time.Millisecond
)

// discoverRetrying is the connector's Discover, tried again after a
// transient network failure: one broken connection (a proxy or a NAS
// waking up) does not fail a connection test. A timeout is not tried
// again: the person has waited the account's timeout already.
func (s *Accounts) discoverRetrying(ctx context.Context, creds domain.Credentials) (domain.Discovery, error) {
	delay := connectRetryDelay
	for attempt := 1; ; attempt++ {
		d, err := s.connector.Discover(ctx, creds)
		if err == nil || attempt >= connectAttempts || !transientConnectError(err) {
			return d, err
		}
		s.log.DebugContext(ctx, "connection test: trying again", "host", host(creds.URL), "attempt", attempt+1, "err", err)
		select {
		case <-ctx.Done():
			return d, err
		case <-time.After(delay):
		}
		delay *= 2
	}
}

// transientConnectError reports whether err is a server's failure that a
// second try may not meet: a remote EUNAVAILABLE that is not a timeout.
func transientConnectError(err error) bool {
	if !retryable(err) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var t interface{ Timeout() bool }
	return !(errors.As(err, &t) && t.Timeout())
}
