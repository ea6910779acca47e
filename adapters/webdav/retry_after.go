package webdav

import "time"

// RetryDelay returns how long the server asked to wait before trying
// again (its Retry-After header), 0 when it did not say. domain.RetryAfter
// finds it through the *domain.Error that wraps a StatusError.
func (e *StatusError) RetryDelay() time.Duration { return e.RetryAfter }
