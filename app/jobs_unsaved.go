package app

import (
	"time"

	"github.com/photosync/photosync/domain"
)

// retryStoreEvery is how often the end of a job that the store refused
// (a full data disk, a database away) is offered to it again.
const retryStoreEvery = 5 * time.Second

// storeEnd stores how a job ended and reports whether the store took it.
func (js *Jobs) storeEnd(j domain.Job) bool {
	if _, err := js.save(j.ID, func(x *domain.Job) {
		copyProgress(x, j)
		x.State, x.Error, x.StartedAt, x.FinishedAt = j.State, j.Error, j.StartedAt, j.FinishedAt
	}); err != nil {
		js.log.Error("cannot store how a job ended; it is kept in memory and stored when the store allows",
			"job", j.ID, "state", j.State, "err", err)
		return false
	}
	return true
}

// keepStoring offers the ends the store refused to it again, until it
// takes them all or the Jobs close.
func (js *Jobs) keepStoring() {
	defer js.wg.Done()
	t := time.NewTicker(retryStoreEvery)
	defer t.Stop()
	for {
		select {
		case <-js.base.Done():
			return
		case <-t.C:
		}
		js.mu.Lock()
		pending := make([]domain.Job, 0, len(js.unsaved))
		for _, j := range js.unsaved {
			pending = append(pending, j)
		}
		js.mu.Unlock()
		for _, j := range pending {
			if js.storeEnd(j) {
				js.mu.Lock()
				delete(js.unsaved, j.ID)
				js.mu.Unlock()
			}
		}
		js.mu.Lock()
		done := len(js.unsaved) == 0
		js.mu.Unlock()
		if done {
			return
		}
	}
}

// unsavedJob answers a job whose end the store has not taken yet.
func (js *Jobs) unsavedJob(id int64) (domain.Job, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	j, ok := js.unsaved[id]
	return j, ok
}
