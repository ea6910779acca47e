package webdav

import (
	"context"
	"net/http"
	"sync"
)

// gate bounds the uploads a client has in flight, and adapts the bound to
// what the server takes (additive increase, multiplicative decrease, as
// TCP does): an answer 423 (locked), 429 (too many requests) or 503 (busy)
// halves it, down to one; every twice bound-many uploads in a row that succeed
// raise it by one, up to maxGate. The caller's own parallelism stays the
// ceiling: a server that keeps up never notices the gate.
type gate struct {
	mu       sync.Mutex
	limit    int
	inflight int
	streak   int
	wake     chan struct{} // closed and replaced when a place frees
}

// maxGate is the most uploads a client sends at once.
const maxGate = 8

func (g *gate) init() {
	if g.wake == nil {
		g.wake, g.limit = make(chan struct{}), maxGate
	}
}

// enter waits for a place; ctx's error when ctx ends first.
func (g *gate) enter(ctx context.Context) error {
	for {
		g.mu.Lock()
		g.init()
		if g.inflight < g.limit {
			g.inflight++
			g.mu.Unlock()
			return nil
		}
		ch := g.wake
		g.mu.Unlock()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-ch:
		}
	}
}

// leave frees the place of an upload that ended with err, adapting the
// bound.
func (g *gate) leave(err error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.inflight--
	switch HTTPStatus(err) {
	case http.StatusLocked, http.StatusTooManyRequests, http.StatusServiceUnavailable:
		g.limit, g.streak = max(1, g.limit/2), 0
	default:
		if err == nil {
			if g.streak++; g.streak >= 2*g.limit && g.limit < maxGate {
				g.limit, g.streak = g.limit+1, 0
			}
		}
	}
	close(g.wake)
	g.wake = make(chan struct{})
}

// bound answers the current bound, for tests and logs.
func (g *gate) bound() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.init()
	return g.limit
}
