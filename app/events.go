package app

import (
	"slices"
	"sync"

	"github.com/photosync/photosync/domain"
)

// Subscribe returns a channel of job updates, for live progress (the
// API's server-sent events, the CLI's progress bar), and a function that
// ends the subscription and closes the channel. It starts with the jobs
// running now, then gets every change: new jobs, progress and final
// states.
//
// A slow reader never holds up a job: while it is behind, the updates it
// has not read yet are merged, one pending update per job, the newest. The
// last update of a job is its final state, so a reader always sees how
// each job ended. Close ends every subscription after delivering what is
// pending; a reader must keep reading until the channel closes or call the
// returned function.
func (js *Jobs) Subscribe() (<-chan domain.Job, func()) {
	s := &subscriber{
		out:   make(chan domain.Job),
		wake:  make(chan struct{}, 1),
		quit:  make(chan struct{}),
		drain: make(chan struct{}),
	}
	js.mu.Lock()
	if js.closed {
		js.mu.Unlock()
		close(s.out)
		return s.out, func() {}
	}
	ids := make([]int64, 0, len(js.running))
	for id := range js.running {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		s.put(js.running[id].live())
	}
	js.subs[s] = struct{}{}
	js.mu.Unlock()

	go s.loop()
	return s.out, func() {
		js.mu.Lock()
		delete(js.subs, s)
		js.mu.Unlock()
		s.stop()
	}
}

// publish hands j to every subscriber without waiting for any of them.
// The caller holds js.mu.
func (js *Jobs) publishLocked(j domain.Job) {
	for s := range js.subs {
		s.put(j)
	}
}

// publish hands j to every subscriber without waiting for any of them.
func (js *Jobs) publish(j domain.Job) {
	js.mu.Lock()
	defer js.mu.Unlock()
	js.publishLocked(j)
}

// closeSubscribers ends every subscription once its pending updates are
// delivered.
func (js *Jobs) closeSubscribers() {
	js.mu.Lock()
	subs := js.subs
	js.subs = map[*subscriber]struct{}{}
	js.mu.Unlock()
	for s := range subs {
		s.drainOnce.Do(func() { close(s.drain) })
	}
}

// A subscriber is one reader of job updates. put never blocks: it merges
// the update into pending, which loop hands to the reader in order.
type subscriber struct {
	out  chan domain.Job
	wake chan struct{} // a token when pending may have grown
	quit chan struct{} // closed when the reader goes away
	// drain is closed by Jobs.Close: deliver what is pending, then end.
	drain chan struct{}

	stopOnce, drainOnce sync.Once

	mu      sync.Mutex
	pending []domain.Job // at most one per job, oldest first
}

func (s *subscriber) put(j domain.Job) {
	s.mu.Lock()
	i := slices.IndexFunc(s.pending, func(p domain.Job) bool { return p.ID == j.ID })
	if i >= 0 {
		s.pending[i] = j
	} else {
		s.pending = append(s.pending, j)
	}
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *subscriber) stop() {
	s.stopOnce.Do(func() { close(s.quit) })
}

// next removes and returns the oldest pending update.
func (s *subscriber) next() (domain.Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) == 0 {
		return domain.Job{}, false
	}
	j := s.pending[0]
	s.pending = slices.Delete(s.pending, 0, 1)
	return j, true
}

func (s *subscriber) loop() {
	defer close(s.out)
	for {
		for {
			j, ok := s.next()
			if !ok {
				break
			}
			select {
			case s.out <- j:
			case <-s.quit:
				return
			}
		}
		select {
		case <-s.wake:
		case <-s.quit:
			return
		case <-s.drain:
			// Close published every final state before closing drain.
			if s.empty() {
				return
			}
		}
	}
}

func (s *subscriber) empty() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.pending) == 0
}
