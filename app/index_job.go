package app

import (
	"context"
	"time"

	"github.com/photosync/photosync/domain"
)

// StartIndex runs an index of the library as a job in the background. When
// an index is already running in this process it answers that job: the
// caller wanted the library indexed, and it is being indexed.
func StartIndex(ctx context.Context, jobs *Jobs, indexer *Indexer) (domain.Job, error) {
	for attempt := 0; ; attempt++ {
		j, err := jobs.Start(ctx, domain.JobIndex, 0, func(ctx context.Context, p *Progress) error {
			_, err := indexer.Index(ctx, p)
			return err
		})
		if domain.ErrorCode(err) != domain.ECONFLICT {
			return j, err
		}
		if running, ok := jobs.RunningIndex(); ok {
			return running, nil
		}
		// The running index is being recorded, or has just ended: look
		// again for a little while.
		if attempt == 50 {
			return j, err
		}
		select {
		case <-ctx.Done():
			return j, err
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// RunningIndex returns the index job running in this process, as it
// stands, if there is one.
func (js *Jobs) RunningIndex() (domain.Job, bool) {
	js.mu.Lock()
	defer js.mu.Unlock()
	for _, r := range js.running {
		if r.key == (exclusiveKey{domain.JobIndex, 0}) {
			return r.live(), true
		}
	}
	return domain.Job{}, false
}
